// `followup serve`'s dispatch workers: drain the outbox — follow-ups queued by scheduled runs and
// transactional messages queued at ingestion — with dispatchOutbox (claims with FOR UPDATE SKIP
// LOCKED and a lease), so any number of workers in any number of processes share the rows without
// sending one twice.
import type { RenderPlan } from '@followup/compiler';
import type { ContentDecorator } from '../tracking/decorate.js';
import { dispatchOutbox, type DispatchReport, type SentMessage } from '../dispatch/dispatch-outbox.js';
import type { RetryPolicy } from '../dispatch/backoff.js';
import type { Logger, MetricsSink } from '../observability/observability.js';
import type { Store } from '../store/store.js';
import type { ChannelName, Transport } from '../transport/transport.js';
import { interruptibleSleep } from './interruptible-sleep.js';

export interface DispatchWorkersOptions {
    store: Store;
    transports: Partial<Record<ChannelName, Transport>>;
    /** The rules whose follow-ups these workers send (and recheck); transactional rows are always sent. */
    plans: readonly RenderPlan[];
    /** Rows due by the clock's now are sent; the recheck is evaluated as of it. */
    clock: () => Date;
    log: Logger;
    metrics: MetricsSink;
    /** Sends in flight at once within a worker's batch (default 8). */
    concurrency?: number;
    /** Drain loops in this process (default 1; more only help on PostgreSQL, PGlite has one connection). */
    workers?: number;
    /** Rows claimed per transaction (default 100). */
    batchSize?: number;
    /** How often the outbox is looked at when nobody calls wake() (default 1000 ms). */
    pollMs?: number;
    retry?: RetryPolicy;
    /** The lease of a claimed batch (dispatchOutbox's leaseMs; default 60 s). */
    leaseMs?: number;
    /** For each message a transport accepted, once committed. */
    onSent?(message: SentMessage): void;
    /** Tracking, for the follow-ups decided with it (as the scheduler's runs apply it). */
    decorate?: ContentDecorator;
}

export interface DispatchWorkers {
    /** Drain now (ingestion queued a transactional message, a run queued follow-ups). */
    wake(): void;
    /** Lets the batches in flight finish (sent and settled), starts no other, resolves when all loops ended. */
    stop(): Promise<void>;
}

export function startDispatchWorkers(options: DispatchWorkersOptions): DispatchWorkers {
    const { log, metrics } = options;
    const pollMs = options.pollMs ?? 1000;
    const sleepers = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => interruptibleSleep());
    let stopping = false;
    const channelOf = new Map(options.plans.map((p) => [p.rule, p.channel]));

    const { store } = options;
    const drain = async (): Promise<void> => {
        // dispatchOutbox drains until nothing is due; once stopping, it ends after the batch in hand.
        const report: DispatchReport = await dispatchOutbox(store, {
            transports: options.transports,
            plans: options.plans,
            now: options.clock(),
            transactional: true,
            shouldStop: () => stopping,
            log,
            ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
            ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
            ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
            ...(options.retry ? { retry: options.retry } : {}),
            ...(options.decorate ? { decorate: options.decorate } : {}),
            onSent: (m) => {
                metrics.increment('followup_messages_total', { rule: m.rule ?? '', channel: m.channel, outcome: 'sent' });
                options.onSent?.(m);
            },
        });
        countOutcomes(report);
        await measureDepth();
    };

    /** Outcomes other than sent (counted as they commit, in onSent), by rule; a transactional row's channel is not in the report. */
    const countOutcomes = (report: DispatchReport) => {
        for (const [rule, counts] of Object.entries(report.byRule)) {
            for (const outcome of ['failed', 'stopped', 'suppressed', 'capped', 'retrying'] as const) {
                if (counts[outcome] === 0) continue;
                const labels = { rule, channel: channelOf.get(rule) ?? 'any', outcome };
                metrics.increment('followup_messages_total', labels, counts[outcome]);
            }
            if (counts.failed > 0) log.warn('dispatch: messages failed', { rule: rule === '' ? null : rule, failed: counts.failed });
        }
    };

    const measureDepth = async () => {
        const { rows } = await options.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
        metrics.setGauge('followup_outbox_depth', rows[0]!.n);
    };

    const loops = sleepers.map(async (sleeper, worker) => {
        while (!stopping) {
            try {
                await drain();
            } catch (error) {
                log.error('dispatch: drain failed; retrying at the next poll', { worker, error: (error as Error).message ?? String(error) });
            }
            if (!stopping) await sleeper.sleep(pollMs);
        }
    });

    return {
        wake() {
            for (const sleeper of sleepers) sleeper.wake();
        },
        async stop() {
            stopping = true;
            for (const sleeper of sleepers) sleeper.wake();
            await Promise.all(loops);
        },
    };
}
