// `followup serve`'s scheduler (docs/language.md §4, README.md "Running followup serve"): every rule on its schedule, each
// period once across all the processes that share the store.
//
// Each poll, for each rule, the period to run is the latest fire instant at or before the clock's
// now. After downtime that is one run at the latest missed instant, not one per missed period: the
// watermark makes that run select everything that became due since the last run (nothing is
// dropped), and `expire` then skips what is too late, which replaying each missed period at its own
// past `now` would defeat. The run's `now` is the fire instant itself, not the moment the poll noticed
// it, so a replayed clock produces the same history as real time.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RenderPlan } from '@followup/compiler';
import { refreshPlannerStatistics } from '../executor/planner-statistics.js';
import type { RuleRunReport } from '../executor/run-report.js';
import { runRule } from '../executor/run-rule.js';
import type { Logger, MetricsSink } from '../observability/observability.js';
import type { Store } from '../store/store.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { interruptibleSleep } from './interruptible-sleep.js';
import { claimScheduledRun, finishScheduledRun, heartbeat, recordRunError } from './run-claims.js';
import { fireTimes, type FireTimes } from './schedule.js';

export interface SchedulerOptions {
    store: Store;
    plans: readonly RenderPlan[];
    /** The scheduler's clock: which periods are due. Injectable, so tests step through time. */
    clock: () => Date;
    log: Logger;
    metrics: MetricsSink;
    /** How often the clock is looked at (default 1000 ms, ± 25 %). */
    pollMs?: number;
    /**
     * A claim whose heartbeat is older than this (by the database's real clock) is taken over: its
     * process died mid-run (default 60 s; heartbeats every third of it).
     */
    claimTimeoutMs?: number;
    /** Names this process in scheduled_runs.claimed_by (default host:pid:random). */
    owner?: string;
    /** After each run that committed (the dispatch workers' wake(), typically). */
    onRunFinished?(report: RuleRunReport): void;
    /** Applied to each rendered follow-up before it is recorded (tracking). */
    decorate?: ContentDecorator;
}

/** What one poll did for a rule whose period it looked at. */
export interface ScheduledRunResult {
    rule: string;
    due: Date;
    outcome: 'ran' | 'nothing_new' | 'claimed_elsewhere' | 'failed';
    report?: RuleRunReport;
}

export interface Scheduler {
    /** Finishes the run in flight (if any), starts no other, and resolves when the loop has ended. */
    stop(): Promise<void>;
    /** One poll now, after the one in progress (tests; the loop polls on its own). */
    poll(): Promise<ScheduledRunResult[]>;
}

interface ScheduledRule {
    plan: RenderPlan;
    times: FireTimes;
    /** The latest period known to be settled (run by anyone, or overtaken): skipped without a query. */
    settled: number | undefined;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
    // Fails at start, naming the rule, rather than at its first fire instant.
    const rules: ScheduledRule[] = options.plans.map((plan) => {
        try {
            return { plan, times: fireTimes(plan.schedule), settled: undefined };
        } catch (error) {
            throw new Error(`rule ${plan.rule}: ${(error as Error).message}`);
        }
    });
    const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const pollMs = options.pollMs ?? 1000;
    const claimTimeoutMs = options.claimTimeoutMs ?? 60_000;
    const sleeper = interruptibleSleep();
    let stopping = false;
    let current: Promise<unknown> = Promise.resolve();

    const pollOnce = async (): Promise<ScheduledRunResult[]> => {
        const now = options.clock().getTime();
        const results: ScheduledRunResult[] = [];
        for (const rule of rules) {
            if (stopping) break;
            const due = rule.times.atOrBefore(now);
            if (rule.settled !== undefined && rule.settled >= due) continue;
            const result = await runPeriod(rule, due);
            if (result) results.push(result);
        }
        return results;
    };

