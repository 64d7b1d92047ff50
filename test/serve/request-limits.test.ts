// Request limits on every route (issue 11, item 1): body sizes per route; and clients that hold
// connections without finishing their requests: 300 connections
// trickling a body one byte at a time into public and authenticated routes are cut within the
// request timeout while the server keeps answering; slow headers likewise; an answer sent before the
// body (401, 404, 413) closes the connection; connections beyond the cap are refused. HTTP-level
// behaviour: one engine (PGlite) is enough.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@followup/runtime';
import { providerWebhooks, trackingRoutes } from '@followup/server';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { cartData, examplePlans, post, startTestServer, type TestServer } from './serve-support.js';

const REQUEST_TIMEOUT_MS = 3000;
/** Node checks header deadlines every second; our body timers are exact: allow for the check and a busy machine. */
const SLACK_MS = 2500;

interface SlowClient {
    /** ms from connecting to the connection's end, once it ended. */
    closedAfter: Promise<number>;
    /** What the server wrote back. */
    received(): string;
    destroy(): void;
}

/** Connects, sends `head` at once, then one byte of `drip` every `everyMs` until the server closes. */
function slowClient(port: number, head: string, everyMs: number, drip = 'a'): SlowClient {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => {});
    socket.write(head);
    const timer = setInterval(() => {
        if (!socket.destroyed) socket.write(drip);
    }, everyMs);
    const closedAfter = new Promise<number>((resolve) =>
        socket.on('close', () => {
            clearInterval(timer);
            resolve(Date.now() - started);
        }),
    );
    return { closedAfter, received: () => got, destroy: () => socket.destroy() };
}

function bodyHead(path: string, headers: Record<string, string> = {}): string {
    const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 100000'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('slow and idle clients are cut off; the server keeps serving', () => {
    let folder: string;
    let store: Store;
    let sink: SmtpSink;
    let t: TestServer;
    let port: number;

    beforeAll(async () => {
        folder = await mkdtemp(join(tmpdir(), 'followup-slow-'));
        store = await openStore(folder);
        sink = await startSmtpSink();
        t = await startTestServer(store, await examplePlans('cart-abandonment'), {
            smtpUrl: sink.url,
            connections: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS / 3, maxConnections: 400 },
            plugins: [trackingRoutes, providerWebhooks({ env: { FOLLOWUP_MAILGUN_SIGNING_KEY: 'mailgun-test-key-0123456789' } })],
        });
        port = Number(new URL(t.url).port);
    });
    afterAll(async () => {
        await t?.close();
        await sink?.close();
        await store?.close();
        await rm(folder, { recursive: true, force: true });
    });

    it('300 slow bodies (webhooks, events without a key, events with a key) are cut within the request timeout; /healthz and ingestion go on', async () => {
        const paths = [
            () => bodyHead('/v1/webhooks/mailgun'),
            () => bodyHead('/v1/events/cartAbandonment'),
            () => bodyHead('/v1/events/cartAbandonment', { Authorization: 'Bearer test-api-key-7f3a9c1e5b' }),
        ];
        const clients = Array.from({ length: 300 }, (_, i) => slowClient(port, paths[i % 3]!(), 500));
        // While they trickle, the server answers.
        await new Promise((r) => setTimeout(r, 500));
        const started = Date.now();
        const health = await fetch(`${t.url}/healthz`);
        expect(health.status).toBe(200);
        const event = await post(`${t.url}/v1/events/cartAbandonment`, { id: 'slow-test-1', data: cartData(1) });
        expect(event.status).toBe(202);
        expect(Date.now() - started).toBeLessThan(2000);

        const closed = await Promise.all(clients.map((c) => c.closedAfter));
        expect(Math.max(...closed)).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
        // The ones still waiting for their body got a 408 (those without a key had their 401 already).
        const withKey = clients.filter((_, i) => i % 3 === 2);
        expect(withKey.every((c) => c.received().startsWith('HTTP/1.1 408'))).toBe(true);
        expect(clients.filter((_, i) => i % 3 === 1).every((c) => c.received().startsWith('HTTP/1.1 401'))).toBe(true);
        expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
        // Nothing is logged as a server failure.
        expect(t.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    });

    it('an answer sent before the body is read (401, unknown route) closes the connection at once', async () => {
        const noKey = slowClient(port, bodyHead('/v1/events/cartAbandonment'), 200);
        const unknown = slowClient(port, bodyHead('/nowhere'), 200);
        expect(await noKey.closedAfter).toBeLessThan(1500);
        expect(await unknown.closedAfter).toBeLessThan(1500);
        expect(noKey.received()).toMatch(/^HTTP\/1.1 401[^]*connection: close/i);
        expect(unknown.received()).toMatch(/^HTTP\/1.1 404/);
    });

    it('headers that trickle in, and connections that send nothing, are cut within the headers timeout', async () => {
        const slowHeaders = slowClient(port, 'POST /v1/events/cartAbandonment HTTP/1.1\r\n', 200, 'X');
        const idle = slowClient(port, '', 60_000);
        for (const c of [slowHeaders, idle]) expect(await c.closedAfter).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS / 3 + SLACK_MS);
    });

    it('a GET with a body that never ends is cut too', async () => {
        const c = slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 300);
        expect(await c.closedAfter).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
    });

    it('bodies over the limit of their route are refused with 413: 1 MiB event, 10 MiB batch, 5 MiB webhook, 16 KiB unsubscribe', async () => {
        const big = (bytes: number) => JSON.stringify({ data: { firstName: 'x'.repeat(bytes) } });
        const cases: [string, number, Record<string, string>][] = [
            ['/v1/events/cartAbandonment', 1024 * 1024 + 1, { authorization: 'Bearer test-api-key-7f3a9c1e5b' }],
            ['/v1/events', 10 * 1024 * 1024 + 1, { authorization: 'Bearer test-api-key-7f3a9c1e5b' }],
            ['/v1/webhooks/mailgun', 5 * 1024 * 1024 + 1, {}],
            ['/u/some-token', 16 * 1024 + 1, {}],
        ];
        const answers: (number | string)[] = [];
        for (const [path, bytes, headers] of cases) {
            const r = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: big(bytes) }).catch((e: Error) => e);
            // The server may close the connection before the whole body is sent: that is a refusal too.
            answers.push(r instanceof Error ? 'closed' : r.status);
        }
        expect(answers.every((a) => a === 413 || a === 'closed'), String(answers)).toBe(true);
        expect(answers.filter((a) => a === 413).length, String(answers)).toBeGreaterThanOrEqual(2);
        const small = await fetch(`${t.url}/u/some-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big(100) });
        expect(small.status).toBe(404); // within the limit: the token is checked, and does not verify
    });

    it('connections beyond FOLLOWUP_MAX_CONNECTIONS are closed as they arrive; the server serves again once they go', async () => {
        const holders = Array.from({ length: 400 }, () => slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 60_000));
        await new Promise((r) => setTimeout(r, 300));
        const extra = slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 60_000);
        expect(await extra.closedAfter).toBeLessThan(1000);
        expect(extra.received()).toBe('');
        for (const h of holders) h.destroy();
        await Promise.all(holders.map((h) => h.closedAfter));
        await new Promise((r) => setTimeout(r, 100));
        expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    });
});
