import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
    /** Apply pending migrations on open (default true). */
    migrate?: boolean;
    /** How long to wait for a PostgreSQL server to accept a connection (default 5000 ms). */
    connectTimeoutMs?: number;
}

const SERVER_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the store named by a database target (CLI.md "Database targets"): a `postgres://` or
 * `postgresql://` URL is a PostgreSQL server; anything else is a folder holding an embedded PGlite
 * database, created if missing. The schema is migrated unless `migrate: false`.
 * Throws `StoreUnavailableError` when the database cannot be reached or opened.
 */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<Store> {
    if (target.trim() === '') throw new TypeError('openStore: the database target is empty (a folder path or a postgres:// URL)');
    const store = SERVER_URL.test(target)
        ? await openPostgres(target, { connectTimeoutMs: options.connectTimeoutMs ?? 5000 })
        : await openPglite(target);
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
