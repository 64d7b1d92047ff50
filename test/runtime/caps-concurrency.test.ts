/**
 * Acceptance (docs/language.md §6, "caps hold under concurrent runs"): `followup run` processes started
 * together on one PostgreSQL store, 500 recipients with 5 due carts each, under a limit of 2 per
 * recipient per 7 days, send exactly 2 follow-ups to each recipient in total:
 *  - a rule's own limit, three processes running every rule (runs of one rule queue on its watermark);
 *  - the project policy's limit over three rules, each process running a different rule at the same
 *    time: only the recipient locks stand between them and a third follow-up.
 *
 * Spawns the built CLI: `npm test` builds first (`npm run build` before running this file alone).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openStore, type Store } from '@followup/runtime';
import { lockRecipients } from '../../packages/runtime/src/executor/policies/caps.js';
import { startPostgres, withClient, type PostgresServer } from '../support/postgres.js';
import { spawnRun, tempDir, type RunningCli } from './support.js';

const RECIPIENTS = 500;
const CARTS_EACH = 5;
const now = '2026-11-23T10:00:00Z';

const events = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart" text: "Hi {{ firstName }}" }
`;

const temp = tempDir('caps-concurrency');
let server: PostgresServer | undefined;
afterAll(async () => {
    await server?.stop();
    fs.rmSync(temp, { recursive: true, force: true });
});

function project(name: string, rules: string): string {
    const dir = path.join(temp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'shop.followup'), events + rules);
    return dir;
}

/** A new database on the shared server with RECIPIENTS × CARTS_EACH carts due for `sent 3 days ago` at `now`. */
async function seededDatabase(name: string): Promise<string> {
    server ??= await startPostgres();
    await withClient(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    const store = await openStore(url.toString());
    try {
        const ids: string[] = [];
        const emails: string[] = [];
        const sent: string[] = [];
        for (let r = 0; r < RECIPIENTS; r++) {
            for (let c = 0; c < CARTS_EACH; c++) {
                ids.push(`cart-${r}-${c}`);
                emails.push(`user${r}@example.com`);
                sent.push(new Date(Date.parse('2026-11-20T08:00:00Z') + (r * CARTS_EACH + c) * 1000).toISOString());
            }
        }
        await store.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT id, 'cartAbandonment', at, jsonb_build_object('customerId', id, 'email', email, 'firstName', 'Cus')
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS r(id, email, at)`, [ids, emails, sent]);
        await store.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
             SELECT 'd-' || id, id, 'transactional', 'email', email, at
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS r(id, email, at)`, [ids, emails, sent]);
        // Statistics now, so that no run's ANALYZE waits on the lock of holdWrites().
        await store.query('ANALYZE');
    } finally {
        await store.close();
    }
    return url.toString();
}

/**
 * Makes concurrent runs truly overlap: holds a lock on `deliveries` that lets every run select and
 * count but stops it at its first write, until `release()`. A run under a cap waits earlier, on the
 * recipient rows another run has locked; either way `blocked(n)` resolves once n backends wait.
 */
async function holdWrites(url: string): Promise<{ blocked(n: number): Promise<void>; release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE deliveries IN SHARE MODE');
    const database = new URL(url).pathname.slice(1);
    return {
        async blocked(n) {
            for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
                // Inside a transaction the activity view is a snapshot taken at first use: take a new one.
                await client.query('SELECT pg_stat_clear_snapshot()');
                const { rows } = await client.query<{ n: number }>(
                    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]);
                if (rows[0]!.n >= n) return;
            }
            const { rows } = await client.query(`SELECT pid, state, wait_event_type, wait_event, left(query, 200) AS q FROM pg_stat_activity WHERE datname = $1`, [database]);
            throw new Error(`fewer than ${n} runs reached their first write`);
        },
        async release() {
            await client.query('COMMIT');
            await client.end();
        },
    };
}

async function followupsPerRecipient(store: Store): Promise<Map<number, number>> {
    const { rows } = await store.query<{ n: number; recipients: number }>(
        `SELECT n, count(*)::int AS recipients FROM (
             SELECT recipient, count(*)::int AS n FROM deliveries WHERE rule IS NOT NULL AND status = 'sent' GROUP BY recipient) per
         GROUP BY n`);
    return new Map(rows.map((r) => [r.n, r.recipients]));
}

function emlCount(dir: string): number {
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).length : 0;
}

async function finished(runs: RunningCli[]): Promise<{ capped: number; sent: number }[]> {
    const exits = await Promise.all(runs.map((r) => r.exited));
    exits.forEach((exit) => expect(exit.code, exit.stderr).toBe(0));
    return runs.map((r) => (r.lines.at(-1) as { summary: { capped: number; sent: number } }).summary);
}

