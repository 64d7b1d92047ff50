import { migrate } from './migrate.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
    /** Apply pending migrations on open (default true). */
    migrate?: boolean;
    /** How long to wait for a PostgreSQL server to accept a connection (default 5000 ms). */
    connectTimeoutMs?: number;
    /**
     * The embedded store's shared buffers (PostgreSQL's `shared_buffers`, e.g. SMALL_STORE_SHARED_BUFFERS),
     * default PGlite's 128MB. Ignored for a PostgreSQL server, whose own configuration decides.
     */
    sharedBuffers?: string;
}

/**
 * The shared buffers of a short command on a small embedded store (`followup test`'s store too). PGlite
 * zeroes all of its shared memory at every start (WebAssembly has no mmap: a `memset`), 153 MB with
 * the default 128MB of buffers: ~80 ms of CPU before the first statement, and the process's peak
 * memory. 32MB holds a small store whole: its tables and indexes (at most 8 MB, the CLI's threshold)
 * and its catalogs (~8 MB). bench/README.md, "Shared buffers sized to the store".
 */
export const SMALL_STORE_SHARED_BUFFERS = '32MB';

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
        : await (await import('./pglite.js')).openPglite(target, { fromTemplate: options.migrate !== false, sharedBuffers: options.sharedBuffers });
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
