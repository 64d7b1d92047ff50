/**
 * Helpers for the runtime tests: compile an in-memory project to render plans, run the executor and
 * the dispatcher into an outbox folder, and read the messages back from the files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import {
    applyDispatch,
    createOutboxFolderTransport,
    dispatchOutbox,
    runRules,
    type RunReport,
    type RunRulesOptions,
    type SentMessage,
    type Store,
    type StoreTx,
} from '@followup/runtime';
import { compileSources } from '../support/run-query.js';

export const repo = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(repo, 'packages/cli/bin/followup.js');

/** Compiles `sources` (path → text) to the render plans of its rules, in plan (name) order. */
export async function plansOf(sources: Record<string, string>): Promise<RenderPlan[]> {
    const { rules } = await compileSources(sources);
    return [...rules.values()].map((r) => r.plan);
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `followup-${prefix}-`));
}

/** `newOutbox()`: a fresh outbox folder path (not yet created) under a temp folder that is removed after the file's tests. */
export function outboxFolders(prefix = 'outbox'): () => string {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
    return () => {
        const dir = tempDir(prefix);
        dirs.push(dir);
        return path.join(dir, 'outbox');
    };
}

export interface RunResult {
    report: RunReport;
    sent: SentMessage[];
}

/** `followup run` in-process: decide (runRules), then dispatch into the outbox folder `outboxDir`. */
export async function runAndDispatch(
    store: Store,
    plans: readonly RenderPlan[],
    options: RunRulesOptions & { outboxDir: string; between?: () => Promise<void> },
): Promise<RunResult> {
    const { outboxDir, between, ...runOptions } = options;
    const report = await runRules(store, plans, runOptions);
    await between?.();
    const sent: SentMessage[] = [];
    if (runOptions.dryRun) return { report, sent };
    const transport = createOutboxFolderTransport(outboxDir, { from: 'Shop <shop@example.com>' });
    const dispatch = await dispatchOutbox(store, {
        transports: { email: transport, sms: transport, push: transport },
        plans,
        now: options.now,
        onSent: (m) => sent.push(m),
    });
    applyDispatch(report, dispatch);
    return { report, sent };
}

export interface MailFile {
    file: string;
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
    headers: Map<string, unknown>;
}

/** Every `.eml` of an outbox folder, parsed (sorted by file name). */
export async function readOutbox(dir: string): Promise<MailFile[]> {
    if (!fs.existsSync(dir)) return [];
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
    return Promise.all(
        files.map(async (file) => {
            const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
            const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
            return {
                file,
                to,
                subject: mail.subject ?? '',
                text: mail.text ?? '',
                html: typeof mail.html === 'string' ? mail.html : '',
                messageId: mail.messageId ?? '',
                headers: mail.headers,
            };
        }),
    );
}

/** Recipients of the `.eml` files of a folder, sorted. */
export async function recipients(dir: string): Promise<string[]> {
    return (await readOutbox(dir)).map((m) => m.to).sort();
}

/** `SELECT count(*)` of a table (or a filtered one). */
export async function count(db: StoreTx, from: string, params: unknown[] = []): Promise<number> {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`, params);
    return rows[0]!.n;
}

/** The decisions of a rule: event id → outcome. */
export async function decisionsOf(db: StoreTx, rule: string): Promise<Record<string, string>> {
    const { rows } = await db.query<{ event_id: string; outcome: string }>(
        'SELECT event_id, outcome FROM decisions WHERE rule = $1 ORDER BY event_id',
        [rule],
    );
    return Object.fromEntries(rows.map((r) => [r.event_id, r.outcome]));
}

/** A snapshot of every table's rows, to show that something changed nothing. */
export async function snapshot(db: StoreTx): Promise<Record<string, unknown[]>> {
    const tables = ['events', 'profiles', 'deliveries', 'tracking', 'suppressions', 'rule_watermarks', 'runs', 'decisions', 'outbox'];
    const out: Record<string, unknown[]> = {};
    for (const table of tables) out[table] = (await db.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
    return out;
}

/**
 * `n` abandoned carts of the cart-abandonment example (events `cart-<i>`, i from `from`, with every
 * field, their original email delivery `d-cart-<i>`), sent one second apart from `firstSentAt`. With carts sent in
 * (now - 4 days, now - 3 days] and the default lookback, each is due for the mission rule at `now`.
 */
export async function seedCarts(db: StoreTx, n: number, firstSentAt: Date, options: { from?: number } = {}): Promise<string[]> {
    const ids: string[] = [];
    const from = options.from ?? 0;
    for (let start = 0; start < n; start += 1000) {
        const chunk = Array.from({ length: Math.min(1000, n - start) }, (_, k) => from + start + k);
        const events = chunk.map((i) => {
            const sentAt = new Date(firstSentAt.getTime() + (i - from) * 1000).toISOString();
            return {
                id: `cart-${i}`,
                at: sentAt,
                payload: JSON.stringify({
                    customerId: `c${i}`, email: `user${i}@example.com`, firstName: `User${i}`, cartTotal: 20 + (i % 150),
                    currency: 'EUR', items: [{ sku: `sku-${i}`, name: 'Shoes', price: 20, quantity: 1 }],
                    cartUrl: `https://shop.example/cart/${i}`, loyaltyMember: i % 2 === 0, abandonedAt: sentAt,
                }),
            };
        });
        await db.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT id, 'cartAbandonment', at, payload::jsonb FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS r(id, at, payload)`,
            [events.map((e) => e.id), events.map((e) => e.at), events.map((e) => e.payload)],
        );
        await db.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
             SELECT 'd-' || id, id, 'transactional', 'email', 'user' || substr(id, 6) || '@example.com', at
             FROM unnest($1::text[], $2::timestamptz[]) AS r(id, at)`,
            [events.map((e) => e.id), events.map((e) => e.at)],
        );
        ids.push(...events.map((e) => e.id));
    }
    return ids;
}

