import { PGlite, TransactionAbortedError as PGliteTransactionAbortedError, type Transaction } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorePglite } from './pglite-array-types.js';
import { copyStoreTemplate } from './pglite-template.js';
import { StoreUnavailableError, TransactionAbortedError, type QueryResult, type Store, type StoreTx, type TransactionOptions } from './store.js';

/**
 * The lock file that keeps a second process out of an embedded database folder: PGlite has no
 * postmaster to refuse it, and two processes writing one folder corrupt it.
 */
const LOCK_FILE = '.followup-lock';

/** Folders this process has open: a second PGlite on the same folder would corrupt it just the same. */
const openInThisProcess = new Set<string>();

/**
 * The settings every embedded store's session has, given to PostgreSQL at its start (a `SET` statement
 * after it cost ~10 ms of CPU at every open). Timestamps without a zone mean UTC, as on the server (see
 * postgres.ts). The folder is read through the operating system's file cache, where a random read
 * costs what a sequential one does: the planner's SSD setting. With the default (4), a `since` rule on
 * 1,000,000 carts was planned as merge joins reading a whole index: 808 ms, against 190 ms
 * (bench/README.md). The recount of originals (schema v18) joins more than 1,000 events at once here:
 * PGlite's index lookups cost more than a server's (prune's batches, ~5% slower looked up one by one).
 */
export const EMBEDDED_STORE_SETTINGS: Readonly<Record<string, string>> = {
    TimeZone: 'UTC',
    random_page_cost: '1.1',
    'followup.recount_join_above': '1000',
};

/** PGlite's start parameters with these settings, and PostgreSQL's `shared_buffers` when given (else PGlite's 128MB). */
export function pgliteStartParams(options: { settings?: Readonly<Record<string, string>>; sharedBuffers?: string }): string[] {
    const settings = { ...options.settings };
    if (options.sharedBuffers !== undefined) {
        if (!/^[1-9][0-9]*(kB|MB|GB)$/.test(options.sharedBuffers)) throw new TypeError(`shared buffers take a size such as 32MB, not '${options.sharedBuffers}'`);
        settings['shared_buffers'] = options.sharedBuffers;
    }
    return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/**
 * Opens (creating it if needed) the embedded PostgreSQL kept in `folder`. `fromTemplate`: a new
 * database starts as a copy of the migrated template (store/pglite-template.ts) instead of PGlite's
 * initdb; for callers that migrate it anyway. `sharedBuffers`: see OpenStoreOptions.
 */
export async function openPglite(folder: string, options: { fromTemplate?: boolean; sharedBuffers?: string } = {}): Promise<Store> {
    const path = resolve(folder);
    try {
        await mkdir(path, { recursive: true });
    } catch (error) {
        throw new StoreUnavailableError(`cannot create the database folder ${path}: ${(error as Error).message}`, code(error));
    }
    const unlock = await lockFolder(path);
    try {
        if (options.fromTemplate && !existsSync(join(path, 'PG_VERSION'))) {
            await copyStoreTemplate(path, { keep: [LOCK_FILE], wrap: async (db) => withUtc(new PgliteStore(db, async () => {})) });
        }
        const startParams = pgliteStartParams({ settings: EMBEDDED_STORE_SETTINGS, sharedBuffers: options.sharedBuffers });
        const db = await StorePglite.open({ dataDir: path, parsers: TIMESTAMP_PARSERS, startParams });
        return new PgliteStore(db, unlock);
    } catch (error) {
        await unlock();
        throw new StoreUnavailableError(`cannot open the embedded database in ${path}: ${(error as Error).message}`, code(error));
    }
}

async function withUtc(store: PgliteStore): Promise<PgliteStore> {
    await store.exec("SET TIME ZONE 'UTC'");
    return store;
}

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
/** PGlite's parsers for timestamps, as every embedded store (and `followup test`'s) reads them. */
export const TIMESTAMP_PARSERS = { [TIMESTAMPTZ]: parsePostgresTimestamp, [TIMESTAMP]: parsePostgresTimestamp };
const ISO_OUTPUT = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?)?( BC)?$/;

