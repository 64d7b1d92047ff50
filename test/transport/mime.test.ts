import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildEmail, envelopeOf, extraHeadersProblem, isSingleEmailAddress, messageIdFor, singleAddressOf, type EmailContent } from '../../packages/runtime/src/transport/mime.js';

describe('email helpers', () => {
    it('messageIdFor: <deliveryId@followup>, with unsafe characters escaped the same way every time', () => {
        expect(messageIdFor('01J9ZK3Q8W-abc_def')).toBe('<01J9ZK3Q8W-abc_def@followup>');
        expect(messageIdFor('d/é 1')).toBe('<d=2F=C3=A9=201@followup>');
        expect(messageIdFor('a=2F')).not.toBe(messageIdFor('a/'));
        expect(messageIdFor('x>y\r\nBcc: e')).toMatch(/^<[A-Za-z0-9_+=-]+@followup>$/);
    });

    it('extraHeadersProblem: reserved names, malformed names, line breaks', () => {
        expect(extraHeadersProblem(undefined)).toBeUndefined();
        expect(extraHeadersProblem({ 'List-Unsubscribe': '<https://x.example/u>', 'Reply-To': 'help@x.example' })).toBeUndefined();
        expect(extraHeadersProblem({ 'message-id': '<x@y>' })).toMatch(/set by the transport/);
        expect(extraHeadersProblem({ 'X Bad': 'v' })).toMatch(/not a valid header field name/);
        expect(extraHeadersProblem({ 'X-Ok': 'a\nb' })).toMatch(/line breaks/);
    });

    it('isSingleEmailAddress: one bare address, nothing else', () => {
        expect(isSingleEmailAddress('ada@example.com')).toBe(true);
        expect(isSingleEmailAddress('ada+tag@exämple.com')).toBe(true);
        for (const bad of ['', 'ada', 'ada@example.com, eve@example.com', 'Ada <ada@example.com>', 'ada@example.com\r\nBcc: eve@example.com', 'a b@example.com', 'ada@@example.com']) {
            expect(isSingleEmailAddress(bad)).toBe(false);
        }
    });
});

describe('envelopeOf', () => {
    it('bare addresses, domains in punycode, as nodemailer makes an envelope', () => {
        expect(envelopeOf('Shop <hello@shop.example>', 'ada@example.com')).toEqual({ from: 'hello@shop.example', to: ['ada@example.com'] });
        expect(envelopeOf('Shöp <hello@shöp.example>', 'ada@exämple.com')).toEqual({ from: 'hello@xn--shp-tna.example', to: ['ada@xn--exmple-cua.com'] });
    });
    it('each call its own envelope: one made earlier is not changed by the next', () => {
        const first = envelopeOf('a@x.example', 'b@y.example');
        envelopeOf('c@x.example', 'd@y.example');
        expect(first).toEqual({ from: 'a@x.example', to: ['b@y.example'] });
    });
});

describe('buildEmail', () => {
    const base: EmailContent = { from: 'Shop <hello@shop.example>', to: 'ada@example.com', subject: 'Hello', messageId: '<d-1@followup>' };
    const roundTrip = async (content: Partial<EmailContent>) => {
        const raw = buildEmail({ ...base, ...content });
        return { raw: raw.toString('utf8'), parsed: await simpleParser(raw) };
    };

    it('writes a multipart/alternative message that mailparser reads back', async () => {
        const { raw, parsed } = await roundTrip({ text: 'Hi Ada.\nBye.', html: '<p>Hi Ada.</p>', headers: { 'List-Unsubscribe': '<https://shop.example/u/ada>' }, date: new Date('2026-11-23T12:00:00Z') });
        expect(raw).toMatch(/^From: Shop <hello@shop.example>\r\nTo: ada@example.com\r\nSubject: Hello\r\nMessage-ID: <d-1@followup>\r\nDate: Mon, 23 Nov 2026 12:00:00 \+0000\r\n/);
        expect(raw).not.toMatch(/[^\r]\n/);
        expect(parsed.text).toBe('Hi Ada.\nBye.');
        expect(parsed.html).toBe('<p>Hi Ada.</p>');
        expect(parsed.messageId).toBe('<d-1@followup>');
        expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
        expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://shop.example/u/ada' } });
    });

    it('encodes what is not short-lined ASCII: names, subjects, bodies (QP for Latin, base64 for CJK), long lines', async () => {
        const long = 'word '.repeat(60).trim();
        const { raw, parsed } = await roundTrip({
            from: 'Zoë’s Shop <hello@shop.example>',
            subject: 'Ton panier t’attend — 20 % de réduction 🎁',
            text: `Bonjour Zoë,\n${long}\n.\nFin  `,
            html: '<p>你好，你的购物车还在等你。</p>',
        });
        expect(raw).toMatch(/^[\x00-\x7f]*$/);
        expect(raw).toContain('Content-Transfer-Encoding: quoted-printable');
        expect(raw).toContain('Content-Transfer-Encoding: base64');
        for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
        expect(parsed.subject).toBe('Ton panier t’attend — 20 % de réduction 🎁');
        expect(parsed.from).toMatchObject({ value: [{ name: 'Zoë’s Shop', address: 'hello@shop.example' }] });
        expect(parsed.text).toBe(`Bonjour Zoë,\n${long}\n.\nFin  `);
        expect(parsed.html).toBe('<p>你好，你的购物车还在等你。</p>');
    });

    it('one part alone is the whole body; no part is an empty text/plain', async () => {
        const htmlOnly = await roundTrip({ html: '<p>Hi</p>' });
        expect(htmlOnly.raw).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Hi<\/p>\r\n$/);
        // A single part's last line break is its own (as nodemailer writes it): only multipart eats it.
        expect(htmlOnly.parsed.html).toBe('<p>Hi</p>\n');
        const empty = await roundTrip({ subject: undefined });
        expect(empty.raw).not.toMatch(/^Subject:/m);
        expect(empty.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    });

    it('folds a long header and punycodes a recipient domain', async () => {
        const url = `<https://shop.example/unsubscribe?token=${'x'.repeat(40)}>, <mailto:unsubscribe@shop.example?subject=${'y'.repeat(30)}>`;
        const { raw, parsed } = await roundTrip({ to: 'ada@exämple.com', headers: { 'List-Unsubscribe': url } });
        expect(raw).toContain('To: ada@xn--exmple-cua.com');
        expect(raw).toMatch(/\r\nList-Unsubscribe:\r\n <https:[^\r]*>,\r\n <mailto:[^\r]*>\r\n/);
        expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: expect.stringContaining('token=xxxx') } });
    });

    it('singleAddressOf: the address of a one-address From', () => {
        expect(singleAddressOf('Shop <hello@shop.example>')).toBe('hello@shop.example');
        expect(singleAddressOf('hello@shop.example')).toBe('hello@shop.example');
        expect(singleAddressOf('a@x.example, b@x.example')).toBeUndefined();
        expect(singleAddressOf('Shop')).toBeUndefined();
        expect(singleAddressOf('Shop <hello@shop.example>\r\nBcc: e@x.example')).toBeUndefined();
    });
});
