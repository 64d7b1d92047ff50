// Acceptance 1 of `followup serve`, end to end with the built binary, on PGlite and PostgreSQL 15:
// serve takes cart events over HTTP and sends each transactional email through a real SMTP server;
// the test reads the emails as a mail client would, loads the open pixel of one, follows a click link
// in another (302 to the shop), unsubscribes from a third with the one-click List-Unsubscribe POST;
// then `followup run --now <3 days and an hour later>` sends the "not opened" follow-up to exactly
// those who neither opened nor clicked (and not to the one who unsubscribed). The binary must be
// built first (`npx tsc -b`; `npm test` does it).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { messageIdFor } from '../../packages/runtime/src/transport/mime.js';
import { forEachEngine } from '../support/stores.js';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.js';
import { cartData, eventually, post } from './serve-support.js';
import { exampleProjectWithSmtp, bin, repo, startServe } from './serve-process.js';
import { withoutIndexNotes } from '../support/cli-output.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-e2e-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const API_KEY = 'e2e-api-key-4c7b19e2d0';
const SECRET = 'e2e-tracking-secret-0d9e8f7a6b5c';
// Where the emails' links point: a reverse proxy's address in production. The test plays the proxy,
// sending each request to where serve listens.
const PUBLIC_URL = 'https://t.shop.example';
const T0 = '2026-11-20T10:00:00Z';
const LATER = '2026-11-23T11:00:00Z'; // 3 days and 1 hour after the carts

function project(name: string, smtpUrl: string): string {
    return exampleProjectWithSmtp(temp, name, smtpUrl);
}

