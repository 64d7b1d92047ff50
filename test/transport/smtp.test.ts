import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../packages/runtime/src/config/load-config.js';
import { createSmtpTransport, parseSmtpUrl, type SmtpTransport, type SmtpTransportOptions } from '../../packages/runtime/src/transport/smtp.js';
import type { OutgoingMessage } from '../../packages/runtime/src/transport/transport.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const FROM = 'Shop <hello@shop.example>';
/** Tiny waits between in-process attempts, so the retry tests take milliseconds. */
const FAST: Pick<SmtpTransportOptions, 'retryDelaysMs'> = { retryDelaysMs: [5, 5, 5] };

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
    // Transports first (they QUIT), then the sinks.
    const all = opened.splice(0).reverse();
    for (const thing of all) await thing.close();
});

async function sink(...args: Parameters<typeof startSmtpSink>): Promise<SmtpSink> {
    const s = await startSmtpSink(...args);
    opened.push(s);
    return s;
}

function transport(url: string, options: Partial<SmtpTransportOptions> = {}): SmtpTransport {
    const t = createSmtpTransport(url, { from: FROM, env: {}, ...FAST, ...options });
    opened.push(t);
    return t;
}

function email(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
    return {
        deliveryId: 'd-1',
        channel: 'email',
        to: 'ada@example.com',
        rule: 'cart-abandonment',
        eventId: 'ev-1',
        subject: 'You left something in your cart',
        text: 'Hi Ada, your cart is waiting.',
        html: '<p>Hi Ada, your cart is <b>waiting</b>.</p>',
        ...overrides,
    };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>(resolve => server.close(() => resolve()));
    return port;
}