/**
 * A timestamp as PostgreSQL writes it (DateStyle ISO: `0001-01-01 00:00:00+00`, `... BC`), as a Date.
 * PGlite hands the text to `new Date()`, whose fallback parser reads the years 0001-0099 as
 * 2001-2099; `pg` reads them right. Without an offset (timestamp), UTC, as the store's session is.
 */
export function parsePostgresTimestamp(text: string): Date | number {
    if (text === 'infinity') return Infinity;
    if (text === '-infinity') return -Infinity;
    const m = ISO_OUTPUT.exec(text);
    if (!m) return new Date(text);
    const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
    const at = new Date(0);
    at.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
    at.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
    const offsetSeconds = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) : 0;
    return new Date(at.getTime() - offsetSeconds * 1000);
}

export class PgliteStore implements Store {
    readonly engine = 'pglite' as const;
    readonly packRows = true;
    private closed = false;

    constructor(
        private readonly db: PGlite,
        private readonly unlock: () => Promise<void>,
    ) {}

    query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
        return runQuery<T>(this.db, sql, params);
    }

    async exec(sqlScript: string): Promise<void> {
        await this.db.exec(sqlScript);
    }

    /** `options` are not applied: the statements run on this thread, one at a time, and PGlite has no JIT. */
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>, _options?: TransactionOptions): Promise<T> {
        try {
            return await this.db.transaction(async (inner) => {
                let ended = false;
                const tx: StoreTx = {
                    packRows: true,
                    exclusive: true, // PGlite's transaction() holds the mutex every query and exec waits on
                    query: <R>(sql: string, params?: readonly unknown[]) => {
                        if (ended) return Promise.reject(txEnded());
                        return runQuery<R>(inner, sql, params);
                    },
                    exec: async (sqlScript: string) => {
                        if (ended) throw txEnded();
                        await inner.exec(sqlScript);
                    },
                };
                try {
                    return await fn(tx);
                } finally {
                    ended = true;
                }
            });
        } catch (error) {
            if (error instanceof PGliteTransactionAbortedError) throw new TransactionAbortedError();
            throw error;
        }
    }

    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        try {
            await this.db.close();
        } finally {
            await this.unlock();
        }
    }
}

async function runQuery<T>(on: PGlite | Transaction, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    const result = await on.query<T>(sql, params ? [...params] : []);
    return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
}

function txEnded(): Error {
    return new Error('this transaction has ended: run queries inside the transaction callback, and await them');
}

async function lockFolder(path: string): Promise<() => Promise<void>> {
    if (openInThisProcess.has(path)) {
        throw new StoreUnavailableError(`the database folder ${path} is already open in this process`, 'EBUSY');
    }
    const file = join(path, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
        try {
            await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
            break;
        } catch (error) {
            if (code(error) !== 'EEXIST') {
                throw new StoreUnavailableError(`cannot lock the database folder ${path}: ${(error as Error).message}`, code(error));
            }
        }
        const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
        // Our own pid here is a leftover of an earlier process that had it (pid 1 in a container).
        const held = Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder);
        if (held || attempt > 0) {
            throw new StoreUnavailableError(
                `the database folder ${path} is in use by ${held ? `process ${holder}` : 'another process'}: an embedded ` +
                    `database serves one process at a time (use a PostgreSQL server to share one). If no followup ` +
                    `process is running, delete ${file}.`,
                'EBUSY',
            );
        }
        await rm(file, { force: true }); // stale: the process that held it is gone
    }
    openInThisProcess.add(path);
    return async () => {
        openInThisProcess.delete(path);
        await rm(file, { force: true });
    };
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return code(error) === 'EPERM';
    }
}

function code(error: unknown): string | undefined {
    const value = (error as { code?: unknown } | null)?.code;
    return typeof value === 'string' ? value : undefined;
}
