/**
 * Acceptance 4 of issue 5: two `followup serve` processes on one PostgreSQL, with a rule due every
 * minute of an injected clock (FOLLOWUP_CLOCK_START, running 12 times faster than real time): each
 * period's run happens once (one claim and one `runs` row per fire instant), and every due follow-up
 * reaches the SMTP server once.
 *
 * Spawns the built CLI: `npm test` builds first (`npx tsc -b` before running this file alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@followup/runtime';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { bin, repo, tempDir } from '../runtime/support.js';
import { everyMinuteOnlySource, iso, seedCart, waitFor } from './scheduler-support.js';

const source = everyMinuteOnlySource;

const CLOCK_START = '2026-11-23T10:00:00Z';
const RATE = 12; // a clock minute every 5 real seconds
const PERIODS = ['10:00', '10:01', '10:02', '10:03', '10:04'].map((t) => `2026-11-23T${t}:00.000Z`);

const temp = tempDir('scheduler-processes');
let server: PostgresServer | undefined;
let sink: SmtpSink | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sink?.close();
    await server?.stop();
    fs.rmSync(temp, { recursive: true, force: true });
});

interface ServeProcess {
    child: ChildProcess;
    logs: Record<string, unknown>[];
    exited: Promise<{ code: number | null; stderr: string }>;
}

function startServe(project: string, db: string): ServeProcess {
    const child = spawn(process.execPath, [bin, 'serve', project, '--db', db, '--port', '0'], {
        cwd: repo,
        env: {
            ...process.env, NO_COLOR: '1',
            FOLLOWUP_API_KEYS: 'scheduler-test-key-0123456789', FOLLOWUP_SECRET: 'scheduler-test-secret-0123456789',
            FOLLOWUP_CLOCK_START: CLOCK_START, FOLLOWUP_CLOCK_RATE: String(RATE),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const logs: Record<string, unknown>[] = [];
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim()) logs.push({ ...(JSON.parse(line) as Record<string, unknown>), received: Date.now() });
        }
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
    return { child, logs, exited };
}

describe('two serve processes on one PostgreSQL', () => {
    it('run each period of a rule due every minute once, and send every due follow-up once', async () => {
        server = await startPostgres();
        sink = await startSmtpSink();
        const project = path.join(temp, 'project');
        fs.mkdirSync(project, { recursive: true });
        fs.writeFileSync(path.join(project, 'shop.followup'), source);
        fs.writeFileSync(path.join(project, 'followup.config.json'), JSON.stringify({ from: 'Shop <shop@example.com>', transports: { email: sink.url } }));

        // 20 carts sent 15 s apart from 09:57:05: four come due in each of the periods 10:00 ... 10:04.
        const carts = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
        const store: Store = await openStore(server.url);
        try {
            for (const [i, id] of carts.entries()) await seedCart(store, id, new Date(Date.parse('2026-11-23T09:57:05Z') + i * 15_000));

            const processes = [startServe(project, server.url), startServe(project, server.url)];
            const finished = async () => {
                const { rows } = await store.query<{ due_at: Date }>(`SELECT due_at FROM scheduled_runs WHERE finished_at IS NOT NULL`);
                const done = new Set(rows.map((r) => iso(r.due_at)));
                return PERIODS.every((p) => done.has(p));
            };
            await waitFor(async () => (await finished()) && sink!.accepted >= carts.length, 'the periods 10:00-10:04 to run and their follow-ups to arrive', 90_000);
            for (const p of processes) p.child.kill('SIGTERM');
            const exits = await Promise.all(processes.map((p) => p.exited));
            exits.forEach((exit) => expect(exit.code, exit.stderr).toBe(0));

            // Each period: one claim, one run row with that now, whichever process ran it.
            const { rows: claims } = await store.query<{ due_at: Date; claimed_by: string; outcome: string; attempts: number }>(
                `SELECT due_at, claimed_by, outcome, attempts FROM scheduled_runs WHERE rule = 'everyMinute' ORDER BY due_at`);
            const claimed = claims.map((c) => iso(c.due_at));
            expect(claimed.slice(0, PERIODS.length)).toEqual(PERIODS);
            expect(new Set(claimed).size).toBe(claimed.length);
            const { rows: runs } = await store.query<{ now: Date; n: number; selected: number }>(
                `SELECT now, count(*)::int AS n, sum(selected)::int AS selected FROM runs WHERE rule = 'everyMinute' GROUP BY now ORDER BY now`);
            expect(runs.every((r) => r.n === 1)).toBe(true);
            expect(runs.slice(0, PERIODS.length).map((r) => [iso(r.now), r.selected])).toEqual(PERIODS.map((p) => [p, 4]));

            // Every cart decided once and its follow-up sent once: in the store and at the SMTP server.
            const { rows: decisions } = await store.query<{ outcome: string; status: string; n: number }>(
                `SELECT x.outcome, d.status, count(*)::int AS n FROM decisions x JOIN deliveries d ON d.id = x.followup_delivery_id
                 WHERE x.rule = 'everyMinute' GROUP BY 1, 2`);
            expect(decisions).toEqual([{ outcome: 'send', status: 'sent', n: carts.length }]);
            expect(await store.query(`SELECT count(*)::int AS n FROM outbox WHERE status <> 'sent'`).then((r) => r.rows[0])).toEqual({ n: 0 });
            expect(sink.attempts).toHaveLength(carts.length);
            expect(sink.messages.map((m) => m.envelope.to[0]).sort()).toEqual(carts.map((id) => `user-${id}@example.com`));
            const ids = sink.attempts.map((a) => a.messageId);
            expect(new Set(ids).size).toBe(carts.length);

            const ranBy = processes.map((p) => p.logs.filter((l) => l['msg'] === 'scheduler: rule ran').length);
            const errors = processes.flatMap((p) => p.logs.filter((l) => l['level'] === 'error'));
            expect(errors).toEqual([]);
            // How far apart the two injected clocks are, in real ms (each started when its process did).
            const origin = (p: ServeProcess) => Math.min(...p.logs.map((l) => Date.parse(l['time'] as string) / RATE - (l['received'] as number)));
            const skew = Math.round(Math.abs(origin(processes[0]!) - origin(processes[1]!)));
            console.log(`[postgres] 2 serve processes (clocks ${skew} real ms apart): ${claims.length} periods claimed (${claims.map((c) => c.claimed_by.split(':')[1]).join(', ')}); ` +
                `runs per process ${ranBy.join(' + ')}; ${sink.accepted} messages at the SMTP server`);
        } finally {
            await store.close();
        }
    }, 180_000);
});
