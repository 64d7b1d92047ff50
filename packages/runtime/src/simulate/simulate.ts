// `followup simulate`: what the rules would have done over the stored history between two instants.
//
// Each rule is replayed at the fire instants of its schedule (scheduler/schedule.ts `fireTimes`) in
// (from, to] — or, with `every`, all of them together at the instants of that period, as `followup run`
// run from cron would — by the production code: `runRule` decides (with its watermark, window, expiry,
// caps and quiet hours) and `dispatchOutbox` delivers, into a transport that only counts. Between fire
// instants, follow-ups held by quiet hours are released when their hold ends, as `serve`'s dispatch
// workers do. The rules run under names of their own (simulated-plans.ts), as if they had never run.
//
// Nothing is kept: everything happens inside one transaction, rolled back at the end (the executor's
// own transactions run inline in it: inline-store.ts), so the store's rows and watermarks are as they were. The
// table of recipient locks is shadowed by an empty temporary one, so that a simulation locks no row a
// running `serve` needs. On the embedded store the id sequences are also put back; on a PostgreSQL
// server they are left where the rolled-back inserts took them (other processes may be using them).
import type { NotSentQuery, RenderPlan } from '@followup/compiler';
import { dispatchOutbox, type DispatchReport } from '../dispatch/dispatch-outbox.js';
import { bindParameters } from '../executor/bind-parameters.js';
import { refreshPlannerStatistics } from '../executor/planner-statistics.js';
import type { RuleRunReport } from '../executor/run-report.js';
import { DECIDING_TRANSACTION, runRule } from '../executor/run-rule.js';
import { fireTimes, type Schedule } from '../scheduler/schedule.js';
import { createMemoryTransport } from '../scenario/memory-transport.js';
import type { Store, StoreTx } from '../store/store.js';
import { binaryTextArray } from '../executor/text-array.js';
import { inlineStore } from './inline-store.js';
import { simulatedPlans, type SimulatedPlan } from './simulated-plans.js';
import { compareText } from '@followup/values';

export interface SimulateOptions {
    /** Replay the fire instants in (from, to]. */
    from: Date;
    to: Date;
    /** All rules together every period (aligned like `schedule every ...`), instead of each on its schedule. */
    every?: { text: string; minutes: number };
    /** Per rule (by its name), the query counting why due deliveries were not selected (compiler `notSentQuery`). */
    notSent?: Readonly<Record<string, NotSentQuery>>;
    /** After each fire instant, inside the simulation's transaction: how many runs are done (awaited). */
    onProgress?(done: number, total: number, at: Date): void | Promise<void>;
}

export interface SimulationCounts {
    /** Runs of the rule. */
    runs: number;
    /** Deliveries that became due: selected, or not selected because a condition failed (needs `notSent`). */
    due: number;
    selected: number;
    /** Follow-ups the transport would have been given. */
    wouldSend: number;
    /** Decided inside quiet hours and held (sent later, and counted in `wouldSend` the day they go). */
    held: number;
    suppressed: number;
    expired: number;
    capped: number;
    /** Not selected because of a `since` condition: another event of the person stopped it. */
    since: number;
    /** Not selected because another condition failed (opened, a value, ...). */
    conditions: number;
    /** Selected, then no longer qualifying when checked again before sending. */
    stopped: number;
    failed: number;
}

export interface RuleSimulation {
    rule: string;
    /** `every 1 day at 09:00 in Europe/Paris`, or the `every` of the simulation. */
    schedule: string;
    total: SimulationCounts;
    /** Per UTC day (`2026-11-20`), every day of the simulation. */
    days: Record<string, SimulationCounts>;
    /** Why due deliveries were not sent, most frequent first. */
    reasons: { reason: string; count: number }[];
    /** Still held by quiet hours at `to`. */
    heldAtEnd: number;
}

export interface SimulationReport {
    from: string;
    to: string;
    mode: 'schedules' | 'every';
    every?: string;
    days: string[];
    rules: RuleSimulation[];
    total: SimulationCounts;
    /** Fire instants replayed (rules × instants), and dispatches made. */
    instants: number;
    durationMs: number;
}

export function zeroSimulationCounts(): SimulationCounts {
    return { runs: 0, due: 0, selected: 0, wouldSend: 0, held: 0, suppressed: 0, expired: 0, capped: 0, since: 0, conditions: 0, stopped: 0, failed: 0 };
}

class Rollback extends Error {}

const MINUTE = 60_000;