describe('SmtpTransport against a real SMTP server on loopback', () => {
    it('delivers a follow-up: subject, text, html, recipient, From, Message-ID and extra headers read back by mailparser', async () => {
        const s = await sink();
        const t = transport(s.url);
        expect(t.description).toBe(s.url);

        const result = await t.send(
            email({ headers: { 'List-Unsubscribe': '<https://shop.example/u/ada>', 'X-Followup-Rule': 'cart-abandonment' } }),
        );

        expect(result).toEqual({ status: 'sent', providerId: expect.stringContaining('queued as sink-1') });
        expect(s.messages).toHaveLength(1);
        const [message] = s.messages;
        expect(message!.envelope).toEqual({ from: 'hello@shop.example', to: ['ada@example.com'] });
        const parsed = message!.parsed!;
        expect(parsed.subject).toBe('You left something in your cart');
        expect(parsed.text?.trim()).toBe('Hi Ada, your cart is waiting.');
        expect(parsed.html).toContain('<p>Hi Ada, your cart is <b>waiting</b>.</p>');
        expect(parsed.to).toMatchObject({ value: [{ address: 'ada@example.com' }] });
        expect(parsed.from).toMatchObject({ value: [{ address: 'hello@shop.example', name: 'Shop' }] });
        expect(parsed.messageId).toBe('<d-1@followup>');
        expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://shop.example/u/ada' } });
        expect(parsed.headers.get('x-followup-rule')).toBe('cart-abandonment');
    });

    it('internationalised domains: sent, in punycode (which smtp-server and mailparser read back as Unicode)', async () => {
        const s = await sink();
        const t = transport(s.url, { from: 'Shöp <hello@shöp.example>' });
        const result = await t.send(email({ to: 'ada@exämple.com' }));
        expect(result.status).toBe('sent');
        expect(s.messages[0]!.envelope).toEqual({ from: 'hello@shöp.example', to: ['ada@exämple.com'] });
        expect(s.messages[0]!.raw.toString('latin1')).toMatch(/^To: ada@xn--exmple-cua\.com\r$/m);
    });

    it('451 then 250: one delivery, two DATA attempts, the same Message-ID on both', async () => {
        const s = await sink();
        s.respondWith(['451', '250']);
        const t = transport(s.url);

        const result = await t.send(email({ deliveryId: 'retry-me' }));

        expect(result.status).toBe('sent');
        expect(s.attempts.map(a => a.code)).toEqual([451, 250]);
        expect(s.attempts.map(a => a.messageId)).toEqual(['<retry-me@followup>', '<retry-me@followup>']);
        expect(s.messages).toHaveLength(1);
        expect(s.messages[0]!.parsed!.messageId).toBe('<retry-me@followup>');
    });

    it('550: a recorded failure after exactly one DATA, and no retry loop', async () => {
        const s = await sink();
        s.respondWith(['550']);
        const t = transport(s.url);

        const result = await t.send(email());

        expect(result.status).toBe('failed');
        expect(result.status === 'failed' && result.error).toMatch(/550/);
        // Nothing more comes, even given time.
        await new Promise(resolve => setTimeout(resolve, 200));
        expect(s.attempts.map(a => a.code)).toEqual([550]);
        expect(s.messages).toHaveLength(0);
    });

    it('a 4xx that lasts: in-process attempts run out, then `retry` with the suggested delay', async () => {
        const s = await sink();
        s.respondWith(['451', '452', '421', '451', '451']);
        const t = transport(s.url, { retryDelaysMs: [5, 5], retryAfterMs: 12_345 });

        const result = await t.send(email());

        expect(result).toMatchObject({ status: 'retry', retryAfterMs: 12_345 });
        expect(result.status === 'retry' && result.error).toMatch(/421.*\(3 attempts\)/);
        expect(s.attempts).toHaveLength(3);
        expect(s.messages).toHaveLength(0);
    });

    it('connection refused (nothing listening) → retry, after the in-process attempts', async () => {
        const port = await closedPort();
        const t = transport(`smtp://127.0.0.1:${port}`, { connectionRetryAfterMs: 4_321 });

        const started = Date.now();
        const result = await t.send(email());

        expect(result).toMatchObject({ status: 'retry', retryAfterMs: 4_321 });
        expect(result.status === 'retry' && result.error).toMatch(/ECONNREFUSED/);
        expect(result.status === 'retry' && result.error).toMatch(/\(4 attempts\)/);
        expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a server that comes back between attempts gets the message', async () => {
        const s = await sink();
        // Three refusals of the connection itself are hard to script; three 421s (closing
        // transmission channel) end the session each time, like a restarting server.
        s.respondWith(['421', '421', '421']);
        const t = transport(s.url);

        const result = await t.send(email());

        expect(result.status).toBe('sent');
        expect(s.attempts.map(a => a.code)).toEqual([421, 421, 421, 250]);
        expect(s.messages).toHaveLength(1);
    });

    it('smtps:// speaks implicit TLS', async () => {
        const s = await sink({ secure: true });
        const t = transport(s.url, { tls: { rejectUnauthorized: false } });
        expect(t.description).toBe(s.url);

        expect((await t.send(email())).status).toBe('sent');
        expect(s.messages[0]!.parsed!.subject).toBe('You left something in your cart');
    });

    it('keeps a pool of connections open instead of one per message', async () => {
        const s = await sink();
        const t = transport(s.url, { maxConnections: 2 });

        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => t.send(email({ deliveryId: `d-${i}` }))));

        expect(results.every(r => r.status === 'sent')).toBe(true);
        expect(s.messages).toHaveLength(40);
        expect(s.connections).toBeLessThanOrEqual(2);
        expect(new Set(s.messages.map(m => m.parsed!.messageId)).size).toBe(40);
    });

    it('refuses what it must not send, without talking to the server', async () => {
        const s = await sink();
        const t = transport(s.url);

        expect(await t.send(email({ channel: 'sms', to: '+15550100' }))).toMatchObject({ status: 'failed' });
        expect(await t.send(email({ to: 'ada@example.com, eve@example.com' }))).toMatchObject({ status: 'failed', error: expect.stringMatching(/not an email address/) });
        expect(await t.send(email({ to: 'Eve <eve@example.com>' }))).toMatchObject({ status: 'failed' });
        expect(await t.send(email({ headers: { Bcc: 'eve@example.com' } }))).toMatchObject({ status: 'failed', error: expect.stringMatching(/Bcc/) });
        expect(await t.send(email({ headers: { 'X-Note': 'a\r\nBcc: eve@example.com' } }))).toMatchObject({ status: 'failed', error: expect.stringMatching(/line breaks/) });
        expect(s.attempts).toHaveLength(0);
    });

    it('close() ends a send waiting between attempts as `retry`, without waiting out the delay', async () => {
        const port = await closedPort();
        const t = createSmtpTransport(`smtp://127.0.0.1:${port}`, { from: FROM, env: {}, retryDelaysMs: [60_000] });

        const sending = t.send(email());
        await new Promise(resolve => setTimeout(resolve, 100));
        const started = Date.now();
        await t.close();

        expect(await sending).toMatchObject({ status: 'retry' });
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(await t.send(email())).toMatchObject({ status: 'retry', error: expect.stringMatching(/closed/) });
    });
});

