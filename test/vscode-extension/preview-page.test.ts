// The message preview's webview page: the rendered HTML is shown but can never run code, and no
// value (subject, text, sample data, where the sample came from) can inject markup into the page.
import { describe, expect, it } from 'vitest';
import { previewContentSecurityPolicy, previewPage } from '../../vscode-extension/src/preview-page.js';

const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

function decodeAttribute(value: string): string {
    return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('previewPage', () => {
    const html = `<p style="color: red">Hi Ann &amp; co</p>${hostile}`;
    const page = previewPage(`Preview: rule ${hostile}`, {
        channel: 'email',
        subject: `Ann, ${hostile}`,
        html,
        text: `Hi Ann ${hostile}`,
        sample: { source: `examples/${hostile}/history.jsonl`, data: { firstName: hostile } },
    });

    it('allows no script anywhere: policy without script sources, sandboxed frame, no script in the page', () => {
        expect(previewContentSecurityPolicy).toContain("default-src 'none'");
        expect(previewContentSecurityPolicy).not.toMatch(/script-src|unsafe-eval/);
        expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${previewContentSecurityPolicy}">`);
        const frames = [...page.matchAll(/<iframe\b([^>]*)>/g)].map(m => m[1]!);
        expect(frames).toHaveLength(1);
        expect(frames[0]).toMatch(/\bsandbox=""/);
        const outsideFrame = page.replace(/srcdoc="[^"]*"/, 'srcdoc=""');
        expect(outsideFrame).not.toMatch(/<script|<img|<[a-z][^>]*\son\w+=/i);
    });

    it('puts the rendered HTML, unchanged, in the frame, under the same policy', () => {
        const srcdoc = /srcdoc="([^"]*)"/.exec(page)![1]!;
        expect(decodeAttribute(srcdoc)).toBe(`<meta http-equiv="Content-Security-Policy" content="${previewContentSecurityPolicy}">${html}`);
    });

    it('shows the subject, the text, the channel and the sample as escaped text', () => {
        const escaped = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';
        expect(page).toContain(`<dd>Ann, ${escaped}</dd>`);
        expect(page).toContain(`<pre>Hi Ann ${escaped}</pre>`);
        expect(page).toContain('<dd>email</dd>');
        expect(page).toContain(`<dd>examples/${escaped}/history.jsonl</dd>`);
        expect(page).toContain('&quot;firstName&quot;: &quot;\\&quot;&gt;&lt;script&gt;');
    });

    it('leaves out the parts a message does not have', () => {
        const sms = previewPage('Preview: sms', { channel: 'sms', text: 'Your cart', sample: { source: 'generated from the schema', data: {} } });
        expect(sms).not.toContain('<iframe');
        expect(sms).not.toContain('<dt>Subject</dt>');
        expect(sms).toContain('<pre>Your cart</pre>');
        expect(sms).toContain('<dd>generated from the schema</dd>');
        const push = previewPage('Preview: push', { channel: 'push', title: 'Cart <3', text: 'Back?', sample: { source: 's', data: {} } });
        expect(push).toContain('<dt>Title</dt><dd>Cart &lt;3</dd>');
    });
});

describe('previewPage with a sample that does not match the schema', () => {
    const warning = `The sample history.jsonl (event cart-001) does not match event 'cartAbandonment': missing givenName; unknown firstName. ${hostile}`;
    const page = previewPage('Preview: r', {
        channel: 'email', subject: 'Hi ', text: 'your cart of .',
        sample: { source: 'history.jsonl (event cart-001)', data: {}, warning, missing: ['givenName'], unknown: ['firstName'] },
    });

    it('says so above everything else, escaped, with links to pick another sample or edit one', () => {
        const alert = /<div class="warning" role="alert">(.*?)<\/div>/s.exec(page)?.[1] ?? '';
        expect(page.indexOf('class="warning"')).toBeLessThan(page.indexOf('<dl>'));
        expect(alert).toContain("missing givenName; unknown firstName");
        expect(alert).not.toContain('<script');
        expect([...alert.matchAll(/href="([^"]+)"/g)].map(m => m[1])).toEqual(['command:followup.pickSample', 'command:followup.editSample']);
    });

    it('has no warning when the sample matches', () => {
        expect(previewPage('Preview: r', { channel: 'sms', text: 'x', sample: { source: 's', data: {} } })).not.toContain('class="warning"');
    });
});