describe('caps under concurrent runs on one PostgreSQL store', () => {
    it(`a rule's limit 2 per recipient per 7 days: three processes, ${RECIPIENTS} recipients × ${CARTS_EACH} carts → 2 each`, async () => {
        const db = await seededDatabase('caps_rule');
        const dir = project('rule', `
followup reminder {
  when cartAbandonment sent 3 days ago then send followup email
  limit 2 per recipient per 7 days
}`);
        const runs = await Promise.all([0, 1, 2].map(() => spawnRun(dir, db, now)));
        const summaries = await finished(runs);
        expect(summaries.reduce((sum, s) => sum + s.sent, 0)).toBe(2 * RECIPIENTS);
        expect(summaries.reduce((sum, s) => sum + s.capped, 0)).toBe((CARTS_EACH - 2) * RECIPIENTS);

        const store = await openStore(db);
        try {
            expect(await followupsPerRecipient(store)).toEqual(new Map([[2, RECIPIENTS]]));
            // The earliest two carts of each recipient got them.
            const { rows } = await store.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM decisions WHERE outcome = 'send' AND event_id !~ '-[01]$'`);
            expect(rows[0]!.n).toBe(0);
        } finally {
            await store.close();
        }
        expect(emlCount(path.join(dir, '.followup/outbox'))).toBe(2 * RECIPIENTS);
    }, 10 * 60_000);

    it(`the policy's limit over three rules, each run by its own process at the same time → 2 each`, async () => {
        const db = await seededDatabase('caps_policy');
        const rules = ['first', 'second', 'third'];
        const dir = project('policy', `
${rules.map((r) => `followup ${r} { when cartAbandonment sent 3 days ago then send followup email }`).join('\n')}
policy { limit 2 per recipient per 7 days on email }`);
        const gate = await holdWrites(db);
        const runs = await Promise.all(rules.map((rule) => spawnRun(dir, db, now, { extra: ['--rule', rule] })));
        // All three have selected and are deciding at once before any of them may write.
        await gate.blocked(3);
        await gate.release();
        const summaries = await finished(runs);
        expect(summaries.reduce((sum, s) => sum + s.sent, 0)).toBe(2 * RECIPIENTS);
        // Each rule decides each of the 2,500 carts once: 7,500 decisions, 1,000 of them sends.
        expect(summaries.reduce((sum, s) => sum + s.capped, 0)).toBe(3 * CARTS_EACH * RECIPIENTS - 2 * RECIPIENTS);

        const store = await openStore(db);
        try {
            expect(await followupsPerRecipient(store)).toEqual(new Map([[2, RECIPIENTS]]));
            // Decided right the first time: no third follow-up was recorded and then stopped at dispatch.
            const recorded = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE rule IS NOT NULL');
            expect(recorded.rows[0]!.n).toBe(2 * RECIPIENTS);
            const { rows } = await store.query<{ outcome: string; n: number }>(
                'SELECT outcome, count(*)::int AS n FROM decisions GROUP BY outcome ORDER BY outcome');
            expect(rows).toEqual([
                { outcome: 'capped', n: 3 * CARTS_EACH * RECIPIENTS - 2 * RECIPIENTS },
                { outcome: 'send', n: 2 * RECIPIENTS },
            ]);
        } finally {
            await store.close();
        }
        expect(emlCount(path.join(dir, '.followup/outbox'))).toBe(2 * RECIPIENTS);
    }, 10 * 60_000);

    it('a run holding an address, locked before or new, makes another run for it wait until it commits', async () => {
        const db = await seededDatabase('caps_locks');
        const store = await openStore(db);
        try {
            // 'known' has had its lock row since an earlier run; 'fresh' is new to recipient_locks.
            await store.query(`INSERT INTO recipient_locks (channel, address) VALUES ('email', 'known@example.com')`);
            let release!: () => void;
            const held = new Promise<void>((resolve) => (release = resolve));
            let locked!: () => void;
            const holding = new Promise<void>((resolve) => (locked = resolve));
            const order: string[] = [];
            const first = store.transaction(async (tx) => {
                await lockRecipients(tx, 'email', ['known@example.com', 'fresh@example.com']);
                locked();
                await held;
                order.push('first commits');
            });
            await holding;
            const waiting = ['known@example.com', 'fresh@example.com'].map((address) =>
                store.transaction(async (tx) => {
                    await lockRecipients(tx, 'email', [address]);
                    order.push(`${address} locked`);
                }));
            // Both wait on a row lock (a new address on the first run's uncommitted insert).
            const database = new URL(db).pathname.slice(1);
            const waitingOnLocks = () => withClient(server!.url, async (client) => {
                const { rows } = await client.query<{ n: number }>(
                    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]);
                return rows[0]!.n;
            });
            let waiters = 0;
            for (const deadline = Date.now() + 20_000; waiters < 2 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
                waiters = await waitingOnLocks();
            }
            const orderWhileHeld = [...order];
            release();
            await Promise.all([first, ...waiting]);
            expect(waiters).toBe(2);
            expect(orderWhileHeld).toEqual([]);
            expect(order[0]).toBe('first commits');
            expect(order.slice(1).sort()).toEqual(['fresh@example.com locked', 'known@example.com locked']);
            const { rows } = await store.query<{ address: string }>(`SELECT address FROM recipient_locks ORDER BY address`);
            expect(rows.map((r) => r.address)).toEqual(['fresh@example.com', 'known@example.com']);
        } finally {
            await store.close();
        }
    }, 2 * 60_000);
});
