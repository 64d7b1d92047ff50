// `followup simulate` over the demo history (examples/cart-abandonment/history.jsonl):
// - it leaves the store as it was: every table's rows, the watermarks (and, embedded, the sequences);
// - day by day, it gives the counts `followup run` gives when run on a copy of the store at the same
//   instants: every day at 00:00 UTC (`--every "1 day"`), and for a rule on its own schedule.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlans, getDialect, lowerProject, notSentQuery, type RenderPlan } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { fireTimes, importHistory, runRules, simulate, storeTables, type SimulationReport, type Store } from '@followup/runtime';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';
import { forEachEngine, freshPostgresTarget, releaseSharedDatabases } from '../support/stores.js';
import { withClient } from '../support/postgres.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const example = path.join(repo, 'examples/cart-abandonment');
const history = path.join(example, 'history.jsonl');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-simulate-'));
const project = path.join(temp, 'project');
fs.cpSync(example, project, { recursive: true, filter: f => !f.split(path.sep).includes('.followup') });
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const from = new Date('2026-11-09T00:00:00Z');
const to = new Date('2026-11-24T00:00:00Z');

let plans: RenderPlan[];
let notSent: Parameters<typeof simulate>[2]['notSent'];
let schemas: ReturnType<typeof projectSchemas>;
beforeAll(async () => {
    const loaded = await loadProject([project]);
    plans = compilePlans(loaded);
    notSent = Object.fromEntries(lowerProject(loaded).map(ir => [ir.rule, notSentQuery(ir, getDialect('postgres'))]));
    schemas = projectSchemas(loaded);
});

