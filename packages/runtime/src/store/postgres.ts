import pg from 'pg';
import { StoreUnavailableError, TransactionAbortedError, type QueryResult, type Store, type StoreTx, type TransactionOptions } from './store.js';

const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;

/** `int8` as PGlite returns it: a number, or a bigint when it does not fit one exactly. */
function parseInt8(text: string): number | bigint {
    const n = BigInt(text);
    return n < BigInt(Number.MIN_SAFE_INTEGER) || n > BigInt(Number.MAX_SAFE_INTEGER) ? n : Number(n);
}

/** Type parsers for this pool only (the global `pg.types` is left alone), matching PGlite's results. */
const types: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (format !== 'binary') {
            if (oid === INT8) return parseInt8;
            if (oid === INT8_ARRAY) {
                const builtin = pg.types.getTypeParser as unknown as (oid: number) => (text: string) => unknown[];
                const parseArray = builtin(INT8_ARRAY);
                return (text: string) => parseArray(text).map((v) => (v === null ? null : parseInt8(String(v))));
            }
            if (oid === DATE) return (text: string) => (text === 'infinity' ? Infinity : text === '-infinity' ? -Infinity : new Date(text));
        }
        return pg.types.getTypeParser(oid, format);
    }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
    connectTimeoutMs: number;
}

/** Opens a pool on a PostgreSQL server and checks that it answers; `StoreUnavailableError` if not. */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Store> {
    const server = describeServer(url);
    const pool = new pg.Pool({
        connectionString: url,
        connectionTimeoutMillis: options.connectTimeoutMs,
        application_name: 'followup',
        // Timestamps without a zone (in imported data, in rule literals) mean UTC, whatever the server's default.
        options: '-c TimeZone=UTC',
        allowExitOnIdle: true,
        types,
    });
    // An idle client whose connection dies (server restart) must not crash the process: the pool drops
    // it, and the next query connects again or fails with its own error.
    pool.on('error', () => {});
    try {
        const client = await pool.connect();
        client.release();
    } catch (error) {
        await pool.end().catch(() => {});
        throw unavailable(error, server);
    }
    return new PostgresStore(pool);
}

/** BEGIN and the transaction's settings, in one round trip. */
function beginStatement(options: TransactionOptions): string {
    const statements = ['BEGIN'];
    // A number we format ourselves: SET takes no bind parameters.
    if (options.statementTimeoutMs !== undefined) statements.push(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.statementTimeoutMs))}`);
    if (options.jit === false) statements.push('SET LOCAL jit = off');
    return statements.join('; ');
}

class PostgresStore implements Store {
    readonly engine = 'postgres' as const;
    private closed = false;

    constructor(private readonly pool: pg.Pool) {}

    query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
        return runQuery<T>(this.pool, sql, params);
    }

    async exec(sqlScript: string): Promise<void> {
        await this.pool.query(sqlScript);
    }

    async transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
        const begin = beginStatement(options);
        const client = await this.pool.connect();
        let ended = false;
        const tx: StoreTx = {
            query: <R>(sql: string, params?: readonly unknown[]) => {
                if (ended) return Promise.reject(txEnded());
                return runQuery<R>(client, sql, params);
            },
            exec: async (sqlScript: string) => {
                if (ended) throw txEnded();
                await client.query(sqlScript);
            },
        };
        let broken: Error | undefined; // set when the connection cannot be trusted any more
        try {
            try {
                await client.query(begin);
            } catch (error) {
                broken = error as Error;
                throw error;
            }
            try {
                const result = await fn(tx);
                ended = true;
                const commit = await client.query('COMMIT');
                // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not an error.
                if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
                return result;
            } catch (error) {
                ended = true;
                // After a failed COMMIT there is no transaction left; ROLLBACK then only warns.
                await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
                throw error;
            }
        } finally {
            client.release(broken);
        }
    }

    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        await this.pool.end();
    }
}

async function runQuery<T>(on: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    // Always the extended protocol, as on PGlite: one statement, parameters bound, never spliced.
    const config = { text: sql, values: params ? [...params] : [], queryMode: 'extended' } as pg.QueryConfig;
    const result = await on.query(config);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
}

function txEnded(): Error {
    return new Error('this transaction has ended: run queries inside the transaction callback, and await them');
}

interface ServerDescription {
    /** host:port, or the socket folder; never credentials. */
    where: string;
    password: string;
}

function describeServer(url: string): ServerDescription {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        // The text may hold a password: do not echo it.
        throw new StoreUnavailableError('invalid PostgreSQL URL: expected postgres://user:password@host:port/database');
    }
    const socketHost = parsed.searchParams.get('host');
    const host = parsed.hostname || socketHost || 'localhost';
    const port = parsed.port || parsed.searchParams.get('port') || '5432';
    let password = parsed.password;
    try {
        password = decodeURIComponent(password);
    } catch {
        // keep it encoded
    }
    return { where: host.startsWith('/') ? `socket ${host} port ${port}` : `${host}:${port}`, password };
}

function unavailable(error: unknown, server: ServerDescription): StoreUnavailableError {
    const cause = error as { message?: string; code?: string };
    let reason = String(cause.message ?? error);
    if (server.password) reason = reason.split(server.password).join('***');
    const code = cause.code ?? (/timeout/i.test(reason) ? 'ETIMEDOUT' : undefined);
    return new StoreUnavailableError(`cannot connect to PostgreSQL at ${server.where}: ${reason}`, code);
}
