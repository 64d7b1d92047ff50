/**
 * The store: where events, deliveries, engagement, decisions and the outbox live. One interface over
 * two engines (embedded PGlite in a folder, or a PostgreSQL server over `pg`); everything above it
 * runs the same SQL on both.
 */

import { FollowupError } from '@followup/values';

export type StoreEngine = 'pglite' | 'postgres';

export interface QueryResult<T> {
    rows: T[];
    /** Rows returned (SELECT, ... RETURNING) or changed (INSERT/UPDATE/DELETE), as PostgreSQL reports it. */
    rowCount: number;
}

/**
 * What can run SQL: the store itself, or one open transaction.
 *
 * Values always travel as bind parameters (`$1`, `$2`, ...), never spliced into the text. Both engines
 * return the same JavaScript types: `timestamptz` → `Date`, `jsonb` → parsed JSON, `int8`/`bigserial`
 * and `count(*)` → `number` (a `bigint` only beyond 2^53), `numeric` → `string`.
 * A JSON parameter should be an object or a JSON string: the `pg` driver turns a top-level JS array into
 * a PostgreSQL array literal, so `JSON.stringify` arrays bound to `jsonb`.
 */
export interface StoreTx {
    /** Runs exactly one statement with bound parameters. */
    query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
    /** Runs a script of several statements, without parameters (migrations, DDL). */
    exec(sqlScript: string): Promise<void>;
    /**
     * Many rows read faster packed into a few JSON values than row by row (PGlite: its protocol is
     * parsed value by value in JavaScript, in the thread that runs the database). Readers of large
     * results may use it (executor/rule-queries.ts); unset means row by row.
     */
    readonly packRows?: boolean;
    /**
     * No other session can commit while this transaction is open, so what a statement read earlier in
     * it still holds at its end (PGlite: one process per folder, and its transactions run one at a
     * time, every other query waiting for them). A run on such a store has nothing to lock against and
     * nothing to check again (executor/run-rule.ts). Unset on a PostgreSQL server and outside a
     * transaction.
     */
    readonly exclusive?: boolean;
}

export interface TransactionOptions {
    /**
     * On a PostgreSQL server, each statement of the transaction is cancelled (SQLSTATE 57014) past this
     * many milliseconds (`SET LOCAL statement_timeout`, sent with the BEGIN: no round trip of its own).
     * Ignored by the embedded store, whose statements run on the caller's thread.
     */
    statementTimeoutMs?: number;
    /**
     * `false`: on a PostgreSQL server, no JIT compilation for the transaction's statements (`SET LOCAL
     * jit = off`, sent with the BEGIN). A run's statements are index probes repeated per row; once a
     * store is large enough that a plan's estimated cost passes `jit_above_cost`, the server compiles
     * its expressions at each execution: 36-51 ms a selection at 10,000,000 deliveries, on selections
     * that take 90-200 ms without it (bench/README.md), for nothing back. The embedded store has no JIT.
     */
    jit?: false;
}

export interface Store extends StoreTx {
    readonly engine: StoreEngine;
    /**
     * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is
     * rethrown). Use `tx` inside, not the store: on PGlite the store waits for the transaction to end.
     */
    transaction<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
    /** Releases the pool or the embedded database (and its folder lock). Idempotent. */
    close(): Promise<void>;
}

/** The database cannot be reached or opened. The message names host:port (or the folder), never a password. */
export class StoreUnavailableError extends FollowupError {
    /** The underlying error code when there is one (`ECONNREFUSED`, `ETIMEDOUT`, `28P01`, ...). */
    readonly code: string | undefined;
    constructor(message: string, code?: string) {
        super(message, 'usage');
        this.code = code;
    }
}

/** The database was migrated by a newer followup than this one: refuse to run against a schema we do not know. */
export class StoreSchemaTooNewError extends FollowupError {
    constructor(
        readonly databaseVersion: number,
        readonly knownVersion: number,
    ) {
        super(
            `the database's schema is at version ${databaseVersion}, but this followup knows versions up to ` +
                `${knownVersion}: upgrade followup`,
            'usage',
        );
    }
}

/** A transaction whose COMMIT was turned into a ROLLBACK because a statement in it had failed. */
export class TransactionAbortedError extends Error {
    override readonly name = 'TransactionAbortedError';
    constructor() {
        super('the transaction was rolled back: a statement in it failed');
    }
}
