/**
 * `followup import`: loads a history file (JSON lines, as `followup import --help` describes them) into the store, all or nothing.
 *
 * How: one transaction for the whole file. Lines are read one at a time (never the whole file),
 * checked (records.ts), and written in batches of multi-row `INSERT ... ON CONFLICT`:
 * - events, profiles and unsubscribes, which refer to nothing, straight into their tables;
 * - deliveries and tracking records into temporary staging tables (dropped at COMMIT), because they
 *   may refer to an event or a delivery further down the file.
 * At the end of the file, the references are checked in SQL (against the file and the store at once),
 * the staged rows are moved into `deliveries` and `tracking`, and hard bounces and complaints become
 * suppressions. Any problem anywhere — a line that does not parse, a wrong type, an unknown event —
 * throws `ImportRejectedError` from inside the transaction: everything is rolled back.
 *
 * Idempotent: events and deliveries are keyed by id, tracking records by a source key (the record's
 * `id`, else `<kind>:<delivery>:<at>`, plus the URL for clicks), suppressions by (channel, address,
 * reason) keeping the earliest time, profiles by key and time (every version is kept). A record already stored is
 * skipped, even when its content differs, and counted in `skippedDuplicates`.
 */
import { FollowupError } from '@followup/values';
import { postgresNormaliseAddress } from '@followup/values';
import type { Store, StoreTx } from '../store/store.js';
import { normaliseAddress, RecordParser, type ImportRecord, type ImportSchemas } from './records.js';

export interface ImportOptions {
    /** Check event types and data (and profile data) against a project's declarations. */
    schemas?: ImportSchemas;
    /** Called every few thousand lines while reading, then once per phase of the end. */
    onProgress?: (progress: ImportProgress) => void;
    /** How many problems to describe in `ImportRejectedError.errors` (default 20); all are counted. */
    maxErrors?: number;
    /** Rows per INSERT (default 1000). */
    batchSize?: number;
}

export interface ImportProgress {
    phase: 'reading' | 'linking' | 'done';
    /** Lines read so far (blank ones included: it is the line number). */
    lines: number;
}

export interface ImportResult {
    /** Lines read, blank ones included. */
    lines: number;
    /** Records found (non-blank lines). */
    records: number;
    /** New rows written. */
    events: number;
    deliveries: number;
    tracking: number;
    /** New suppressions (or earlier times for existing ones): from unsubscribes, hard bounces and complaints. */
    suppressions: number;
    /** Profile versions stored (a profile keeps every version, each valid from its time). */
    profiles: number;
    /** Records already in the store (or earlier in the file), which changed nothing. */
    skippedDuplicates: number;
}

export interface ImportProblem {
    /** 1-based line number in the file. */
    line: number;
    /** JSON path in the line's record (`data.items[1].price`, `at`), or '' for the whole line. */
    path: string;
    message: string;
}

/** The file was refused: nothing was written. `errors` holds the first problems, in line order. */
export class ImportRejectedError extends FollowupError {
    constructor(
        readonly errors: readonly ImportProblem[],
        /** Every problem found, described or not. */
        readonly errorCount: number,
        readonly lines: number,
    ) {
        super(
            `${errorCount} ${errorCount === 1 ? 'error' : 'errors'} in the history; nothing was imported:\n` +
                errors.map(e => `  line ${formatProblem(e)}`).join('\n'),
            'input',
        );
    }
}

