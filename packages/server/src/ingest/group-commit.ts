// Group commit: requests arriving while earlier ones are being written wait in a queue, and the next
// write takes all of them in one statement. Under load that turns hundreds of one-event statements
// into a few large ones; when idle, a request is written at once, alone. A write of several requests
// that fails is retried one request at a time, so one request's bad data never fails another.
import type { Store } from '@followup/runtime';
import { WRITE_CHUNK_EVENTS, yieldToEventLoop } from './chunks.js';
import type { PreparedEvent } from './prepare-events.js';
import { recordEvents, type RecordResult } from './record-events.js';

interface Job {
    events: PreparedEvent[];
    resolve(result: RecordResult): void;
    reject(error: unknown): void;
}

export interface GroupCommitOptions {
    /**
     * Writes in flight at once (default 2 on PostgreSQL, 1 on the embedded store, which has one
     * connection). Under load each commit waits for its WAL flush; fewer, larger statements flush
     * less often (measured in bench/README.md: 4 and 8 in flight did no better, often worse).
     */
    maxInFlight?: number;
    /** Events per statement at most (default 1000; 100 on the embedded store, whose statements hold the event loop). */
    maxEvents?: number;
}

export class GroupCommitWriter {
    private readonly queue: Job[] = [];
    private inFlight = 0;
    private readonly maxInFlight: number;
    private readonly maxEvents: number;
    private idleWaiters: (() => void)[] = [];

    constructor(
        private readonly store: Store,
        private readonly clock: () => Date,
        options: GroupCommitOptions = {},
    ) {
        this.maxInFlight = options.maxInFlight ?? (store.engine === 'pglite' ? 1 : 2);
        this.maxEvents = options.maxEvents ?? (store.engine === 'pglite' ? WRITE_CHUNK_EVENTS : 1000);
    }

    /** Resolves once `events` are committed (with what was inserted), or rejects with the write's error. */
    write(events: PreparedEvent[]): Promise<RecordResult> {
        return new Promise((resolve, reject) => {
            this.queue.push({ events, resolve, reject });
            this.pump();
        });
    }

    /** Resolves when nothing is queued or being written (for shutdown). */
    idle(): Promise<void> {
        if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
        return new Promise((resolve) => this.idleWaiters.push(resolve));
    }

    private pump(): void {
        while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
            const jobs: Job[] = [this.queue.shift()!];
            let count = jobs[0]!.events.length;
            while (this.queue.length > 0 && count + this.queue[0]!.events.length <= this.maxEvents) {
                const job = this.queue.shift()!;
                count += job.events.length;
                jobs.push(job);
            }
            this.inFlight++;
            void this.run(jobs).finally(() => {
                this.inFlight--;
                this.pump();
                if (this.inFlight === 0 && this.queue.length === 0) {
                    const waiters = this.idleWaiters;
                    this.idleWaiters = [];
                    for (const wake of waiters) wake();
                }
            });
        }
    }

    private async run(jobs: Job[]): Promise<void> {
        // The embedded store's statements run on this thread and resolve in microtasks: one group after
        // another would never let the event loop (sockets, timers) run.
        if (this.store.engine === 'pglite') await yieldToEventLoop();
        try {
            const result = await recordEvents(this.store, jobs.flatMap((j) => j.events), this.clock());
            for (const job of jobs) job.resolve(result);
        } catch (error) {
            if (jobs.length === 1) {
                jobs[0]!.reject(error);
                return;
            }
            for (const job of jobs) {
                try {
                    job.resolve(await recordEvents(this.store, job.events, this.clock()));
                } catch (own) {
                    job.reject(own);
                }
            }
        }
    }
}