function followup(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1', ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

function mailTo(messages: readonly SinkMessage[], to: string): ParsedMail {
    const found = messages.filter((m) => m.envelope.to.includes(to));
    expect(found, `one email to ${to} among ${JSON.stringify(messages.map((m) => [m.envelope.to, m.parsed?.subject]))}`).toHaveLength(1);
    return found[0]!.parsed!;
}

/** The URLs of an email's HTML attributes (`href` or `src`) that point at the public URL's `prefix`. */
function trackedUrls(mail: ParsedMail, attribute: 'href' | 'src', prefix: string): string[] {
    const html = typeof mail.html === 'string' ? mail.html : '';
    return [...html.matchAll(new RegExp(`\\s${attribute}="([^"]*)"`, 'g'))]
        .map((m) => m[1]!.replace(/&amp;/g, '&'))
        .filter((url) => url.startsWith(`${PUBLIC_URL}${prefix}`));
}

function header(mail: ParsedMail, name: string): string | undefined {
    const line = mail.headerLines.find((h) => h.key === name.toLowerCase());
    return line?.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

forEachEngine('end to end: serve, tracking, then the follow-up rule', (ctx) => {
    let sink: SmtpSink;
    beforeAll(async () => {
        sink = await startSmtpSink();
    });
    afterAll(() => sink?.close());
    // The sink counts a message as accepted before it has parsed it: wait for the parsed ones.
    const received = async (count: number) => {
        await sink.waitForMessages(count, 30_000);
        await eventually(() => sink.messages.length >= count);
    };

    it('follow-ups go to exactly those who did not open: not the opener, not the clicker, not the unsubscriber', async () => {
        const db = await ctx.freshTarget();
        const dir = project(`p-${ctx.engine}`, sink.url);
        const env = { FOLLOWUP_API_KEYS: API_KEY, FOLLOWUP_SECRET: SECRET, FOLLOWUP_PUBLIC_URL: PUBLIC_URL };
        const serve = await startServe([dir, '--db', db, '--now', T0], env);
        const viaProxy = (url: string) => `${serve.url}${url.slice(PUBLIC_URL.length)}`;
        const customers = [1, 2, 3, 4, 5];
        const email = (n: number) => `user${n}@example.com`;
        try {
            // The shop posts five abandoned carts; each gets its transactional email at once.
            for (const n of customers) {
                const r = await post(`${serve.url}/v1/events/cartAbandonment`, { id: `cart-${n}`, at: T0, data: cartData(n) }, { key: API_KEY });
                expect(r.status).toBe(202);
                expect(r.body).toEqual({ event: `cart-${n}`, deliveries: [`transactional.email:cart-${n}`] });
            }
            await received(customers.length);
            for (const n of customers) {
                const mail = mailTo(sink.messages, email(n));
                expect(mail.subject).toBe(`User${n}, you left something in your cart`);
                expect(trackedUrls(mail, 'src', '/t/o/')).toHaveLength(1);
                expect(trackedUrls(mail, 'href', '/t/c/')).toHaveLength(1);
                // The plain-text part keeps the shop's own link.
                expect(mail.text).toContain(`https://shop.example/cart/${n}`);
                expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
                expect(header(mail, 'List-Unsubscribe')).toMatch(new RegExp(`^<${PUBLIC_URL.replace(/\./g, '\\.')}/u/[A-Za-z0-9_.-]+>$`));
                expect(mail.messageId).toBe(messageIdFor(`transactional.email:cart-${n}`));
            }

            // user1 opens their email with images on: the client loads the pixel.
            const [pixel] = trackedUrls(mailTo(sink.messages, email(1)), 'src', '/t/o/');
            const opened = await fetch(viaProxy(pixel!), { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)' } });
            expect(opened.status).toBe(200);
            expect(opened.headers.get('content-type')).toBe('image/gif');
            expect(Buffer.from(await opened.arrayBuffer()).subarray(0, 10)).toEqual(Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])); // GIF89a, 1×1

            // user2 has images blocked but clicks "Finish my order": a 302 to the shop's cart.
            const [link] = trackedUrls(mailTo(sink.messages, email(2)), 'href', '/t/c/');
            const clicked = await fetch(viaProxy(link!), { redirect: 'manual' });
            expect(clicked.status).toBe(302);
            expect(clicked.headers.get('location')).toBe('https://shop.example/cart/2');

            // A link altered on the way never redirects.
            const tampered = await fetch(viaProxy(link!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), { redirect: 'manual' });
            expect(tampered.status).toBe(404);
            expect(tampered.headers.get('location')).toBeNull();

            // user5's mail client unsubscribes with one click (RFC 8058).
            const unsubscribe = /^<([^>]+)>$/.exec(header(mailTo(sink.messages, email(5)), 'List-Unsubscribe')!)![1]!;
            const unsubscribed = await fetch(viaProxy(unsubscribe), {
                method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
            });
            expect(unsubscribed.status).toBe(200);

            const metrics = await (await fetch(`${serve.url}/metrics`)).text();
            expect(metrics).toMatch(/^followup_tracking_total\{[^}]*kind="open"[^}]*\} 1$/m);
            expect(metrics).toMatch(/^followup_tracking_total\{[^}]*kind="click"[^}]*\} 1$/m);
        } finally {
            // The embedded store is one process's at a time: serve lets go of it before `run`.
            expect(await serve.stop('SIGTERM')).toBe(0);
        }
        expect(serve.stdout()).not.toContain(SECRET);

        const store = await openStore(db);
        try {
            const { rows } = await store.query<{ delivery_id: string; kind: string; url: string | null; machine: boolean }>(
                'SELECT delivery_id, kind, url, machine FROM tracking ORDER BY id',
            );
            expect(rows).toEqual([
                { delivery_id: 'transactional.email:cart-1', kind: 'open', url: null, machine: false },
                { delivery_id: 'transactional.email:cart-2', kind: 'click', url: 'https://shop.example/cart/2', machine: false },
            ]);
            const { rows: suppressed } = await store.query('SELECT channel, address, reason FROM suppressions');
            expect(suppressed).toEqual([{ channel: 'email', address: email(5), reason: 'unsubscribe' }]);
        } finally {
            await store.close();
        }

        // Three days and an hour later, the rules run: "when cartAbandonment sent 3 days ago and not opened".
        const before = sink.messages.length;
        const run = await followup(['run', dir, '--db', db, '--now', LATER, '--json'], env);
        expect(withoutIndexNotes(run.stderr)).toBe('');
        expect(run.code).toBe(0);
        const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const sent = lines.filter((l) => !('summary' in l));
        expect(sent.map((l) => [l['rule'], l['to']]).sort()).toEqual([
            ['cartAbandonment_followup_email', email(3)],
            ['cartAbandonment_followup_email', email(4)],
        ]);
        const summary = (lines.at(-1) as { summary: { sent: number; suppressed: number } }).summary;
        expect(summary).toMatchObject({ sent: 2, suppressed: 1 });

        await received(before + 2);
        const followups = sink.messages.slice(before);
        expect(followups.map((m) => m.envelope.to[0]).sort()).toEqual([email(3), email(4)]);
        for (const m of followups) {
            // The follow-ups are tracked too (run has FOLLOWUP_SECRET and FOLLOWUP_PUBLIC_URL).
            expect(m.parsed!.subject).toMatch(/, your cart is waiting$/);
            expect(trackedUrls(m.parsed!, 'src', '/t/o/')).toHaveLength(1);
            expect(trackedUrls(m.parsed!, 'href', '/t/c/')).toHaveLength(1);
            expect(header(m.parsed!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
        }
    });
});
