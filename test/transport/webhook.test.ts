import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../packages/runtime/src/config/load-config.js';
import type { OutgoingMessage } from '../../packages/runtime/src/transport/transport.js';
import { createWebhookTransport, parseWebhookUrl, retryAfterFrom } from '../../packages/runtime/src/transport/webhook.js';

interface Received {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: unknown;
}

/** A local webhook receiver: records every request and answers with `reply` (200 by default). */
async function receiver(reply: (res: ServerResponse, n: number) => void = res => res.writeHead(200).end()) {
    const requests: Received[] = [];
    const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', chunk => chunks.push(chunk));
        req.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
            reply(res, requests.length);
        });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    servers.push(server);
    return { url: `http://127.0.0.1:${port}/hooks/sms`, requests };
}

const servers: Server[] = [];
afterEach(async () => {
    for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise(resolve => server.close(resolve));
    }
});

function sms(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
    return {
        deliveryId: 'del-42',
        channel: 'sms',
        to: '+15550100',
        rule: 'order-shipped',
        eventId: 'ev-7',
        text: 'Your order shipped.',
        ...overrides,
    };
}

describe('WebhookTransport', () => {
    it('POSTs the follow-up as JSON with Idempotency-Key and the Bearer token from the environment', async () => {
        const r = await receiver((res, _n) => res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"id":"msg_1"}'));
        const t = createWebhookTransport(r.url, { env: { FOLLOWUP_WEBHOOK_TOKEN: 'tok-secret' } });

        const result = await t.send(sms());

        expect(result).toEqual({ status: 'sent', providerId: 'msg_1' });
        expect(r.requests).toHaveLength(1);
        const [req] = r.requests;
        expect(req!.method).toBe('POST');
        expect(req!.url).toBe('/hooks/sms');
        expect(req!.headers['content-type']).toBe('application/json');
        expect(req!.headers.authorization).toBe('Bearer tok-secret');
        expect(req!.headers['idempotency-key']).toBe('del-42');
        expect(req!.body).toEqual({ deliveryId: 'del-42', channel: 'sms', to: '+15550100', text: 'Your order shipped.', rule: 'order-shipped', eventId: 'ev-7' });
        expect(t.description).toBe(r.url);
        expect(t.description).not.toContain('tok-secret');
    });

    it('sends the title of a push, and no Authorization without a token', async () => {
        const r = await receiver();
        const t = createWebhookTransport(r.url, { env: {} });

        const result = await t.send(sms({ channel: 'push', to: 'device-token-1', title: 'Shipped!', rule: null }));

        expect(result).toEqual({ status: 'sent' });
        expect(r.requests[0]!.headers.authorization).toBeUndefined();
        expect(r.requests[0]!.body).toEqual({ deliveryId: 'del-42', channel: 'push', to: 'device-token-1', text: 'Your order shipped.', title: 'Shipped!', rule: null, eventId: 'ev-7' });
    });

    it('429 with Retry-After → retry after that long', async () => {
        const r = await receiver(res => res.writeHead(429, { 'Retry-After': '7' }).end('slow down'));
        const t = createWebhookTransport(r.url, { env: {} });

        expect(await t.send(sms())).toEqual({ status: 'retry', retryAfterMs: 7_000, error: expect.stringMatching(/429.*slow down/) });
    });

    it('500 → retry (Retry-After as an HTTP date, else the default), 408 → retry', async () => {
        const later = new Date(Date.now() + 120_000).toUTCString();
        const r = await receiver((res, n) => (n === 1 ? res.writeHead(503, { 'Retry-After': later }).end() : n === 2 ? res.writeHead(500).end('boom') : res.writeHead(408).end()));
        const t = createWebhookTransport(r.url, { env: {}, retryAfterMs: 9_999 });

        const first = await t.send(sms());
        expect(first.status).toBe('retry');
        expect(first.status === 'retry' && first.retryAfterMs).toBeGreaterThan(100_000);
        expect(first.status === 'retry' && first.retryAfterMs).toBeLessThanOrEqual(120_000);
        expect(await t.send(sms())).toEqual({ status: 'retry', retryAfterMs: 9_999, error: expect.stringMatching(/500.*boom/) });
        expect(await t.send(sms())).toMatchObject({ status: 'retry', retryAfterMs: 9_999 });
        // Each send is one request: the retrying is the dispatcher's.
        expect(r.requests).toHaveLength(3);
    });

    it('400 → failed, never retried', async () => {
        const r = await receiver(res => res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"invalid phone number"}'));
        const t = createWebhookTransport(r.url, { env: {} });

        expect(await t.send(sms())).toEqual({ status: 'failed', error: expect.stringMatching(/400.*invalid phone number/) });
        expect(r.requests).toHaveLength(1);
    });

    it('401 → retry (the token is wrong, not the message), without the token in the error', async () => {
        const r = await receiver(res => res.writeHead(401).end('bad token tok-wrong'));
        const t = createWebhookTransport(r.url, { env: { FOLLOWUP_WEBHOOK_TOKEN: 'tok-wrong' } });

        const result = await t.send(sms());

        expect(result).toMatchObject({ status: 'retry', error: expect.stringMatching(/FOLLOWUP_WEBHOOK_TOKEN/) });
        expect(result.status === 'retry' && result.error).not.toContain('tok-wrong');
    });

    it('does not follow a redirect (the body and token would go elsewhere)', async () => {
        const target = await receiver();
        const r = await receiver(res => res.writeHead(307, { Location: target.url }).end());
        const t = createWebhookTransport(r.url, { env: { FOLLOWUP_WEBHOOK_TOKEN: 'tok' } });

        expect(await t.send(sms())).toMatchObject({ status: 'retry', error: expect.stringMatching(/307.*redirects are not followed/) });
        expect(target.requests).toHaveLength(0);
    });

    it('connection refused → retry', async () => {
        const r = await receiver();
        servers[0]!.closeAllConnections();
        await new Promise(resolve => servers.shift()!.close(resolve));
        const t = createWebhookTransport(r.url, { env: {} });

        expect(await t.send(sms())).toMatchObject({ status: 'retry', error: expect.stringMatching(/ECONNREFUSED/) });
    });

    it('no answer within the timeout → retry', async () => {
        const r = await receiver(() => {
            // never answers
        });
        const t = createWebhookTransport(r.url, { env: {}, timeoutMs: 150 });

        expect(await t.send(sms())).toMatchObject({ status: 'retry', error: expect.stringMatching(/no answer within 150 ms/) });
    });
});

