// A settle that cannot hold the dispatcher for ever. A settle is one statement over the rows a claim
// still holds; with its triggers it normally takes milliseconds. On a new store, plans made while the
// tables were tiny once turned it into minutes (schema v18 fixed that cause), and one `serve` run of 48
// after that fix sent nothing behind two settles on CPU for tens of seconds, cause not captured
// (bench/README.md). A dispatcher that waits on such a statement sends nothing at all, so on a
// PostgreSQL server each attempt runs under a statement timeout; when it runs out, the tables the
// settle reads are analysed (new statistics also make every session plan its cached statements
// again) and the settle is tried again, with a longer bound, then with none. Settling again is
// idempotent: it writes only the rows this claim still holds. Their lease is renewed until the settle
// commits, every third of it (20 s of the default 60 s), and also as soon as an attempt is rolled
// back and again just before the next attempt: a periodic renewal waiting on an attempt's row locks
// can lose them to whoever locks them next (in a CI run of 2026-12-08 on a busy machine, the
// dispatcher's last attempt found two of its ten rows no longer its own: another dispatcher polling
// meanwhile had claimed them). So between attempts, and through each bounded attempt no longer than
// two thirds of the lease, the rows are never free for another dispatcher to claim
// (test/runtime/settle-bound.test.ts).
// The embedded store runs statements on this thread, one at a time: there is nothing to cancel there.
import type { Logger } from '../observability/observability.js';
import type { Store } from '../store/store.js';
import { settle, type RowOutcome } from './outbox-rows.js';

/** The bounds of a settle's attempts on a PostgreSQL server; the attempt after the last has none. */
export const DEFAULT_SETTLE_TIMEOUTS_MS: readonly number[] = [10_000, 30_000];

/** The tables a settle and its triggers read: outbox, deliveries (the recount of originals), events (their locks). */
const SETTLE_TABLES = ['outbox', 'deliveries', 'events'] as const;

export interface SettleBounds {
    timeoutsMs?: readonly number[];
    log?: Logger;
    /** Extends the lease of the rows being settled: called as soon as an attempt is rolled back. */
    renewLease?: () => Promise<void>;
}

/** `settle`, each attempt bounded on a PostgreSQL server (see above). Returns the outbox ids written. */
export async function settleBounded(store: Store, outcomes: readonly RowOutcome[], token: string, bounds: SettleBounds = {}): Promise<Set<number>> {
    if (store.engine !== 'postgres' || outcomes.length === 0) return settle(store, outcomes, token);
    const timeouts = bounds.timeoutsMs ?? DEFAULT_SETTLE_TIMEOUTS_MS;
    for (let attempt = 0; ; attempt++) {
        const limit = timeouts[attempt];
        if (limit === undefined) return settle(store, outcomes, token);
        try {
            return await store.transaction((tx) => settle(tx, outcomes, token), { statementTimeoutMs: limit });
        } catch (error) {
            if (!isStatementTimeout(error)) throw error;
            await renew(bounds);
            const started = performance.now();
            // SKIP_LOCKED: a table another session is analysing or indexing (CREATE INDEX CONCURRENTLY
            // at serve's start) is left to it rather than waited for.
            await store.exec(`ANALYZE (SKIP_LOCKED) ${SETTLE_TABLES.join(', ')}`);
            bounds.log?.warn('dispatch: a settle ran past its bound; tables analysed, settling again', {
                rows: outcomes.length,
                boundMs: limit,
                attempt: attempt + 1,
                analysedMs: Math.round(performance.now() - started),
                nextBoundMs: timeouts[attempt + 1] ?? null,
            });
            await renew(bounds);
        }
    }
}

/** The lease renewed now; a store that cannot be reached leaves it to the settle to say what is still held. */
async function renew(bounds: SettleBounds): Promise<void> {
    await bounds.renewLease?.().catch(() => undefined);
}

/** PostgreSQL's "canceling statement due to statement timeout" (SQLSTATE 57014, query_canceled). */
function isStatementTimeout(error: unknown): boolean {
    return (error as { code?: unknown }).code === '57014' && /statement timeout/.test((error as Error).message ?? '');
}