export async function simulate(store: Store, plans: readonly RenderPlan[], options: SimulateOptions): Promise<SimulationReport> {
    const started = performance.now();
    const { from, to } = options;
    if (!(to.getTime() > from.getTime())) throw new RangeError('simulate: `to` must be after `from`');
    const sims = simulatedPlans([...plans].sort((a, b) => compareText(a.rule, b.rule)), options.notSent);
    const schedules = new Map(sims.map(s => [s, scheduleOf(s.plan, options.every)]));
    const groups = fireGroups(sims, schedules, from, to);
    const days = utcDays(from, to);
    const results = new Map(sims.map(s => [s, {
        rule: s.rule,
        schedule: fireTimes(schedules.get(s)!).text,
        total: zeroSimulationCounts(),
        days: Object.fromEntries(days.map(d => [d, zeroSimulationCounts()])),
        reasons: new Map<string, number>(),
        heldAtEnd: 0,
    }]));
    const bySimulatedName = new Map(sims.map(s => [s.plan.rule, s]));
    const count = (sim: SimulatedPlan, at: Date, add: Partial<SimulationCounts>) => {
        const result = results.get(sim)!;
        const day = result.days[utcDay(at)];
        for (const [key, n] of Object.entries(add) as [keyof SimulationCounts, number][]) {
            result.total[key] += n;
            if (day) day[key] += n;
        }
    };

    const sequences = store.engine === 'pglite' ? await sequenceValues(store) : undefined;
    try {
        await store.transaction(async (tx) => {
            await shadowRecipientLocks(tx);
            const sim = inlineStore(tx, store.engine);
            const transport = createMemoryTransport('simulation');
            const transports = { email: transport, sms: transport, push: transport };
            const dispatch = async (which: readonly SimulatedPlan[], at: Date) => {
                const report: DispatchReport = await dispatchOutbox(sim, { transports, plans: which.map(s => s.plan), now: at, batchSize: 500 });
                transport.take(); // counted, not kept
                for (const [rule, c] of Object.entries(report.byRule)) {
                    const s = bySimulatedName.get(rule);
                    if (s) count(s, at, { wouldSend: c.sent, stopped: c.stopped, suppressed: c.suppressed, capped: c.capped, failed: c.failed });
                }
            };
            const runOne = async (s: SimulatedPlan, at: Date) => {
                if (s.notSent) await countNotSent(tx, s, at, (add, reasons) => {
                    count(s, at, add);
                    const map = results.get(s)!.reasons;
                    for (const [reason, n] of reasons) map.set(reason, (map.get(reason) ?? 0) + n);
                });
                const { report } = await runRule(sim, s.plan, { now: at, dryRun: false });
                count(s, at, countsOf(report));
            };
            /** Held follow-ups whose hold ends in (after, before), released then (schedules: as serve's dispatch workers do). */
            const release = async (after: Date, before: Date, inclusive: boolean) => {
                for (let last = after; ;) {
                    const { rows } = await tx.query<{ at: Date | null }>(
                        `SELECT min(next_attempt_at) AS at FROM outbox
                         WHERE status = 'pending' AND rule = ANY ($1::text[]) AND next_attempt_at > $2 AND next_attempt_at ${inclusive ? '<=' : '<'} $3`,
                        [binaryTextArray(sims.map(s => s.plan.rule)), last.toISOString(), before.toISOString()],
                    );
                    const at = rows[0]?.at;
                    if (!at) return;
                    await dispatch(sims, new Date(at));
                    last = new Date(at);
                }
            };

            let previous = from;
            let done = 0;
            for (const group of groups) {
                if (!options.every) await release(previous, group.at, false);
                // As runRules does before every run: tables that doubled (here, with the simulation's own rows) are analyzed.
                await refreshPlannerStatistics(sim);
                if (options.every) {
                    for (const s of group.sims) await runOne(s, group.at);
                    await dispatch(group.sims, group.at);
                } else {
                    for (const s of group.sims) {
                        await runOne(s, group.at);
                        await dispatch([s], group.at);
                    }
                }
                previous = group.at;
                await options.onProgress?.(done += group.sims.length, groups.reduce((n, g) => n + g.sims.length, 0), group.at);
            }
            if (!options.every) await release(previous, to, true);
            const { rows } = await tx.query<{ rule: string; n: number }>(
                `SELECT rule, count(*)::int AS n FROM outbox WHERE status = 'pending' AND rule = ANY ($1::text[]) GROUP BY rule`,
                [binaryTextArray(sims.map(s => s.plan.rule))],
            );
            for (const row of rows) {
                const s = bySimulatedName.get(row.rule);
                if (s) results.get(s)!.heldAtEnd = row.n;
            }
            throw new Rollback();
        }, DECIDING_TRANSACTION); // each simulated run is a run's selection, recheck and recording
    } catch (error) {
        if (!(error instanceof Rollback)) throw error;
    } finally {
        if (sequences) await restoreSequences(store, sequences);
    }

    const rules: RuleSimulation[] = sims.map(s => {
        const r = results.get(s)!;
        return {
            rule: r.rule, schedule: r.schedule, total: r.total, days: r.days, heldAtEnd: r.heldAtEnd,
            reasons: [...r.reasons.entries()].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || compareText(a.reason, b.reason)),
        };
    });
    const total = zeroSimulationCounts();
    for (const r of rules) for (const key of Object.keys(total) as (keyof SimulationCounts)[]) total[key] += r.total[key];
    return {
        from: from.toISOString(), to: to.toISOString(),
        mode: options.every ? 'every' : 'schedules', ...(options.every ? { every: options.every.text } : {}),
        days, rules, total,
        instants: groups.reduce((n, g) => n + g.sims.length, 0),
        durationMs: performance.now() - started,
    };
}

