// The tracking routes on a real store (PGlite and PostgreSQL 15): the open pixel, signed click
// redirects, tokens that must not verify, and RFC 8058 one-click unsubscribe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickUrl, openPixelUrl, unsubscribeUrl } from '../../packages/runtime/src/tracking/apply-tracking.js';
import { signToken } from '../../packages/runtime/src/tracking/tokens.js';
import { trackingRoutes, TRANSPARENT_GIF } from '../../packages/server/src/tracking/tracking-routes.js';
import { forEachEngine } from '../support/stores.js';
import { metricValue, PUBLIC_URL, SECRET, seedDelivery, suppressionsOf, trackingApp, trackingOf, type TrackingApp } from './tracking-support.js';

const options = { publicUrl: PUBLIC_URL, secret: SECRET };
const path = (url: string) => url.slice(PUBLIC_URL.length);
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

forEachEngine('tracking routes', (engine) => {
    let t: TrackingApp;
    beforeAll(async () => {
        t = await trackingApp(engine.store, [trackingRoutes]);
    });
    afterAll(async () => t?.app.close());

    it('the pixel answers a 1×1 GIF that is never cached, and records one open by a person', async () => {
        const id = await seedDelivery(engine.store, 'd-open', 'open@example.com');
        for (let i = 0; i < 3; i++) {
            const r = await t.app.inject({ method: 'GET', url: path(openPixelUrl(options, id)), headers: { 'user-agent': SAFARI } });
            expect(r.statusCode).toBe(200);
            expect(r.headers['content-type']).toBe('image/gif');
            expect(r.headers['cache-control']).toMatch(/no-store/);
            expect(r.rawPayload.equals(TRANSPARENT_GIF)).toBe(true);
        }
        const rows = await trackingOf(engine.store, id);
        expect(rows.map((r) => [r.kind, r.machine, r.at.toISOString()])).toEqual([['open', false, '2026-11-20T10:00:00.000Z']]);
        expect(metricValue(t.metrics, 'followup_tracking_total', { kind: 'open', machine: 'false' })).toBe(3);
    });

    it('flags opens by privacy proxies as machine opens: Apple (bare UA, Apple addresses), Gmail, Yahoo', async () => {
        const cases: [string, { ua?: string; ip?: string }][] = [
            ['d-apple-ua', { ua: 'Mozilla/5.0' }],
            ['d-apple-ip', { ua: SAFARI, ip: '17.58.100.1' }],
            ['d-gmail', { ua: GMAIL_PROXY }],
            ['d-yahoo', { ua: 'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:...) YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' }],
        ];
        for (const [id, source] of cases) {
            await seedDelivery(engine.store, id, `${id}@example.com`);
            const r = await t.app.inject({
                method: 'GET', url: path(openPixelUrl(options, id)),
                headers: source.ua ? { 'user-agent': source.ua } : {}, ...(source.ip ? { remoteAddress: source.ip } : {}),
            });
            expect(r.statusCode).toBe(200);
            expect((await trackingOf(engine.store, id)).map((row) => [row.kind, row.machine]), id).toEqual([['open', true]]);
        }
        // A machine open first, then the person: both are kept (the person's open is not lost).
        await t.app.inject({ method: 'GET', url: path(openPixelUrl(options, 'd-gmail')), headers: { 'user-agent': SAFARI } });
        expect((await trackingOf(engine.store, 'd-gmail')).map((row) => row.machine)).toEqual([true, false]);
    });

    it('a click redirects (302) to the signed URL and records the click once per URL, with its link name', async () => {
        const id = await seedDelivery(engine.store, 'd-click', 'click@example.com');
        const target = 'https://shop.example/cart/c001?utm_source=mail&x=%C3%BC';
        for (let i = 0; i < 2; i++) {
            const r = await t.app.inject({ method: 'GET', url: path(clickUrl(options, id, target, 'cart')) });
            expect(r.statusCode).toBe(302);
            expect(r.headers['location']).toBe(target);
        }
        // A HEAD (link checkers) gets the same answer but records nothing.
        const head = await t.app.inject({ method: 'HEAD', url: path(clickUrl(options, id, 'https://shop.example/help')) });
        expect(head.statusCode).toBe(302);
        expect(await trackingOf(engine.store, id)).toHaveLength(1);
        const r2 = await t.app.inject({ method: 'GET', url: path(clickUrl(options, id, 'https://shop.example/help')) });
        expect(r2.headers['location']).toBe('https://shop.example/help');
        // Long URLs (tracking parameters...) fit: the token is not limited to a path segment's usual 100 characters.
        const long = `https://shop.example/p?${'utm_content=abcdefghij&'.repeat(60)}end=1`;
        const r3 = await t.app.inject({ method: 'GET', url: path(clickUrl(options, await seedDelivery(engine.store, 'd-long', 'long@example.com'), long)) });
        expect(r3.statusCode).toBe(302);
        expect(r3.headers['location']).toBe(long);
        const rows = await trackingOf(engine.store, id);
        expect(rows.map((r) => [r.kind, r.url, r.link])).toEqual([
            ['click', target, 'cart'],
            ['click', 'https://shop.example/help', null],
        ]);
    });

    it('bad tokens (tampered, truncated, another URL, another delivery, another kind, unsigned) get 404: no redirect, nothing recorded', async () => {
        const id = await seedDelivery(engine.store, 'd-bad', 'bad@example.com');
        const good = path(clickUrl(options, id, 'https://shop.example/ok')).slice('/t/c/'.length);
        const [payload, signature] = good.split('.') as [string, string];
        const reencode = (fields: string[]) => `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${signature}`;
        const bad = {
            tampered: `${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
            truncated: good.slice(0, good.length - 5),
            payloadOnly: payload,
            otherUrl: reencode(['c', id, 'https://evil.example/']),
            otherDelivery: reencode(['c', 'd-open', 'https://shop.example/ok']),
            otherSecret: signToken({ kind: 'click', deliveryId: id, url: 'https://evil.example/' }, 'some-other-secret-0123456789'),
            openToken: path(openPixelUrl(options, id)).slice('/t/o/'.length),
            empty: '',
            garbage: '%3Cscript%3E',
        };
        for (const [name, token] of Object.entries(bad)) {
            const r = await t.app.inject({ method: 'GET', url: `/t/c/${token}` });
            expect([400, 404], name).toContain(r.statusCode);
            expect(r.headers['location'], name).toBeUndefined();
        }
        // The pixel and the unsubscribe endpoints refuse them too.
        expect((await t.app.inject({ method: 'GET', url: `/t/o/${bad.tampered}` })).statusCode).toBe(404);
        expect((await t.app.inject({ method: 'POST', url: `/u/${good}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
        expect(await trackingOf(engine.store, id)).toEqual([]);
        expect(await trackingOf(engine.store, 'd-open')).toHaveLength(1); // unchanged from the first test
        expect(await suppressionsOf(engine.store, 'bad@example.com')).toEqual([]);
        // Rejections are counted and logged, without the token.
        expect(metricValue(t.metrics, 'followup_tracking_rejected_total', { kind: 'click' })).toBeGreaterThanOrEqual(8);
        expect(t.logs.join('')).not.toContain(signature);
    });

    it('one-click unsubscribe (RFC 8058 POST) suppresses the address on its channel, idempotently', async () => {
        const id = await seedDelivery(engine.store, 'd-unsub', '  Someone@Example.COM ');
        const url = path(unsubscribeUrl(options, id));
        for (let i = 0; i < 2; i++) {
            const r = await t.app.inject({ method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
            expect(r.statusCode).toBe(200);
        }
        expect(await suppressionsOf(engine.store, 'someone@example.com')).toEqual([{ channel: 'email', reason: 'unsubscribe', source: `unsubscribe:${id}` }]);
        // multipart/form-data, which RFC 8058 also allows, is accepted.
        const id2 = await seedDelivery(engine.store, 'd-unsub-mp', 'multipart@example.com');
        const boundary = 'xYzZY';
        const r = await t.app.inject({
            method: 'POST', url: path(unsubscribeUrl(options, id2)),
            headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
            payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
        });
        expect(r.statusCode).toBe(200);
        expect(await suppressionsOf(engine.store, 'multipart@example.com')).toHaveLength(1);
    });

    it('GET on the unsubscribe link only shows a confirmation form (link scanners must not unsubscribe anyone)', async () => {
        const id = await seedDelivery(engine.store, 'd-unsub-page', 'page@example.com');
        const url = path(unsubscribeUrl(options, id));
        const r = await t.app.inject({ method: 'GET', url });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toMatch(/^text\/html/);
        expect(r.body).toMatch(/<form method="post" action="[^"]+">/);
        expect(await suppressionsOf(engine.store, 'page@example.com')).toEqual([]);
        // The form posts to the same URL (relative action), which unsubscribes.
        const action = /action="([^"]+)"/.exec(r.body)![1]!;
        expect(`/u/${action}`).toBe(url);
        expect((await t.app.inject({ method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(200);
        expect(await suppressionsOf(engine.store, 'page@example.com')).toHaveLength(1);
    });

    describe('odd links and tokens (issue 11)', () => {
        it('a link with non-ASCII characters, or with line breaks and tabs, redirects to the URL as the WHATWG parser writes it, never raw', async () => {
            const id = await seedDelivery(engine.store, 'd-odd', 'odd@example.com');
            const cases: [string, string][] = [
                ['https://shop.example/café?q=ü&x=€', 'https://shop.example/caf%C3%A9?q=%C3%BC&x=%E2%82%AC'],
                ['https://shop.example/a\r\nSet-Cookie: x=1', 'https://shop.example/aSet-Cookie:%20x=1'],
                ['https://shop.example/\tb\n', 'https://shop.example/b'],
                ['https://ÉXAMPLE.com/p', 'https://xn--xample-9ua.com/p'],
            ];
            for (const [target, location] of cases) {
                const r = await t.app.inject({ method: 'GET', url: `/t/c/${signToken({ kind: 'click', deliveryId: id, url: target }, SECRET)}` });
                expect(r.statusCode, target).toBe(302);
                expect(r.headers['location']).toBe(location);
            }
        });

        it('a token over 8 KB gets the 404 of every token that does not verify', async () => {
            for (const kind of ['c', 'o']) {
                const r = await t.app.inject({ method: 'GET', url: `/t/${kind}/${'a'.repeat(9000)}.${'b'.repeat(43)}` });
                expect(r.statusCode).toBe(404);
            }
            expect((await t.app.inject({ method: 'POST', url: `/u/${'a'.repeat(9000)}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
        });
    });
});