    const runPeriod = async (rule: ScheduledRule, dueMs: number): Promise<ScheduledRunResult | undefined> => {
        const { store, log, metrics } = options;
        const name = rule.plan.rule;
        const due = new Date(dueMs);
        const claim = await claimScheduledRun(store, name, due, owner, claimTimeoutMs);
        if (!claim.claimed) {
            if (claim.settled) rule.settled = dueMs;
            return { rule: name, due, outcome: 'claimed_elsewhere' };
        }
        if (claim.attempt > 1) log.warn('scheduler: took over a stale claim', { rule: name, due: due.toISOString(), attempt: claim.attempt });
        const beat = setInterval(() => {
            heartbeat(store, name, due, owner).catch((error: Error) => log.warn('scheduler: heartbeat failed', { rule: name, error: error.message }));
        }, Math.max(10, Math.floor(claimTimeoutMs / 3)));
        beat.unref();
        const started = performance.now();
        try {
            await refreshPlannerStatistics(store);
            const { report } = await runRule(store, rule.plan, { now: due, dryRun: false, ...(options.decorate ? { decorate: options.decorate } : {}) });
            const nothingNew = report.notAfterWatermark === true;
            await finishScheduledRun(store, name, due, { runId: report.runId, nothingNew });
            rule.settled = dueMs;
            const seconds = (performance.now() - started) / 1000;
            metrics.observe('followup_run_duration_seconds', seconds, { rule: name });
            metrics.increment('followup_scheduled_runs_total', { rule: name, outcome: nothingNew ? 'nothing_new' : 'ran' });
            countDecisions(metrics, rule.plan, report);
            log.info('scheduler: rule ran', {
                rule: name, due: due.toISOString(), window: { from: report.watermark.toISOString(), to: due.toISOString() },
                selected: report.selected, queued: report.queued, held: report.held, suppressed: report.suppressed, expired: report.expired,
                stopped: report.stopped, failed: report.failed, capped: report.capped, heldOut: report.heldOut, seconds: Math.round(seconds * 1000) / 1000,
                ...(nothingNew ? { nothingNew: true } : {}),
            });
            options.onRunFinished?.(report);
            return { rule: name, due, outcome: nothingNew ? 'nothing_new' : 'ran', report };
        } catch (error) {
            const message = (error as Error).message ?? String(error);
            metrics.increment('followup_scheduled_runs_total', { rule: name, outcome: 'failed' });
            log.error('scheduler: rule run failed; retried once the claim times out', { rule: name, due: due.toISOString(), error: message });
            await recordRunError(store, name, due, message).catch(() => undefined);
            return { rule: name, due, outcome: 'failed' };
        } finally {
            clearInterval(beat);
        }
    };

    /** Polls one after another: the loop's and the ones asked for through poll(). */
    const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
        const next = current.then(fn, fn);
        current = next.catch(() => undefined);
        return next;
    };

    const loop = (async () => {
        while (!stopping) {
            try {
                await serialised(pollOnce);
            } catch (error) {
                // The store was unreachable, say: log, and try again at the next poll.
                options.log.error('scheduler: poll failed', { error: (error as Error).message ?? String(error) });
            }
            // Jittered, so that processes started together do not poll in lockstep: whichever looks
            // first after a fire instant runs it, and the work spreads over the processes.
            if (!stopping) await sleeper.sleep(pollMs * (0.75 + Math.random() / 2));
        }
    })();

    return {
        poll: () => serialised(pollOnce),
        async stop() {
            stopping = true;
            sleeper.wake();
            await loop;
            await current;
        },
    };
}

/** followup_messages_total for what the run decided (dispatch counts what was then sent). */
function countDecisions(metrics: MetricsSink, plan: RenderPlan, report: RuleRunReport): void {
    // `held` is a subset of `queued`: queued follow-ups that wait for their quiet hours to end.
    const outcomes = {
        queued: report.queued, held: report.held, suppressed: report.suppressed, expired: report.expired, stopped: report.stopped,
        failed: report.failed, capped: report.capped, held_out: report.heldOut,
    };
    for (const [outcome, n] of Object.entries(outcomes)) {
        if (n > 0) metrics.increment('followup_messages_total', { rule: plan.rule, channel: plan.channel, outcome }, n);
    }
}
