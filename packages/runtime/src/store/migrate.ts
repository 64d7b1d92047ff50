import { latestSchemaVersion, migrations, type Migration } from './migrations/index.js';
import { StoreSchemaTooNewError, type Store, type StoreTx } from './store.js';

/**
 * Key of the advisory lock every migration transaction takes first, so that two processes migrating
 * the same PostgreSQL at once apply each step exactly once ('followup' in ASCII, read as an int8).
 */
const MIGRATION_LOCK_KEY = '7381237527265899888';

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS followup_schema_migrations (
    version    int PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE followup_schema_migrations IS 'The followup schema migrations applied to this database.';
`;

export interface MigrateResult {
    /** Versions this call applied, in order; empty when the schema was already current. */
    applied: number[];
    /** The schema version after the call. */
    version: number;
}

/**
 * Applies the migrations the database has not recorded, in order of version, each in its own
 * transaction, and records them in `followup_schema_migrations`. A version may arrive after a higher
 * one (branches developed side by side): it is applied when it shows up. Safe to call from several
 * processes at once. Refuses a database whose schema is newer than the code (`StoreSchemaTooNewError`).
 */
export async function migrate(store: Store, steps: readonly Migration[] = migrations): Promise<MigrateResult> {
    checkOrder(steps);
    const known = steps.length === 0 ? 0 : steps[steps.length - 1]!.version;
    // Most opens find every step applied: then two reads, without the lock and the DDL of the
    // transaction below (~10 ms of a command's start on PGlite).
    const recorded = await recordedVersions(store);
    if (recorded && steps.every((step) => recorded.has(step.version))) {
        const version = Math.max(0, ...recorded);
        if (version > known) throw new StoreSchemaTooNewError(version, known);
        return { applied: [], version };
    }
    let applied = await store.transaction(async (tx) => {
        await lockMigrations(tx);
        await tx.exec(CREATE_MIGRATIONS_TABLE);
        return appliedVersions(tx);
    });
    const version = Math.max(0, ...applied);
    if (version > known) throw new StoreSchemaTooNewError(version, known);

    const done: number[] = [];
    for (const step of steps) {
        if (applied.has(step.version)) continue;
        const didApply = await store.transaction(async (tx) => {
            await lockMigrations(tx);
            // Another process may have applied it while we waited for the lock.
            applied = await appliedVersions(tx);
            if (applied.has(step.version)) return false;
            await tx.exec(step.sql);
            await tx.query('INSERT INTO followup_schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [
                step.version,
                step.name,
            ]);
            return true;
        });
        if (didApply) done.push(step.version);
    }
    return { applied: done, version: Math.max(version, ...done) };
}

/** The schema version recorded in the database: 0 when it was never migrated. */
export async function currentSchemaVersion(store: StoreTx): Promise<number> {
    const { rows } = await store.query<{ present: boolean }>(
        `SELECT to_regclass('followup_schema_migrations') IS NOT NULL AS present`,
    );
    return rows[0]?.present ? appliedVersion(store) : 0;
}

export { latestSchemaVersion };

/** The versions recorded, or undefined when the migrations table does not exist yet. */
async function recordedVersions(store: StoreTx): Promise<Set<number> | undefined> {
    const { rows } = await store.query<{ present: boolean }>(`SELECT to_regclass('followup_schema_migrations') IS NOT NULL AS present`);
    return rows[0]?.present ? appliedVersions(store) : undefined;
}

async function lockMigrations(tx: StoreTx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1::int8)', [MIGRATION_LOCK_KEY]);
}

async function appliedVersions(tx: StoreTx): Promise<Set<number>> {
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM followup_schema_migrations');
    return new Set(rows.map((r) => Number(r.version)));
}

async function appliedVersion(tx: StoreTx): Promise<number> {
    const { rows } = await tx.query<{ version: number }>(
        'SELECT coalesce(max(version), 0) AS version FROM followup_schema_migrations',
    );
    return rows[0]!.version;
}

function checkOrder(steps: readonly Migration[]): void {
    steps.forEach((step, i) => {
        const previous = i === 0 ? 0 : steps[i - 1]!.version;
        if (!Number.isInteger(step.version) || step.version <= previous) {
            throw new Error(`migration "${step.name}" has version ${step.version}, after ${previous}: versions must increase`);
        }
    });
}
