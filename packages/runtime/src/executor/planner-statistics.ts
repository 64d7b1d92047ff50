// Keeps the planner's statistics fresh enough for the compiled queries. Without any (a table never
// analyzed — PGlite has no autovacuum, and a PostgreSQL server's arrives up to a minute after a bulk
// import), the planner guesses one row per scan and picks nested-loop anti-joins that turn a run over
// 3,000 deliveries from a fraction of a second into a quarter of a minute (measured).
import type { StoreTx } from '../store/store.js';

/** The tables the selection and recheck queries read. */
const QUERIED_TABLES = ['events', 'deliveries', 'tracking', 'suppressions', 'decisions', 'profiles'] as const;

/**
 * ANALYZEs each queried table that was never analyzed and is not empty, or that has more than doubled
 * (in pages) since it was. Based on pg_class (persisted on both engines), not on the activity
 * counters (PGlite loses those when it closes). Cheap when nothing changed: one catalog query.
 */
export async function refreshPlannerStatistics(db: StoreTx): Promise<string[]> {
    const { rows } = await db.query<{ table: string }>(
        `SELECT c.relname AS table
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY ($1::text[])
           AND pg_relation_size(c.oid) > 0
           AND (c.reltuples < 0 OR pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * c.relpages + 8)
         ORDER BY c.relname`,
        [[...QUERIED_TABLES]],
    );
    const stale = rows.map((r) => r.table);
    // Names come from the fixed list above (checked by the query), never from input.
    if (stale.length > 0) await db.exec(`ANALYZE ${stale.map((t) => `"${t}"`).join(', ')}`);
    return stale;
}