function scheduleOf(plan: RenderPlan, every: SimulateOptions['every']): Schedule {
    return every ? { every, at: null, zone: 'UTC', weekday: null } : plan.schedule;
}

/** Fire instants in (from, to], each with the rules firing then, in name order. */
function fireGroups(sims: SimulatedPlan[], schedules: Map<SimulatedPlan, Schedule>, from: Date, to: Date): { at: Date; sims: SimulatedPlan[] }[] {
    const byInstant = new Map<number, SimulatedPlan[]>();
    for (const s of sims) {
        const times = fireTimes(schedules.get(s)!);
        for (let t = times.after(from.getTime()); t <= to.getTime(); t = times.after(t)) {
            byInstant.set(t, [...(byInstant.get(t) ?? []), s]);
        }
    }
    return [...byInstant.entries()].sort((a, b) => a[0] - b[0]).map(([t, list]) => ({ at: new Date(t), sims: list }));
}

function countsOf(report: RuleRunReport): Partial<SimulationCounts> {
    if (report.notAfterWatermark) return { runs: 1 };
    return {
        runs: 1, due: report.selected, selected: report.selected, held: report.held, suppressed: report.suppressed,
        expired: report.expired, capped: report.capped, stopped: report.stopped, failed: report.failed,
    };
}

/** Before a run: the due deliveries its selection will not return, by the first condition they fail. */
async function countNotSent(
    tx: StoreTx, s: SimulatedPlan, at: Date, add: (counts: Partial<SimulationCounts>, reasons: [string, number][]) => void,
): Promise<void> {
    const query = s.notSent!;
    const { rows: marks } = await tx.query<{ watermark: Date }>('SELECT watermark FROM rule_watermarks WHERE rule = $1', [s.plan.rule]);
    const watermark = marks[0]?.watermark ?? new Date(at.getTime() - s.plan.lookback.minutes * MINUTE);
    if (at.getTime() <= new Date(watermark).getTime()) return;
    const { rows } = await tx.query<{ first_failing: number; n: number }>(query.sql, bindParameters(query, [new Date(watermark).toISOString(), at.toISOString()]));
    let since = 0;
    let conditions = 0;
    const reasons: [string, number][] = [];
    for (const row of rows) {
        const reason = query.reasons[row.first_failing];
        if (!reason) continue;
        if (reason.since) since += row.n; else conditions += row.n;
        reasons.push([reason.reason, row.n]);
    }
    add({ due: since + conditions, since, conditions }, reasons);
}

async function shadowRecipientLocks(tx: StoreTx): Promise<void> {
    const { rows } = await tx.query<{ schema: string }>('SELECT current_schema() AS schema');
    const schema = `"${rows[0]!.schema.replace(/"/g, '""')}"`;
    await tx.exec(`CREATE TEMP TABLE recipient_locks (LIKE ${schema}.recipient_locks INCLUDING ALL) ON COMMIT DROP`);
}

async function sequenceValues(store: Store): Promise<{ name: string; last: string | null }[]> {
    const { rows } = await store.query<{ name: string; last: string | null }>(
        `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = current_schema()`);
    return rows;
}

async function restoreSequences(store: Store, sequences: { name: string; last: string | null }[]): Promise<void> {
    for (const { name, last } of sequences) {
        await store.query(last === null ? 'SELECT setval($1::regclass, 1, false)' : 'SELECT setval($1::regclass, $2::bigint, true)', last === null ? [name] : [name, last]);
    }
}

function utcDay(at: Date): string {
    return at.toISOString().slice(0, 10);
}

function utcDays(from: Date, to: Date): string[] {
    const days: string[] = [];
    for (let t = Date.parse(utcDay(from)); t <= to.getTime(); t += 24 * 60 * MINUTE) days.push(utcDay(new Date(t)));
    return days;
}