describe('parseWebhookUrl and Retry-After', () => {
    it('wants https, except on this machine, and no credentials in the URL', () => {
        expect(parseWebhookUrl('https://hooks.example.com/sms?key=abc').description).toBe('https://hooks.example.com/sms');
        expect(() => parseWebhookUrl('http://hooks.example.com/sms')).toThrow(/must use https/);
        expect(parseWebhookUrl('http://localhost:8080/x').description).toBe('http://localhost:8080/x');
        expect(() => parseWebhookUrl('https://user:pw@hooks.example.com/sms')).toThrow(ConfigError);
        expect(() => parseWebhookUrl('https://user:pw@hooks.example.com/sms')).toThrow(/FOLLOWUP_WEBHOOK_TOKEN/);
        expect(() => parseWebhookUrl('ftp://hooks.example.com')).toThrow(ConfigError);
    });

    it('reads seconds and HTTP dates', () => {
        const now = Date.parse('2026-11-23T12:00:00Z');
        expect(retryAfterFrom('120', now)).toBe(120_000);
        expect(retryAfterFrom('Mon, 23 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
        expect(retryAfterFrom('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
        expect(retryAfterFrom('soon', now)).toBeUndefined();
        expect(retryAfterFrom(null, now)).toBeUndefined();
    });
});