describe('SmtpTransport credentials', () => {
    const USER = 'mailer-account';
    const PASSWORD = 's3cret-Pa55word';

    it('logs in with FOLLOWUP_SMTP_USER / FOLLOWUP_SMTP_PASSWORD from the environment', async () => {
        const s = await sink({ auth: { user: USER, password: PASSWORD } });
        const t = transport(s.url, { env: { FOLLOWUP_SMTP_USER: USER, FOLLOWUP_SMTP_PASSWORD: PASSWORD } });

        expect((await t.send(email())).status).toBe('sent');
        expect(s.auths).toEqual([{ method: expect.any(String), username: USER, password: PASSWORD, accepted: true }]);
        expect(s.messages[0]!.user).toBe(USER);
        expect(t.description).not.toContain(USER);
        expect(t.description).not.toContain(PASSWORD);
    });

    it('a refused login is `retry` (the configuration is wrong, not the message), naming the variables and not their values', async () => {
        const s = await sink({ auth: { user: 'someone-else', password: 'other' } });
        const t = transport(s.url, { env: { FOLLOWUP_SMTP_USER: USER, FOLLOWUP_SMTP_PASSWORD: PASSWORD } });

        const result = await t.send(email());

        expect(result.status).toBe('retry');
        const error = result.status === 'retry' ? result.error : '';
        expect(error).toMatch(/FOLLOWUP_SMTP_USER/);
        expect(error).toMatch(/535/);
        for (const secret of [USER, PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(USER).toString('base64')]) {
            expect(error).not.toContain(secret);
            expect(t.description).not.toContain(secret);
        }
        // Not hammered: one login, no in-process retries of a credentials problem.
        expect(s.auths).toHaveLength(1);
        expect(s.attempts).toHaveLength(0);
    });

    it('refuses a URL that carries credentials, pointing to the environment, without repeating them', () => {
        const attempt = () => createSmtpTransport(`smtp://${USER}:${PASSWORD}@mail.example.com:587`, { from: FROM, env: {} });
        expect(attempt).toThrow(ConfigError);
        expect(attempt).toThrow(/FOLLOWUP_SMTP_USER and FOLLOWUP_SMTP_PASSWORD/);
        try {
            attempt();
        } catch (error) {
            expect((error as Error).message).not.toContain(PASSWORD);
            expect((error as Error).message).not.toContain(USER);
            expect((error as Error).message).toContain('smtp://mail.example.com:587');
        }
    });

    it('wants both variables or neither', () => {
        expect(() => createSmtpTransport('smtp://mail.example.com', { from: FROM, env: { FOLLOWUP_SMTP_USER: USER } })).toThrow(/FOLLOWUP_SMTP_PASSWORD is not set/);
    });
});

describe('parseSmtpUrl', () => {
    it('reads host, port (587 / 465 by default), TLS mode and the pool size', () => {
        expect(parseSmtpUrl('smtp://mail.example.com')).toMatchObject({ secure: false, host: 'mail.example.com', port: 587, description: 'smtp://mail.example.com:587' });
        expect(parseSmtpUrl('smtps://mail.example.com')).toMatchObject({ secure: true, port: 465, description: 'smtps://mail.example.com:465' });
        expect(parseSmtpUrl('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525, description: 'smtp://[::1]:2525' });
        expect(parseSmtpUrl('smtp://mail.example.com:25?maxConnections=8')).toMatchObject({ port: 25, maxConnections: 8 });
    });

    it('rejects what it does not understand', () => {
        expect(() => parseSmtpUrl('http://mail.example.com')).toThrow(ConfigError);
        expect(() => parseSmtpUrl('smtp://mail.example.com/path')).toThrow(/no path/);
        expect(() => parseSmtpUrl('smtp://mail.example.com?pool=yes')).toThrow(/unknown URL parameter/);
        expect(() => parseSmtpUrl('smtp://mail.example.com?maxConnections=0')).toThrow(/maxConnections/);
    });
});
