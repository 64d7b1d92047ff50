// `followup run` delivering through SMTP to a real smtp-server on loopback, read back with mailparser
// (the built binary: `npm test` builds first).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { bin, copyExample, repo, seedCarts, tempDir } from './support.js';
import { withoutIndexNotes } from '../support/cli-output.js';
import { bundleChunksMatching, recordResolutions } from '../support/resolve-recording.js';

const temp = tempDir('smtp-run');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
const now = '2026-11-23T10:00:00Z';

// Async, not spawnSync: the SMTP sink runs in this process and must keep answering.
function followup(args: string[], nodeArgs: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise(resolve => {
        const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', d => (stdout += d));
        child.stderr.on('data', d => (stderr += d));
        child.on('close', code => resolve({ code, stdout, stderr }));
    });
}

describe('followup run over SMTP', () => {
    let sink: SmtpSink;
    let n = 0;
    beforeEach(async () => { sink = await startSmtpSink(); });
    afterEach(async () => { await sink.close(); });

    async function projectWith(carts: number): Promise<{ project: string; db: string }> {
        const dir = path.join(temp, `p${n++}`);
        const project = copyExample(dir);
        fs.writeFileSync(path.join(project, 'followup.config.json'), JSON.stringify({
            from: 'Shop <shop@example.com>', transports: { email: sink.url },
        }));
        const db = path.join(dir, 'db');
        const store = await openStore(db);
        try {
            await seedCarts(store, carts, new Date('2026-11-20T08:00:00Z'));
        } finally {
            await store.close();
        }
        return { project, db };
    }

    it('delivers every follow-up: subject, text, html and recipient read back; a 451 then 250 is one delivery', async () => {
        const { project, db } = await projectWith(3);
        sink.respondWith(['451']);
        const r = await followup(['run', project, '--db', db, '--now', now]);
        expect(withoutIndexNotes(r.stderr)).toBe('');
        expect(r.code).toBe(0);
        expect(sink.messages).toHaveLength(3);
        expect(sink.attempts.map(a => a.code)).toEqual([451, 250, 250, 250]);
        const byTo = new Map(sink.messages.map(m => [m.envelope.to[0], m.parsed!]));
        const mail = byTo.get('user0@example.com')!;
        expect(mail.subject).toBe('User0, your cart is waiting');
        expect(mail.from?.value[0]).toMatchObject({ name: 'Shop', address: 'shop@example.com' });
        expect(mail.text).toContain('you left 1 items');
        expect(mail.html).toContain('<h1>User0, your cart is waiting</h1>');
        expect(mail.messageId).toMatch(/^<cartAbandonment_followup_email.*cart-0@followup>$/);
        expect(mail.date?.toISOString()).toBe('2026-11-23T10:00:00.000Z'); // the run's now
        expect(r.stdout).toMatch(/3 sent, 0 suppressed, 0 expired, 0 stopped, 0 failed/);

        const again = await followup(['run', project, '--db', db, '--now', now]);
        expect(again.code).toBe(0);
        expect(sink.messages).toHaveLength(3);
    });

    it('a 550 is recorded as failed, and not retried', async () => {
        const { project, db } = await projectWith(1);
        sink.respondWith(['550']);
        const r = await followup(['run', project, '--db', db, '--now', now]);
        expect(r.stdout).toMatch(/1 failed/);
        expect(sink.attempts.map(a => a.code)).toEqual([550]);
        expect(sink.messages).toHaveLength(0);
        const store = await openStore(db);
        try {
            const { rows } = await store.query<{ status: string }>(`SELECT status FROM deliveries WHERE rule IS NOT NULL`);
            expect(rows.map(x => x.status)).toEqual(['failed']);
            const outbox = await store.query<{ status: string; last_error: string }>(`SELECT status, last_error FROM outbox`);
            expect(outbox.rows[0]!.status).toBe('failed');
            expect(outbox.rows[0]!.last_error).toMatch(/550/);
        } finally {
            await store.close();
        }
        await followup(['run', project, '--db', db, '--now', '2026-11-23T11:00:00Z']);
        expect(sink.attempts).toHaveLength(1);
    });

    it("nodemailer's SMTP client is loaded by a run that sends over SMTP, and not by one that writes to the outbox folder", async () => {
        const smtpClient = /nodemailer\/.*smtp-pool\//;
        const { project, db } = await projectWith(1);
        const overSmtp = path.join(temp, `resolved-smtp-${n}.jsonl`);
        const sent = await followup(['run', project, '--db', db, '--now', now], recordResolutions(overSmtp));
        expect(sent.stdout).toMatch(/1 sent/);
        expect(sink.messages).toHaveLength(1);
        expect(bundleChunksMatching(overSmtp, repo, smtpClient)).toHaveLength(1);

        const other = await projectWith(1);
        fs.writeFileSync(path.join(other.project, 'followup.config.json'), JSON.stringify({ from: 'Shop <shop@example.com>', transports: { email: 'outbox:out' } }));
        const toFolder = path.join(temp, `resolved-outbox-${n}.jsonl`);
        const written = await followup(['run', other.project, '--db', other.db, '--now', now], recordResolutions(toFolder));
        expect(written.stdout).toMatch(/1 sent/);
        expect(fs.readdirSync(path.join(other.project, 'out')).filter(f => f.endsWith('.eml'))).toHaveLength(1);
        expect(bundleChunksMatching(toFolder, repo, smtpClient)).toEqual([]);
    });
});
