// Tracking written into HTML: the example project's templates, rendered, then tracked; and the
// corner cases of the anchor scanner (quoting, escaping, what must not be rewritten).
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileIngestionPlans, compileProject, type RenderPlan } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { createRenderer } from '../../packages/runtime/src/render/message-renderer.js';
import { applyTracking, unescapeHtml } from '../../packages/runtime/src/tracking/apply-tracking.js';
import { trackingDecorator } from '../../packages/runtime/src/tracking/decorate.js';
import { verifyToken } from '../../packages/runtime/src/tracking/tokens.js';

const repo = path.resolve(import.meta.dirname, '../..');
const example = path.join(repo, 'examples/cart-abandonment');
const options = { publicUrl: 'https://t.shop.example', secret: 'test-secret-0123456789abcdef' };

/** The hrefs and img srcs of an HTML document, unescaped. */
function attributes(html: string, name: 'href' | 'src'): string[] {
    return [...html.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map(m => unescapeHtml(m[1]!));
}

function tokenOf(url: string, prefix: string): string {
    expect(url.startsWith(prefix)).toBe(true);
    return url.slice(prefix.length);
}

async function exampleTemplates(): Promise<Map<string, RenderPlan['templates']>> {
    const project = await loadProject([example]);
    expect(project.errorCount).toBe(0);
    const templates = new Map<string, RenderPlan['templates']>();
    for (const event of compileIngestionPlans(project).events) {
        for (const t of event.transactional) templates.set(`${event.event}.${t.message}.${t.channel}`, t.templates);
    }
    for (const { plan } of compileProject(project)) templates.set(`${plan.event}.${plan.message}.${plan.channel}`, plan.templates);
    return templates;
}

function firstCart(): Record<string, unknown> {
    const line = readFileSync(path.join(example, 'history.jsonl'), 'utf8').split('\n')[0]!;
    const data = (JSON.parse(line) as { data: Record<string, unknown> }).data;
    // A URL with characters the template escapes, to check the round trip through HTML escaping.
    return { ...data, firstName: 'Zoë <b>', cartUrl: 'https://shop.example/cart/c001?utm_source=mail&utm_medium="x"' };
}

describe('applyTracking on the example templates', () => {
    it('turns every link of every example email into a signed redirect to the same URL, and adds one pixel', async () => {
        const templates = await exampleTemplates();
        const emails = [...templates.entries()].filter(([, t]) => t.html !== undefined);
        expect(emails.map(([name]) => name).sort()).toEqual([
            'cartAbandonment.followup.email', 'cartAbandonment.lastChance.email', 'cartAbandonment.transactional.email',
        ]);
        const event = firstCart();
        for (const [name, t] of emails) {
            const html = createRenderer(t)(event, null).html!;
            expect(attributes(html, 'href'), name).toEqual([event['cartUrl']]);
            const deliveryId = `delivery-of-${name}`;
            const tracked = applyTracking(html, deliveryId, options);

            const [href, ...more] = attributes(tracked, 'href');
            expect(more).toEqual([]);
            const click = verifyToken(tokenOf(href!, 'https://t.shop.example/t/c/'), options.secret);
            expect(click).toEqual({ kind: 'click', deliveryId, url: event['cartUrl'] });

            const [pixel, ...otherImages] = attributes(tracked, 'src');
            expect(otherImages).toEqual([]);
            expect(verifyToken(tokenOf(pixel!, 'https://t.shop.example/t/o/'), options.secret)).toEqual({ kind: 'open', deliveryId });
            expect(tracked).toMatch(/<img src="[^"]+" width="1" height="1" alt=""[^>]*\/><\/body>/);

            // Nothing else changed: removing the pixel and putting the original href back gives the input.
            const restored = tracked
                .replace(/<img src="[^"]+" width="1" height="1"[^>]*\/>/, '')
                .replace(/href="[^"]*"/, `href="${html.match(/href="([^"]*)"/)![1]}"`);
            expect(restored).toBe(html);
            // The escaped name stayed escaped.
            expect(tracked).toContain('Zoë &lt;b&gt;');
        }
    });
});

describe('applyTracking', () => {
    const track = (html: string) => applyTracking(html, 'd1', options);
    const clickTarget = (html: string) => attributes(track(html), 'href').map(h => {
        const token = h.startsWith('https://t.shop.example/t/c/') ? verifyToken(h.slice('https://t.shop.example/t/c/'.length), options.secret) : undefined;
        return token?.kind === 'click' ? { url: token.url, ...(token.link ? { link: token.link } : {}) } : h;
    });

    it('rewrites single-quoted, unquoted and upper-case hrefs, with other attributes kept in place', () => {
        const html = `<A class="btn" HREF='https://a.example/x?a=1&amp;b=2' title="go > there">A</A><a href=https://b.example/>B</a>`;
        const tracked = track(html);
        expect(tracked).toMatch(/^<A class="btn" href="https:\/\/t\.shop\.example\/t\/c\/[^"]+" title="go > there">A<\/A><a href="https:\/\/t/);
        expect(clickTarget(html)).toEqual([{ url: 'https://a.example/x?a=1&b=2' }, { url: 'https://b.example/' }]);
    });

    it('leaves mailto:, tel:, anchors, relative links, javascript: and links into followup serve alone', () => {
        const untouched = [
            '<a href="mailto:help@shop.example">mail</a>',
            '<a href="tel:+33123456789">call</a>',
            '<a href="#top">top</a>',
            '<a href="/cart">relative</a>',
            '<a href="javascript:alert(1)">js</a>',
            '<a name="anchor">no href</a>',
            '<a href="https://t.shop.example/u/abc.def">unsubscribe</a>',
            '<abbr title="https://x.example/">not a link</abbr>',
        ].join('');
        const tracked = track(`<html><body>${untouched}</body></html>`);
        expect(tracked.replace(/<img[^>]*\/>/, '')).toBe(`<html><body>${untouched}</body></html>`);
    });

    it('takes the first href when a tag has two, like browsers do, and reads data-link as the link name', () => {
        expect(clickTarget('<a href="https://one.example/" href="https://two.example/">x</a>')[0]).toEqual({ url: 'https://one.example/' });
        expect(clickTarget('<a data-link="checkout" href="https://shop.example/pay">pay</a>')[0]).toEqual({ url: 'https://shop.example/pay', link: 'checkout' });
    });

    it('does not take an href inside another attribute\'s value', () => {
        const html = `<a title='see href="https://evil.example/"' href="https://good.example/">x</a>`;
        // (the test's own attribute reader is naive: it sees the title's text too)
        expect(clickTarget(html)).toEqual(['https://evil.example/', { url: 'https://good.example/' }]);
        expect(track(html)).toMatch(/^<a title='see href="https:\/\/evil\.example\/"' href="https:\/\/t\.shop\.example\/t\/c\//);
    });

    it('appends the pixel when there is no </body>, and puts it before the last one otherwise', () => {
        expect(track('<p>hi</p>')).toMatch(/^<p>hi<\/p><img /);
        expect(track('<BODY>x</BODY >')).toMatch(/<img [^>]+\/><\/BODY >$/);
    });
});

describe('trackingDecorator', () => {
    const decorate = trackingDecorator(options);

    it('adds RFC 8058 one-click unsubscribe headers and the delivery id, and tracks the HTML', () => {
        const content = decorate({ subject: 's', html: '<a href="https://x.example/">x</a>', text: 't', headers: { 'X-Followup-Rule': 'r' } }, { deliveryId: 'r:e1', channel: 'email' });
        expect(content.subject).toBe('s');
        expect(content.text).toBe('t');
        expect(content.headers['X-Followup-Rule']).toBe('r');
        expect(content.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
        expect(content.headers['X-Followup-Delivery']).toBe('r:e1');
        const [, token] = /^<https:\/\/t\.shop\.example\/u\/([^>]+)>$/.exec(content.headers['List-Unsubscribe']!)!;
        expect(verifyToken(token!, options.secret)).toEqual({ kind: 'unsubscribe', deliveryId: 'r:e1' });
        expect(content.html).toContain('https://t.shop.example/t/c/');
    });

    it('offers a mailto: as well when configured, and leaves sms and push alone', () => {
        const withMail = trackingDecorator({ ...options, unsubscribeMailto: 'unsubscribe@shop.example' });
        expect(withMail({ headers: {} }, { deliveryId: 'd', channel: 'email' }).headers['List-Unsubscribe']).toMatch(/^<https:[^>]+>, <mailto:unsubscribe@shop\.example\?subject=unsubscribe>$/);
        const sms = { text: 'https://x.example/', headers: {} };
        expect(decorate(sms, { deliveryId: 'd', channel: 'sms' })).toBe(sms);
    });
});
