// Creates the indexes the rules' queries need beyond the store's own (the compiler derives them:
// packages/compiler/src/sql/derived-indexes.ts; each plan carries its own in `queries.indexes`).
// `followup run` and `followup serve` call it before the first rule runs. On PostgreSQL an index is
// built with CREATE INDEX CONCURRENTLY (writes to the table go on meanwhile; outside any transaction);
// an index left invalid by an interrupted build is dropped and built again, unless another process is
// building it right now. On the embedded store, a plain CREATE INDEX (one process at a time anyway).
import type { DerivedIndex, RenderPlan } from '@followup/compiler';
import { compareText, postgresCreateIndex } from '@followup/values';
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
    /**
     * Needed, and its build failed (no privilege to create indexes, or a deadlock with another
     * process building it at the same time): the rules run without it, and the next start tries again.
     */
    failed: { name: string; error: string }[];
}

/** The distinct indexes the plans need (by name). */
export function neededIndexes(plans: readonly RenderPlan[]): DerivedIndex[] {
    const all = new Map<string, DerivedIndex>();
    // A plan written by an older compiler has no `indexes`.
    for (const plan of plans) for (const index of plan.queries.indexes ?? []) if (!all.has(index.name)) all.set(index.name, index);
    return [...all.values()].sort((a, b) => compareText(a.name, b.name));
}

/** Creates every index the plans need that the store lacks; says what it did. */
export async function ensureIndexes(store: Store, plans: readonly RenderPlan[]): Promise<EnsureIndexesResult> {
    const result: EnsureIndexesResult = { created: [], present: [], building: [], failed: [] };
    const needed = neededIndexes(plans);
    if (needed.length === 0) return result;
    const existing = await indexStates(store, needed.map((i) => i.name));
    const concurrently = store.engine === 'postgres';
    const tables = new Set<string>();
    for (const index of needed) {
        const outcome = await ensureIndex(store, index, existing.get(index.name), concurrently);
        if (outcome.kind === 'created') {
            result.created.push(outcome.created);
            tables.add(index.table);
        } else if (outcome.kind === 'failed') result.failed.push({ name: index.name, error: outcome.error });
        else result[outcome.kind].push(index.name);
    }
    // An expression index's statistics come from ANALYZE: without them the planner guesses.
    // Another process's index build can make it wait or lose a deadlock: autovacuum analyses later.
    if (tables.size > 0) await store.exec(`ANALYZE ${[...tables].sort().join(', ')}`).catch(() => undefined);
    return result;
}

type IndexOutcome =
    | { kind: 'created'; created: CreatedIndex }
    | { kind: 'present' | 'building' }
    | { kind: 'failed'; error: string };

/** Attempts at building one index before giving up for this start. */
const ATTEMPTS = 4;

/**
 * Builds one index unless it is there or being built. Several processes starting at once each find it
 * missing and build it: on PostgreSQL their CREATE INDEX CONCURRENTLY wait for each other (each waits
 * for the other's transaction to end), and the deadlock detector cancels one. The loser looks again
 * after a random pause: by then the index is there, or being built, or (when the builder was the one
 * cancelled) left invalid, and rebuilt. A run never fails for want of an index.
 */
async function ensureIndex(store: Store, index: DerivedIndex, found: IndexState | undefined, concurrently: boolean): Promise<IndexOutcome> {
    let state = found;
    let error = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        if (state?.valid) return { kind: 'present' };
        if (state?.building) return { kind: 'building' };
        const started = performance.now();
        try {
            // Names are the compiler's (letters, digits, underscores), never input.
            if (state) await store.exec(`DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${index.name}`);
            // Without IF NOT EXISTS: an index another process made meanwhile is an error here, so that
            // what this process reports as created is what it created.
            await store.exec(postgresCreateIndex(index, { concurrently, ifNotExists: false }));
            const action = state ? 'rebuilt' : 'created';
            return { kind: 'created', created: { name: index.name, table: index.table, reason: index.reason, action, ms: performance.now() - started } };
        } catch (caught) {
            error = firstLine(caught);
        }
        if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
        state = (await indexStates(store, [index.name])).get(index.name);
    }
    if (state?.valid) return { kind: 'present' };
    if (state?.building) return { kind: 'building' };
    return { kind: 'failed', error };
}

interface IndexState {
    valid: boolean;
    building: boolean;
}

/** The named indexes that exist in the store's schema: valid or not, being built or not. */
async function indexStates(store: Store, names: readonly string[]): Promise<Map<string, IndexState>> {
    const { rows } = await store.query<IndexState & { name: string }>(
        `SELECT c.relname AS name, i.indisvalid AS valid,
                ${store.engine === 'postgres' ? 'EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid)' : 'false'} AS building
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname = ANY ($1::text[])`,
        [names],
    );
    return new Map(rows.map((r) => [r.name, { valid: r.valid, building: r.building }]));
}

function firstLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    return `${message.split('\n')[0]}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/** What a command says of an index it could not build (the rules run without it). */
export function describeFailedIndex(failed: { name: string; error: string }): string {
    return `could not create index ${failed.name}: ${failed.error}; the rules run without it, and the next start tries again`;
}

/** One line per index created, for a command's standard error or a log. */
export function describeCreatedIndex(index: CreatedIndex): string {
    return `${index.action === 'rebuilt' ? 'rebuilt' : 'created'} index ${index.name} on ${index.table} (${index.reason}) in ${(index.ms / 1000).toFixed(2)} s`;
}
