import { migrate } from './migrate.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
    /** Apply pending migrations on open (default true). */
    migrate?: boolean;
    /** How long to wait for a PostgreSQL server to accept a connection (default 5000 ms). */
    connectTimeoutMs?: number;
}

const SERVER_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the store named by a database target (the `--db` option of the commands' help): a `postgres://` or
 * `postgresql://` URL is a PostgreSQL server; anything else is a folder holding an embedded PGlite
 * database, created if missing. The schema is migrated unless `migrate: false`.
 * Throws `StoreUnavailableError` when the database cannot be reached or opened.
 */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<Store> {
    if (target.trim() === '') throw new TypeError('openStore: the database target is empty (a folder path or a postgres:// URL)');
    // Each engine's driver is loaded when a store of that engine is opened (PGlite and pg each cost
    // start-up time a command on the other engine need not pay).
    const store = SERVER_URL.test(target)
        ? await (await import('./postgres.js')).openPostgres(target, { connectTimeoutMs: options.connectTimeoutMs ?? 5000 })
        : await (await import('./pglite.js')).openPglite(target, { fromTemplate: options.migrate !== false });
    if (options.migrate !== false) {
        try {
            await migrate(store);
        } catch (error) {
            await store.close().catch(() => {});
            throw error;
        }
    }
    return store;
}
