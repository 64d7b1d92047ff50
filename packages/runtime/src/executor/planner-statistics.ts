// Keeps the planner's statistics fresh enough for the compiled queries. Without any (a table never
// analyzed — PGlite has no autovacuum, and a PostgreSQL server's arrives up to a minute after a bulk
// import), the planner guesses one row per scan and picks nested-loop anti-joins that turn a run over
// 3,000 deliveries from a fraction of a second into a quarter of a minute (measured).
import type { StoreTx } from '../store/store.js';

/** When each store's statistics were last looked at (refreshPlannerStatisticsEvery). */
const lastRefresh = new WeakMap<object, number>();

/** The tables the selection and recheck queries read, and the outbox dispatch claims from. */
const QUERIED_TABLES = ['events', 'deliveries', 'tracking', 'suppressions', 'decisions', 'profiles', 'outbox'] as const;

/**
 * ANALYZEs each queried table that was never analyzed and is not empty, that has more than doubled
 * (in pages) since it was, or that was analyzed with no live row and has grown since: a first page
 * holding only rows of transactions still open gives a density of zero rows a page, and the planner
 * then takes the table for one row however large it grows (serve's stuck settles, bench/README.md,
 * 2026-12-06). Based on pg_class (persisted on both engines), not on the activity counters (PGlite
 * loses those when it closes). Cheap when nothing changed: one catalog query.
 */
export async function refreshPlannerStatistics(db: StoreTx): Promise<string[]> {
    lastRefresh.set(db, Date.now());
    const { rows } = await db.query<{ table: string }>(
        `SELECT c.relname AS table
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY ($1::text[])
           AND pg_relation_size(c.oid) > 0
           AND (c.reltuples < 0
                OR pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * c.relpages + 8
                OR (c.reltuples = 0 AND pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages))
         ORDER BY c.relname`,
        [[...QUERIED_TABLES]],
    );
    const stale = rows.map((r) => r.table);
    // Names come from the fixed list above (checked by the query), never from input.
    if (stale.length > 0) await db.exec(`ANALYZE ${stale.map((t) => `"${t}"`).join(', ')}`);
    return stale;
}

/**
 * `refreshPlannerStatistics`, unless it ran for this store less than `everyMs` ago (a run's start
 * counts): for long-lived loops (serve's dispatchers) that nothing else analyses for (PGlite never
 * autovacuums; a server's first analysis of a new table comes a minute or more after it started
 * filling).
 */
export async function refreshPlannerStatisticsEvery(store: StoreTx, everyMs: number): Promise<string[]> {
    const last = lastRefresh.get(store);
    if (last !== undefined && Date.now() - last < everyMs) return [];
    return refreshPlannerStatistics(store);
}
