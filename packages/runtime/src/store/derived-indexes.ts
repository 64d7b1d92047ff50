// Creates the indexes the rules' queries need beyond the store's own (the compiler derives them:
// packages/compiler/src/sql/derived-indexes.ts; each plan carries its own in `queries.indexes`).
// `followup run` and `followup serve` call it before the first rule runs. On PostgreSQL an index is
// built with CREATE INDEX CONCURRENTLY (writes to the table go on meanwhile; outside any transaction);
// an index left invalid by an interrupted build is dropped and built again, unless another process is
// building it right now. On the embedded store, a plain CREATE INDEX (one process at a time anyway).
import type { DerivedIndex, RenderPlan } from '@followup/compiler';
import { postgresCreateIndex } from '@followup/values';
import type { Store } from './store.js';

export interface CreatedIndex {
    name: string;
    table: string;
    reason: string;
    /** `created`: it was missing; `rebuilt`: an interrupted build had left it invalid. */
    action: 'created' | 'rebuilt';
    ms: number;
}

export interface EnsureIndexesResult {
    created: CreatedIndex[];
    /** Needed and already there (valid). */
    present: string[];
    /** Needed, but being built by another process at this moment. */
    building: string[];
}

/** The distinct indexes the plans need (by name). */
export function neededIndexes(plans: readonly RenderPlan[]): DerivedIndex[] {
    const all = new Map<string, DerivedIndex>();
    // A plan written by an older compiler has no `indexes`.
    for (const plan of plans) for (const index of plan.queries.indexes ?? []) if (!all.has(index.name)) all.set(index.name, index);
    return [...all.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates every index the plans need that the store lacks; says what it did. */
export async function ensureIndexes(store: Store, plans: readonly RenderPlan[]): Promise<EnsureIndexesResult> {
    const result: EnsureIndexesResult = { created: [], present: [], building: [] };
    const needed = neededIndexes(plans);
    if (needed.length === 0) return result;
    const { rows } = await store.query<{ name: string; valid: boolean; building: boolean }>(
        `SELECT c.relname AS name, i.indisvalid AS valid,
                ${store.engine === 'postgres' ? 'EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid)' : 'false'} AS building
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname = ANY ($1::text[])`,
        [needed.map((i) => i.name)],
    );
    const existing = new Map(rows.map((r) => [r.name, r]));
    const concurrently = store.engine === 'postgres';
    const tables = new Set<string>();
    for (const index of needed) {
        const found = existing.get(index.name);
        if (found?.valid) {
            result.present.push(index.name);
            continue;
        }
        if (found?.building) {
            result.building.push(index.name);
            continue;
        }
        const started = performance.now();
        // Names are the compiler's (letters, digits, underscores), never input.
        if (found) await store.exec(`DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${index.name}`);
        await store.exec(postgresCreateIndex(index, { concurrently }));
        tables.add(index.table);
        result.created.push({ name: index.name, table: index.table, reason: index.reason, action: found ? 'rebuilt' : 'created', ms: performance.now() - started });
    }
    // An expression index's statistics come from ANALYZE: without them the planner guesses.
    if (tables.size > 0) await store.exec(`ANALYZE ${[...tables].sort().join(', ')}`);
    return result;
}

/** One line per index created, for a command's standard error or a log. */
export function describeCreatedIndex(index: CreatedIndex): string {
    return `${index.action === 'rebuilt' ? 'rebuilt' : 'created'} index ${index.name} on ${index.table} (${index.reason}) in ${(index.ms / 1000).toFixed(2)} s`;
}
