import { PGlite, TransactionAbortedError as PGliteTransactionAbortedError, type Transaction } from '@electric-sql/pglite';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreUnavailableError, TransactionAbortedError, type QueryResult, type Store, type StoreTx } from './store.js';

/**
 * The lock file that keeps a second process out of an embedded database folder: PGlite has no
 * postmaster to refuse it, and two processes writing one folder corrupt it.
 */
const LOCK_FILE = '.followup-lock';

/** Folders this process has open: a second PGlite on the same folder would corrupt it just the same. */
const openInThisProcess = new Set<string>();

/** Opens (creating it if needed) the embedded PostgreSQL kept in `folder`. */
export async function openPglite(folder: string): Promise<Store> {
    const path = resolve(folder);
    try {
        await mkdir(path, { recursive: true });
    } catch (error) {
        throw new StoreUnavailableError(`cannot create the database folder ${path}: ${(error as Error).message}`, code(error));
    }
    const unlock = await lockFolder(path);
    try {
        const db = await PGlite.create(path);
        // Timestamps without a zone mean UTC, as on the server (see postgres.ts).
        await db.exec("SET TIME ZONE 'UTC'");
        return new PgliteStore(db, unlock);
    } catch (error) {
        await unlock();
        throw new StoreUnavailableError(`cannot open the embedded database in ${path}: ${(error as Error).message}`, code(error));
    }
}

export class PgliteStore implements Store {
    readonly engine = 'pglite' as const;
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

    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
        try {
            return await this.db.transaction(async (inner) => {
                let ended = false;
                const tx: StoreTx = {
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
