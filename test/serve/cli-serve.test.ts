// `followup serve` as a user runs it (the built binary: `npm test` builds first), on both engines:
// events in over HTTP, the transactional email out through SMTP with credentials from the
// environment, /metrics, SIGTERM → exit 0 after answering; and no secret in its logs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { cartData, eventually, post } from './serve-support.js';
import { exampleProjectWithSmtp, repo, runServe, startServe } from './serve-process.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-cli-serve-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const API_KEY = 'cli-serve-key-5b1e2c9d7a';
const SECRET = 'cli-serve-tracking-secret-8c2f61d0';
const SMTP_USER = 'shop-mailer';
const SMTP_PASSWORD = 'smtp-pass-3e9a7b1c55';

function project(name: string, smtpUrl: string): string {
    return exampleProjectWithSmtp(temp, name, smtpUrl);
}

describe('followup serve (usage)', () => {
    it('--help tells the usage and the endpoints', async () => {
        const r = await runServe(['--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Usage: followup serve <project> | --plans <dir> [--db <target>] [--port 8080] [--host 127.0.0.1] [--no-send] [--now <instant>]');
        expect(r.stdout).toContain('POST /v1/events/<type>');
    });

    it('without FOLLOWUP_API_KEYS it refuses to start (exit 2)', async () => {
        const r = await runServe([path.join(repo, 'examples/cart-abandonment'), '--db', path.join(temp, 'no-keys-db')]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('FOLLOWUP_API_KEYS is not set');
    });

    it('an API key shorter than 16 characters is refused at start (exit 2), without printing it', async () => {
        const r = await runServe([path.join(repo, 'examples/cart-abandonment'), '--db', path.join(temp, 'short-key-db')], { FOLLOWUP_API_KEYS: `${API_KEY},shortkey9` });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('FOLLOWUP_API_KEYS: key 2 of 2 is shorter than 16 characters');
        expect(r.stderr).not.toContain('shortkey9');
    });

    it('a bad --port is a usage error', async () => {
        const r = await runServe([path.join(repo, 'examples/cart-abandonment'), '--port', 'http'], { FOLLOWUP_API_KEYS: API_KEY });
        expect(r.code).toBe(2);
    });
});

forEachEngine('followup serve', (ctx) => {
    let sink: SmtpSink;
    beforeAll(async () => {
        sink = await startSmtpSink({ auth: { user: SMTP_USER, password: SMTP_PASSWORD } });
    });
    afterAll(() => sink?.close());

    it('--no-send queues without sending; a serve process that sends delivers it later', async () => {
        const db = await ctx.freshTarget();
        const dir = project(`q-${ctx.engine}`, sink.url);
        const env = { FOLLOWUP_API_KEYS: API_KEY, FOLLOWUP_SMTP_USER: SMTP_USER, FOLLOWUP_SMTP_PASSWORD: SMTP_PASSWORD };
        const before = sink.accepted;
        const queuer = await startServe([dir, '--db', db, '--now', '2026-11-20T10:00:00Z', '--no-send'], env);
        try {
            const r = await post(`${queuer.url}/v1/events/cartAbandonment`, { id: 'queued-1', data: cartData(7) }, { key: API_KEY });
            expect(r).toMatchObject({ status: 202, body: { deliveries: ['transactional.email:queued-1'] } });
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            expect(sink.accepted).toBe(before);
        } finally {
            expect(await queuer.stop()).toBe(0);
        }
        const sender = await startServe([dir, '--db', db, '--now', '2026-11-20T10:00:00Z'], env);
        try {
            await sink.waitForMessages(before + 1);
            expect(sink.messages.at(-1)!.envelope.to).toEqual(['user7@example.com']);
        } finally {
            expect(await sender.stop()).toBe(0);
        }
    });

    it('accepts an event (202), sends its transactional email through SMTP, counts it in /metrics, stops on SIGTERM with exit 0 — and logs no secret', async () => {
        const db = await ctx.freshTarget();
        const dir = project(`p-${ctx.engine}`, sink.url);
        const serve = await startServe([dir, '--db', db, '--now', '2026-11-20T10:00:00Z'], {
            FOLLOWUP_API_KEYS: `first-key-unused-0000,${API_KEY}`,
            FOLLOWUP_SECRET: SECRET,
            FOLLOWUP_SMTP_USER: SMTP_USER,
            FOLLOWUP_SMTP_PASSWORD: SMTP_PASSWORD,
        });
        try {
            expect(serve.stderr()).toContain(`followup serve: listening on ${serve.url}`);
            expect((await post(`${serve.url}/v1/events/cartAbandonment`, { data: cartData(1) }, { key: 'wrong' })).status).toBe(401);
            const r = await post(`${serve.url}/v1/events/cartAbandonment`, { id: 'cli-1', data: cartData(1) }, { key: API_KEY });
            expect(r.status).toBe(202);
            expect(r.body).toEqual({ event: 'cli-1', deliveries: ['transactional.email:cli-1'] });
            const bad = await post(`${serve.url}/v1/events/cartAbandonment`, { data: cartData(2, { email: 'x' }) }, { key: API_KEY });
            expect(bad.status).toBe(400);

            await sink.waitForMessages(sink.accepted + 1);
            const mail = sink.messages.at(-1)!;
            expect(mail.user).toBe(SMTP_USER);
            expect(mail.envelope.to).toEqual(['user1@example.com']);
            expect(mail.parsed!.subject).toBe('User1, you left something in your cart');

            // Counted as sent once the store says so, just after the SMTP server took it.
            let metrics = '';
            await eventually(async () => /^followup_messages_total\{channel="email",outcome="sent",rule=""\} 1$/m.test(metrics = await (await fetch(`${serve.url}/metrics`)).text()));
            expect(metrics).toMatch(/^followup_events_received_total\{type="cartAbandonment"\} 1$/m);
            expect(metrics).toMatch(/^followup_messages_total\{channel="email",outcome="queued",rule=""\} 1$/m);
            expect(metrics).toMatch(/^followup_messages_total\{channel="email",outcome="sent",rule=""\} 1$/m);
        } finally {
            expect(await serve.stop('SIGTERM')).toBe(0);
        }

        const lines = serve.stdout().trim().split('\n');
        const logs = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
        expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'shutting down', 'stopped']));
        for (const secret of [API_KEY, 'first-key-unused-0000', SECRET, SMTP_PASSWORD]) {
            expect(serve.stdout()).not.toContain(secret);
            expect(serve.stderr()).not.toContain(secret);
        }

        // What was acknowledged is in the store.
        const store = await openStore(db);
        try {
            const { rows } = await store.query<{ status: string }>(`SELECT status FROM deliveries WHERE event_id = 'cli-1'`);
            expect(rows).toEqual([{ status: 'sent' }]);
        } finally {
            await store.close();
        }
    });
});