/** The cart-abandonment example copied to a temp folder (its outbox lands in <copy>/.followup/outbox). */
export function copyExample(into: string): string {
    const project = path.join(into, 'project');
    const example = path.join(repo, 'examples/cart-abandonment');
    // Not the example's own store and outbox, if someone ran it in place.
    fs.cpSync(example, project, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
    return project;
}

export interface RunningCli {
    child: import('node:child_process').ChildProcess;
    startedAt: number;
    /** Parsed `--json` lines, as they arrive. */
    lines: Record<string, unknown>[];
    /** Called with each line as it arrives. */
    onLine?: (line: Record<string, unknown>) => void;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }>;
}

/** Starts `followup run <project> --db <db> --now <now> --json [...extra]` (the built binary), with `env` added. */
export async function spawnRun(
    project: string, db: string, now: string, options: { extra?: readonly string[]; env?: Record<string, string> } = {},
): Promise<RunningCli> {
    const extra = options.extra ?? [];
    const env = options.env ?? {};
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'run', project, '--db', db, '--now', now, '--json', ...extra], {
        cwd: repo,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running: RunningCli = { child, startedAt: Date.now(), lines: [], exited: undefined as never };
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const text = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (text.trim() === '') continue;
            const line = JSON.parse(text) as Record<string, unknown>;
            running.lines.push(line);
            running.onLine?.(line);
        }
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    running.exited = new Promise((resolve) => {
        child.on('close', (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - running.startedAt }));
    });
    return running;
}

/**
 * What "every due follow-up delivered exactly once" means, checked in the files and in the store:
 * one `.eml` per due event and no other; per event one 'send' decision whose delivery is 'sent'; every
 * outbox row sent; no delivery reported sent twice on stdout.
 */
export async function expectExactlyOnce(
    store: StoreTx,
    outboxDir: string,
    rule: string,
    eventIds: readonly string[],
    reported: readonly Record<string, unknown>[],
    expectFn: typeof import('vitest').expect,
): Promise<void> {
    const expected = eventIds.map((id) => `${rule}~${id}.eml`).sort();
    const files = fs.readdirSync(outboxDir).filter((f) => !f.startsWith('.')).sort();
    expectFn(files.length).toBe(expected.length);
    expectFn(files).toEqual(expected);
    const mails = await readOutbox(outboxDir);
    const user = (id: string) => `user${id.slice('cart-'.length)}@example.com`;
    for (const mail of mails) {
        const id = mail.file.slice(rule.length + 1, -'.eml'.length);
        expectFn(mail.to, mail.file).toBe(user(id));
        expectFn(mail.subject, mail.file).toBe(`User${id.slice('cart-'.length)}, your cart is waiting`);
    }

    const { rows: decisions } = await store.query<{ outcome: string; n: number }>(
        'SELECT outcome, count(*)::int AS n FROM decisions WHERE rule = $1 GROUP BY outcome', [rule]);
    expectFn(decisions).toEqual([{ outcome: 'send', n: eventIds.length }]);
    // Each 'send' decision has exactly one follow-up delivery, sent, and one outbox row, sent.
    const { rows: joined } = await store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM decisions x
         JOIN deliveries d ON d.id = x.followup_delivery_id AND d.status = 'sent' AND d.rule = x.rule AND d.event_id = x.event_id
         JOIN outbox o ON o.delivery_id = d.id AND o.status = 'sent'
         WHERE x.rule = $1`, [rule]);
    expectFn(joined[0]!.n).toBe(eventIds.length);
    expectFn(await count(store, 'deliveries WHERE rule = $1', [rule])).toBe(eventIds.length);
    expectFn(await count(store, 'outbox')).toBe(eventIds.length);
    expectFn(await count(store, `outbox WHERE status <> 'sent'`)).toBe(0);

    const sentLines = reported.filter((l) => typeof l['delivery'] === 'string').map((l) => l['delivery'] as string);
    expectFn(new Set(sentLines).size).toBe(sentLines.length);
}

/** `count` transactional emails waiting in the outbox, due at `now`: events e<i>, queued deliveries d<i>, outbox rows. */
export async function queueTransactional(store: Pick<Store, 'exec'>, count: number, now: Date): Promise<void> {
    const at = now.toISOString();
    await store.exec(`
        INSERT INTO events (id, type, occurred_at, payload) SELECT 'e' || i, 'cart', '${at}', '{}' FROM generate_series(1, ${count}) i;
        INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
            SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a@example.com', '${at}', 'queued' FROM generate_series(1, ${count}) i;
        INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
            SELECT 'd' || i, NULL, 'email', 'a@example.com', jsonb_build_object('eventId', 'e' || i, 'subject', 'Hi', 'text', 'Hello', 'headers', '{}'::jsonb), '${at}'
            FROM generate_series(1, ${count}) i`);
}
