// Sends transactional messages right after their ingestion commits: woken by each commit, it drains
// the outbox's transactional rows (rule NULL) with dispatchOutbox — claims with SKIP LOCKED and a
// lease, sending with no transaction open — so several `serve` processes (and the scheduler's
// dispatch workers) share them without sending any twice, and a slow SMTP server never holds the
// store. A timer also wakes it, for rows waiting on a retry. One drain at a time per process; a
// wake-up during a drain makes it go round once more.
import {
    dispatchOutbox,
    type ChannelName,
    type DispatchReport,
    type Logger,
    type MetricsSink,
    type RetryPolicy,
    type Store,
    type Transport,
} from '@followup/runtime';

export interface TransactionalDispatcherOptions {
    store: Store;
    transports: Partial<Record<ChannelName, Transport>>;
    clock: () => Date;
    log: Logger;
    metrics: MetricsSink;
    /** How often to look for rows due for a retry (default 5 s). */
    intervalMs?: number;
    /** The lease of a claimed batch (dispatchOutbox's leaseMs; default 60 s). */
    leaseMs?: number;
    /** When to try a temporary failure again (default: defaultRetryPolicy). */
    retry?: RetryPolicy;
}

export interface TransactionalDispatcher {
    /** Something was queued: drain soon. */
    wake(): void;
    /** Stops the timer and waits for the batch in progress to settle; the rest of the outbox waits for the next start (or another process). */
    stop(): Promise<void>;
}

export function startTransactionalDispatcher(options: TransactionalDispatcherOptions): TransactionalDispatcher {
    const { store, transports, clock, log, metrics } = options;
    let running: Promise<void> | undefined;
    let again = false;
    let stopped = false;

    const drain = async () => {
        do {
            again = false;
            let report: DispatchReport;
            try {
                // dispatchOutbox drains until nothing is due, which under load may be minutes of
                // backlog; on shutdown it stops after the batch in hand (sent and settled).
                report = await dispatchOutbox(store, {
                    transports,
                    plans: [],
                    now: clock(),
                    transactional: true,
                    shouldStop: () => stopped,
                    log,
                    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
                    ...(options.retry ? { retry: options.retry } : {}),
                    onSent: (m) => metrics.increment('followup_messages_total', { rule: '', channel: m.channel, outcome: 'sent' }),
                });
            } catch (error) {
                if (!stopped) log.error('transactional dispatch failed; will try again', { error: error as Error });
                return;
            }
            const { failed, retrying } = report.total;
            // Per-channel failures are in the outbox (status 'failed', last_error); the log says how many.
            if (failed + retrying > 0) log.warn('transactional messages not sent', { failed, retrying });
        } while (again && !stopped);
    };

    const wake = () => {
        if (stopped) return;
        if (running) {
            again = true;
            return;
        }
        running = drain().finally(() => {
            running = undefined;
        });
    };
    const timer = setInterval(wake, options.intervalMs ?? 5_000);
    timer.unref();
    wake(); // rows left by an earlier process

    return {
        wake,
        async stop() {
            stopped = true;
            clearInterval(timer);
            await running;
        },
    };
}