async function snapshot(store: Store) {
    const counts: Record<string, number> = {};
    for (const table of storeTables) counts[table] = (await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    const watermarks = (await store.query('SELECT rule, watermark, updated_at FROM rule_watermarks ORDER BY rule')).rows;
    const decisions = (await store.query('SELECT rule, event_id, outcome FROM decisions ORDER BY rule, event_id')).rows;
    const sequences = store.engine === 'pglite'
        ? (await store.query(`SELECT sequencename, last_value::text FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`)).rows
        : [];
    return { counts, watermarks, decisions, sequences };
}

forEachEngine('simulate', (ctx) => {
    beforeAll(async () => {
        await importHistory(ctx.store, createInterface({ input: fs.createReadStream(history) }), { schemas });
    });

    it('replays every rule on its schedule and leaves the store as it was', async () => {
        // Something the rules really did, for the simulation to leave alone: one run of every rule.
        await runRules(ctx.store, plans, { now: new Date('2026-11-15T00:00:00Z') });
        const before = await snapshot(ctx.store);
        expect(before.counts['events']).toBeGreaterThan(0);
        expect(before.watermarks.length).toBe(plans.length);

        const report = await simulate(ctx.store, plans, { from, to, notSent });
        expect(await snapshot(ctx.store)).toEqual(before);

        // It simulated something, and rules that really ran were replayed as new (their own decisions ignored).
        expect(report.rules.map(r => r.rule)).toEqual(plans.map(p => p.rule).sort());
        expect(report.total.wouldSend).toBeGreaterThan(0);
        const hourly = report.rules.find(r => r.rule === 'loyalOpenedNoPurchase')!;
        expect(hourly.schedule).toBe('every 1 hour');
        expect(hourly.total.runs).toBe(15 * 24);
        expect(report.rules.find(r => r.rule === 'bigCartLastChance')!.schedule).toBe('every 1 day at 09:00 in Europe/Paris');
        expect(report.total.due).toBe(report.total.selected + report.total.since + report.total.conditions);

        // Deterministic, since nothing is left behind.
        const again = await simulate(ctx.store, plans, { from, to, notSent });
        expect({ ...again, durationMs: 0 }).toEqual({ ...report, durationMs: 0 });
    });

    it('a rule alone: the same as that rule in the full simulation when nothing else caps it', async () => {
        const mission = plans.filter(p => p.rule === 'cartAbandonment_followup_email');
        const alone = await simulate(ctx.store, mission, { from, to, notSent });
        const all = await simulate(ctx.store, plans, { from, to, notSent });
        const inAll = all.rules.find(r => r.rule === 'cartAbandonment_followup_email')!;
        expect(alone.rules[0]!.days).toEqual(inAll.days);
        expect(alone.rules[0]!.reasons).toEqual(inAll.reasons);
    });
});

// ---------------------------------------------------------------- quiet hours: released when they end

/** The example with its text-message rule deciding once a day at 20:30 UTC (21:30 in Paris: quiet hours). */
async function eveningProject(): Promise<{ plans: RenderPlan[]; lines: string[] }> {
    const dir = path.join(temp, 'evening');
    fs.cpSync(project, dir, { recursive: true });
    const rules = path.join(dir, 'rules.followup');
    fs.writeFileSync(rules, fs.readFileSync(rules, 'utf8').replace('  schedule every 1 hour\n', '  schedule every day at 20:30 in "UTC"\n'));
    const loaded = await loadProject([dir]);
    expect(loaded.errorCount).toBe(0);
    const data = { customerId: 'c3', email: 'lea@example.com', phone: '+33612345678', firstName: 'Lea', cartTotal: 44.99, currency: 'EUR',
        items: [{ sku: 'L', name: 'Lamp', price: 44.99, quantity: 1 }], cartUrl: 'https://shop.example/c3', loyaltyMember: true, abandonedAt: '2026-11-20T18:30:00Z' };
    return {
        plans: compilePlans(loaded).filter(p => p.rule === 'loyalOpenedNoPurchase'),
        lines: [
            JSON.stringify({ kind: 'event', id: 'lea', type: 'cartAbandonment', at: '2026-11-20T19:00:00Z', data }),
            JSON.stringify({ kind: 'delivery', id: 'd-lea', event: 'lea', message: 'transactional', channel: 'email', to: 'lea@example.com', at: '2026-11-20T19:05:00Z' }),
            JSON.stringify({ kind: 'open', delivery: 'd-lea', at: '2026-11-20T20:05:00Z' }),
        ],
    };
}

forEachEngine('simulate and quiet hours', (ctx) => {
    it('a follow-up held at night is sent when the quiet hours end (schedules), or at the next run (--every)', async () => {
        const { plans: evening, lines } = await eveningProject();
        await importHistory(ctx.store, (async function* () { yield* lines; })());
        const window = { from: new Date('2026-11-21T00:00:00Z'), to: new Date('2026-11-24T00:00:00Z') };
        const bySchedule = (await simulate(ctx.store, evening, window)).rules[0]!;
        expect(bySchedule.schedule).toBe('every 1 day at 20:30 in UTC');
        // Decided at 20:30 UTC on the 21st (21:30 in Paris), held until 09:00 in Paris (08:00 UTC), sent then.
        expect(bySchedule.days['2026-11-21']).toMatchObject({ runs: 1, selected: 1, held: 1, wouldSend: 0 });
        expect(bySchedule.days['2026-11-22']).toMatchObject({ runs: 1, selected: 0, wouldSend: 1 });
        expect(bySchedule.heldAtEnd).toBe(0);
        // All rules at 00:00 UTC (01:00 in Paris): held too, and sent only by the run after the hold ends.
        const daily = (await simulate(ctx.store, evening, { ...window, every: { text: '1 day', minutes: 1440 } })).rules[0]!;
        expect(daily.days['2026-11-22']).toMatchObject({ runs: 1, selected: 1, held: 1, wouldSend: 0 });
        expect(daily.days['2026-11-23']).toMatchObject({ runs: 1, wouldSend: 1 });
    });
});

// ---------------------------------------------------------------- against followup run, with the CLI

function followup(args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: temp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (result.status !== 0) throw new Error(`followup ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

async function demoDatabase(): Promise<string> {
    const target = await freshPostgresTarget();
    followup(['import', history, '--project', project, '--db', target]);
    return target;
}

type RunCounts = { rule: string; selected: number; sent: number; suppressed: number; expired: number; stopped: number; failed: number; capped: number; held: number };

function runAt(db: string, at: Date, rule?: string): RunCounts[] {
    const lines = followup(['run', project, '--db', db, '--now', at.toISOString(), '--json', ...(rule ? ['--rule', rule] : [])]).trim().split('\n');
    return (JSON.parse(lines[lines.length - 1]!) as { summary: { rules: RunCounts[] } }).summary.rules;
}

/** What `followup run` did, per rule and UTC day, in the columns simulate reports. */
function addRun(into: Map<string, Record<string, number>>, at: Date, rules: RunCounts[]) {
    for (const r of rules) {
        const key = `${r.rule} ${at.toISOString().slice(0, 10)}`;
        const c = into.get(key) ?? { selected: 0, wouldSend: 0, held: 0, suppressed: 0, expired: 0, capped: 0, stopped: 0, failed: 0 };
        c['selected']! += r.selected; c['wouldSend']! += r.sent; c['held']! += r.held; c['suppressed']! += r.suppressed;
        c['expired']! += r.expired; c['capped']! += r.capped; c['stopped']! += r.stopped; c['failed']! += r.failed;
        into.set(key, c);
    }
}

function simulated(report: SimulationReport): Map<string, Record<string, number>> {
    const out = new Map<string, Record<string, number>>();
    for (const rule of report.rules) {
        for (const [day, c] of Object.entries(rule.days)) {
            const { selected, wouldSend, held, suppressed, expired, capped, stopped, failed } = c;
            if (selected + wouldSend + held + suppressed + expired + capped + stopped + failed === 0) continue;
            out.set(`${rule.rule} ${day}`, { selected, wouldSend, held, suppressed, expired, capped, stopped, failed });
        }
    }
    return out;
}

function withoutZeros(map: Map<string, Record<string, number>>): Record<string, Record<string, number>> {
    return Object.fromEntries([...map.entries()].filter(([, c]) => Object.values(c).some(n => n > 0)).sort((a, b) => a[0].localeCompare(b[0])));
}

describe('simulate against followup run on a copy of the store (PostgreSQL 15, the CLI)', () => {
    afterAll(releaseSharedDatabases);

    it('locks nothing another process needs: recipient locks, watermarks and decisions stay free while it runs', async () => {
        const db = await demoDatabase();
        const { openStore } = await import('@followup/runtime');
        const store = await openStore(db);
        try {
            await runRules(store, plans, { now: new Date('2026-11-15T00:00:00Z') });
            let checked = 0;
            await simulate(store, plans, {
                from, to, notSent,
                // Inside the simulation's transaction, after runs that locked recipients under the project's cap:
                // another connection takes the same locks, without waiting (lock_timeout 1 s).
                onProgress: async (done) => {
                    if (done % 100 !== 0) return;
                    await withClient(db, async (client) => {
                        await client.query(`SET lock_timeout = '1s'`);
                        await client.query('BEGIN');
                        await client.query(`INSERT INTO recipient_locks (channel, address) SELECT DISTINCT channel, recipient FROM deliveries ON CONFLICT DO NOTHING`);
                        await client.query('SELECT 1 FROM recipient_locks FOR UPDATE');
                        await client.query('SELECT 1 FROM rule_watermarks FOR UPDATE');
                        await client.query(`UPDATE decisions SET detail = detail`);
                        await client.query('ROLLBACK');
                    });
                    checked++;
                },
            });
            expect(checked).toBeGreaterThan(2);
        } finally {
            await store.close();
        }
    });

    it('--every "1 day": day by day, the counts of followup run --now <each day at 00:00 UTC>', async () => {
        const db = await demoDatabase();
        const report = JSON.parse(followup(['simulate', project, '--db', db, '--from', from.toISOString(), '--to', to.toISOString(), '--every', '1 day', '--json'])) as SimulationReport;
        expect(report.mode).toBe('every');
        expect(report.days).toHaveLength(16);
        const cli = new Map<string, Record<string, number>>();
        for (let t = from.getTime() + 86_400_000; t <= to.getTime(); t += 86_400_000) addRun(cli, new Date(t), runAt(db, new Date(t)));
        const expected = withoutZeros(cli);
        expect(Object.keys(expected).length).toBeGreaterThan(5);
        expect(withoutZeros(simulated(report))).toEqual(expected);
    }, 600_000); // a CLI process a day

    it('a rule on its own schedule (every day at 09:00 in Europe/Paris): the counts of followup run --rule at each of its fire instants', async () => {
        const db = await demoDatabase();
        const rule = 'bigCartLastChance';
        const report = JSON.parse(followup(['simulate', project, '--db', db, '--from', from.toISOString(), '--to', to.toISOString(), '--rule', rule, '--json'])) as SimulationReport;
        const times = fireTimes(plans.find(p => p.rule === rule)!.schedule);
        const cli = new Map<string, Record<string, number>>();
        let runs = 0;
        for (let t = times.after(from.getTime()); t <= to.getTime(); t = times.after(t), runs++) {
            expect(new Date(t).toISOString()).toMatch(/T08:00:00\.000Z$/); // 09:00 in Paris in November
            addRun(cli, new Date(t), runAt(db, new Date(t), rule));
        }
        expect(report.rules[0]!.total.runs).toBe(runs);
        const expected = withoutZeros(cli);
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        expect(withoutZeros(simulated(report))).toEqual(expected);
    }, 600_000);
});