/** `12: data.cartTotal: expected a decimal ...` (prefix it with the file name). */
export function formatProblem(problem: ImportProblem): string {
    return `${problem.line}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/**
 * Imports `lines` (one JSON record each, without line breaks) into `store` in one transaction.
 * `lines` may be a `readline` interface: it is iterated from the call on, nothing is lost.
 * Resolves with what was written; rejects with `ImportRejectedError` (nothing written) when any line
 * is wrong, or with the store's error when the database fails.
 */
export async function importHistory(store: Store, lines: AsyncIterable<string>, options: ImportOptions = {}): Promise<ImportResult> {
    // Take the iterator now, before the first await: a `readline` interface emits its lines as soon as
    // it is created, and drops the ones nobody listens to yet.
    const iterator = lines[Symbol.asyncIterator]();
    let done = false;
    try {
        const parser = new RecordParser(options.schemas);
        return await store.transaction(async (tx) => {
            const importer = new Importer(tx, parser, options);
            await importer.start();
            for (let next = await iterator.next(); !next.done; next = await iterator.next()) await importer.line(next.value);
            done = true;
            return importer.finish();
        });
    } finally {
        // Stop the source (close the file) when the import ends early.
        if (!done) await iterator.return?.().catch(() => {});
    }
}

const PROGRESS_EVERY = 5000;
/** Flush events and profiles early when their JSON gets this big, whatever the row count. */
const MAX_BATCH_CHARS = 4_000_000;

const STAGING = /* sql */ `
CREATE TEMP TABLE followup_import_deliveries (
    line int NOT NULL, id text NOT NULL, event_id text NOT NULL, message text NOT NULL, channel text NOT NULL,
    recipient text NOT NULL, sent_at timestamptz NOT NULL, status text NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE followup_import_tracking (
    line int NOT NULL, delivery_id text NOT NULL, kind text NOT NULL, at timestamptz NOT NULL, url text, link text,
    hard boolean, machine boolean NOT NULL, source_key text NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE followup_import_rejected (line int NOT NULL, kind text NOT NULL, id text NOT NULL) ON COMMIT DROP;
CREATE INDEX ON followup_import_rejected (kind, id);
`;

class Batch {
    rows: unknown[][] = [];
    chars = 0;
    constructor(
        readonly table: string,
        readonly columns: readonly string[],
        /** After `VALUES ...`. */
        readonly conflict: string,
    ) {}
}

class Importer {
    private lineNo = 0;
    private records = 0;
    private readonly errors: ImportProblem[] = [];
    private errorCount = 0;
    private readonly maxErrors: number;
    private readonly batchSize: number;
    private readonly sqlCache = new Map<string, string>();
    private readonly counts = { events: 0, deliveries: 0, tracking: 0, suppressions: 0, profiles: 0, skippedDuplicates: 0 };
    /** Lines staged, to count the duplicates when they move. */
    private staged = { deliveries: 0, tracking: 0 };

    private readonly events = new Batch('events', ['id', 'type', 'occurred_at', 'payload'], 'ON CONFLICT (id) DO NOTHING');
    private readonly profiles = new Batch(
        'profiles', ['key', 'payload', 'updated_at'],
        'ON CONFLICT (key, updated_at) DO NOTHING',
    );
    private readonly unsubscribes = new Batch('suppressions', ['channel', 'address', 'reason', 'at', 'source'], EARLIEST_SUPPRESSION);
    private readonly deliveries = new Batch(
        'followup_import_deliveries', ['line', 'id', 'event_id', 'message', 'channel', 'recipient', 'sent_at', 'status'], '',
    );
    private readonly tracking = new Batch(
        'followup_import_tracking', ['line', 'delivery_id', 'kind', 'at', 'url', 'link', 'hard', 'machine', 'source_key'], '',
    );
    /** Ids of event and delivery lines that have problems, so that references to them say so. */
    private readonly rejected = new Batch('followup_import_rejected', ['line', 'kind', 'id'], '');

    constructor(
        private readonly tx: StoreTx,
        private readonly parser: RecordParser,
        private readonly options: ImportOptions,
    ) {
        this.maxErrors = options.maxErrors ?? 20;
        this.batchSize = options.batchSize ?? 1000;
    }

    async start(): Promise<void> {
        await this.tx.exec(STAGING);
    }

    async line(text: string): Promise<void> {
        const line = ++this.lineNo;
        if (line % PROGRESS_EVERY === 0) this.options.onProgress?.({ phase: 'reading', lines: line });
        // A UTF-8 byte order mark may open the file.
        const body = line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        if (body.trim() === '') return;
        this.records++;
        const parsed = this.parser.parse(body);
        if (!parsed.ok) {
            for (const problem of parsed.problems) this.problem({ line, ...problem });
            if (parsed.rejected) await this.push(this.rejected, [line, parsed.rejected.kind, parsed.rejected.id]);
            return;
        }
        // Valid records are written even after a problem elsewhere, so that the references of the
        // rest of the file are checked (and reported) too; the transaction is rolled back anyway.
        await this.add(parsed.record, line);
    }

    async finish(): Promise<ImportResult> {
        for (const batch of [this.events, this.profiles, this.unsubscribes, this.deliveries, this.tracking, this.rejected]) await this.flush(batch);
        this.options.onProgress?.({ phase: 'linking', lines: this.lineNo });
        await this.moveStaged();
        if (this.errorCount > 0) {
            this.errors.sort((a, b) => a.line - b.line);
            throw new ImportRejectedError(this.errors.slice(0, this.maxErrors), this.errorCount, this.lineNo);
        }
        this.options.onProgress?.({ phase: 'done', lines: this.lineNo });
        return { lines: this.lineNo, records: this.records, ...this.counts };
    }

    private problem(problem: ImportProblem): void {
        this.errorCount++;
        // Problems from reading come in line order; those from linking are merged and sorted in finish.
        if (this.errors.length < this.maxErrors) this.errors.push(problem);
    }

    private async add(record: ImportRecord, line: number): Promise<void> {
        switch (record.kind) {
            case 'event': {
                const payload = JSON.stringify(record.data);
                return this.push(this.events, [record.id, record.type, record.at, payload], payload.length);
            }
            case 'profile': {
                const payload = JSON.stringify(record.data);
                return this.push(this.profiles, [record.key, payload, record.at], payload.length);
            }
            case 'unsubscribe':
                return this.push(this.unsubscribes, [
                    record.channel, normaliseAddress(record.channel, record.to), 'unsubscribe', record.at,
                    record.id === undefined ? 'import:unsubscribe' : `import:unsubscribe:${record.id}`,
                ]);
            case 'delivery':
                return this.push(this.deliveries, [line, record.id, record.event, record.message, record.channel, record.to, record.at, record.status]);
            default:
                return this.push(this.tracking, [
                    line, record.delivery, record.kind, record.at, record.url ?? null, record.link ?? null, record.hard ?? null,
                    record.machine ?? false, record.sourceKey,
                ]);
        }
    }

    private async push(batch: Batch, row: unknown[], chars = 0): Promise<void> {
        batch.rows.push(row);
        batch.chars += chars;
        if (batch.rows.length >= this.batchSize || batch.chars >= MAX_BATCH_CHARS) await this.flush(batch);
    }

    private async flush(batch: Batch): Promise<void> {
        if (batch.rows.length === 0) return;
        const rows = batch === this.profiles ? onePerVersion(batch.rows) : batch === this.unsubscribes ? earliestPerAddress(batch.rows) : batch.rows;
        const given = batch.rows.length;
        batch.rows = [];
        batch.chars = 0;
        const { rowCount } = await this.tx.query(this.insertSql(batch, rows.length), rows.flat());
        switch (batch) {
            case this.events: this.count('events', given, rowCount); break;
            case this.profiles: this.count('profiles', given, rowCount); break;
            case this.unsubscribes: this.count('suppressions', given, rowCount); break;
            case this.deliveries: this.staged.deliveries += given; break;
            case this.tracking: this.staged.tracking += given; break;
        }
    }

    private count(what: 'events' | 'profiles' | 'suppressions' | 'deliveries' | 'tracking', given: number, written: number): void {
        this.counts[what] += written;
        this.counts.skippedDuplicates += given - written;
    }

    /** `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) <conflict>`, cached by table and row count. */
    private insertSql(batch: Batch, rows: number): string {
        const cacheKey = `${batch.table}:${rows}`;
        let sql = this.sqlCache.get(cacheKey);
        if (!sql) {
            const width = batch.columns.length;
            const values = Array.from({ length: rows }, (_, r) => `(${batch.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
            sql = `INSERT INTO ${batch.table} (${batch.columns.join(', ')}) VALUES ${values.join(', ')} ${batch.conflict}`;
            this.sqlCache.set(cacheKey, sql);
        }
        return sql;
    }

    /** Checks the staged deliveries and tracking against events and deliveries (file and store), then moves them. */
    private async moveStaged(): Promise<void> {
        const tx = this.tx;
        await this.referenceProblems('followup_import_deliveries', 'event_id', 'events', 'event');
        // The original-delivery flags (schema v9) are written as the file gives them, so that the
        // triggers' recount, which keeps them exact whatever the store already holds, has nothing to
        // rewrite in the usual case (measured: bench/README.md).
        const deliveries = await tx.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, first_original, first_of_channel)
             SELECT s.id, s.event_id, s.message, s.channel, s.recipient, s.sent_at, s.status,
                    s.status = 'sent' AND row_number() OVER (PARTITION BY s.event_id, s.status = 'sent' ORDER BY s.sent_at, s.id) = 1,
                    s.status = 'sent' AND row_number() OVER (PARTITION BY s.event_id, s.channel, s.status = 'sent' ORDER BY s.sent_at, s.id) = 1
             FROM followup_import_deliveries s
             WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = s.event_id)
             ORDER BY s.line
             ON CONFLICT (id) DO NOTHING`,
        );
        this.count('deliveries', this.staged.deliveries, deliveries.rowCount);
        await this.referenceProblems('followup_import_tracking', 'delivery_id', 'deliveries', 'delivery');
        if (this.errorCount > 0) return; // rolled back: no need to write the rest
        const tracking = await tx.query(
            `INSERT INTO tracking (delivery_id, kind, at, url, link, hard, machine, source_key)
             SELECT s.delivery_id, s.kind, s.at, s.url, s.link, s.hard, s.machine, s.source_key FROM followup_import_tracking s
             ORDER BY s.line
             ON CONFLICT (source_key) DO NOTHING`,
        );
        this.count('tracking', this.staged.tracking, tracking.rowCount);
        // Hard bounces and complaints suppress the delivery's recipient on its channel (the earliest one counts).
        const suppressions = await tx.query(
            `INSERT INTO suppressions (channel, address, reason, at, source)
             SELECT DISTINCT ON (channel, address, reason) channel, address, reason, at, source FROM (
                 SELECT d.channel,
                        ${postgresNormaliseAddress('d.channel', 'd.recipient')} AS address,
                        CASE WHEN s.kind = 'bounce' THEN 'hard_bounce' ELSE 'complaint' END AS reason,
                        s.at, 'import:' || s.kind || ':' || d.id AS source
                 FROM followup_import_tracking s JOIN deliveries d ON d.id = s.delivery_id
                 WHERE (s.kind = 'bounce' AND s.hard) OR s.kind = 'complaint'
             ) x
             ORDER BY channel, address, reason, at, source
             ${EARLIEST_SUPPRESSION}`,
        );
        this.counts.suppressions += suppressions.rowCount;
    }

    /**
     * Staged rows of `staging` whose `column` names no row of `target` (the file's and the store's, at
     * this point): the first ones as problems, all of them counted.
     */
    private async referenceProblems(staging: string, column: string, target: string, kind: 'event' | 'delivery'): Promise<void> {
        const { rows } = await this.tx.query<{ line: number; ref: string; total: number; bad_line: number | null }>(
            `SELECT m.line, m.ref, m.total,
                    (SELECT min(r.line) FROM followup_import_rejected r WHERE r.kind = $2 AND r.id = m.ref) AS bad_line
             FROM (SELECT s.line, s.${column} AS ref, count(*) OVER () AS total FROM ${staging} s
                   WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = s.${column})
                   ORDER BY s.line LIMIT $1) m
             ORDER BY m.line`,
            [this.maxErrors, kind],
        );
        if (rows.length === 0) return;
        this.errorCount += Number(rows[0]!.total);
        for (const row of rows) {
            const message = row.bad_line !== null
                ? `${kind} "${row.ref}" is not imported: its line ${row.bad_line} has errors`
                : `unknown ${kind} "${row.ref}": no ${kind} record with this id in the file, nor in the store`;
            this.errors.push({ line: row.line, path: kind, message });
        }
        this.errors.sort((a, b) => a.line - b.line);
        this.errors.length = Math.min(this.errors.length, this.maxErrors);
    }
}

const EARLIEST_SUPPRESSION =
    'ON CONFLICT (channel, address, reason) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source WHERE suppressions.at > EXCLUDED.at';

/** `ON CONFLICT DO UPDATE` may not touch a row twice in one statement: keep one row per key, the latest. */
/** One row per profile version (key, time): a later line for the same version wins. */
function onePerVersion(rows: unknown[][]): unknown[][] {
    const byVersion = new Map<string, unknown[]>();
    for (const row of rows) byVersion.set(JSON.stringify([row[0], row[2]]), row);
    return [...byVersion.values()];
}

/** One row per (channel, address), the earliest. */
function earliestPerAddress(rows: unknown[][]): unknown[][] {
    const byKey = new Map<string, unknown[]>();
    for (const row of rows) {
        const key = `${row[0]}\u0000${row[1]}`;
        const seen = byKey.get(key);
        if (!seen || (seen[3] as string) > (row[3] as string)) byKey.set(key, row);
    }
    return [...byKey.values()];
}
