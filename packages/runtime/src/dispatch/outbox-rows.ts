// Reading, claiming and settling outbox rows. Every statement here is short: nothing in this module
// holds a transaction (or, on the embedded store, its one connection) while a message is sent.
import { randomUUID } from 'node:crypto';
import type { OutboxContent } from '../executor/record-decisions.js';
import type { Store, StoreTx } from '../store/store.js';
import type { ChannelName } from '../transport/transport.js';

export interface OutboxRow {
    id: number;
    delivery_id: string;
    rule: string | null;
    channel: ChannelName;
    recipient: string;
    content: OutboxContent;
    /** Transport attempts made before this claim. */
    attempts: number;
    /** Set when the follow-up was held by quiet hours: sent now, its delivery is timed now. */
    held_until: Date | null;
}

/**
 * This process, in claim tokens (`<process>:<batch>`). The embedded store is opened by one process at
 * a time, so there a claim of another process is stale as soon as we see it: its holder is gone.
 */
const PROCESS = randomUUID();

/** A new claim token for one batch of this process. */
export function claimToken(): string {
    return `${PROCESS}:${randomUUID()}`;
}

/**
 * Claims up to `limit` pending rows that are due (`next_attempt_at <= now`), of the given rules (and
 * transactional ones, rule NULL, when asked), that nobody holds: unclaimed, or whose lease ran out
 * (the database's clock), or, on the embedded store, claimed by another process. One statement: the
 * rows are picked with `FOR UPDATE SKIP LOCKED` (rows another dispatcher is claiming are skipped) and
 * leased to `token` for `leaseMs`, an attempt counted. Due first (the rows of one run are due at once:
 * then in id order, the order they were decided); returned in id order, with the attempts made before
 * this claim.
 *
 * The rows are read off `outbox_pending` (due time, id; schema v17) in that order and the scan stops
 * at `limit`. The planner is told not to sort nor build a bitmap for this one statement: with
 * statistics taken when few rows were pending (PGlite has no autovacuum), it read every due row and
 * sorted them for each batch, a backlog's square (bench/README.md).
 *
 * The picked ids are collected into an array (run once, before the update) and the update finds its
 * rows by key: not a join. Joined, with statistics taken when the outbox held no live row (runs killed
 * while deciding leave only dead ones), the planner took the outbox for one row, put it on the outer
 * side and picked the batch again for every row of the table: 3.7 s a claim of 100 rows out of 3,000
 * (test/runtime/crash.test.ts, 2026-12-06; test/runtime/trigger-plans.test.ts).
 */
export async function claimRows(
    tx: Pick<StoreTx, 'query' | 'exec'>,
    options: { now: Date; rules: readonly string[]; transactional: boolean; limit: number; embedded: boolean; token: string; leaseMs: number },
): Promise<OutboxRow[]> {
    await tx.exec('SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
    const { rows } = await tx.query<OutboxRow>(
        `UPDATE outbox o SET claimed_by = $7, claimed_until = now() + make_interval(secs => $8::float8 / 1000), attempts = o.attempts + 1
         WHERE o.id = ANY (ARRAY(
               SELECT id FROM outbox
               WHERE status = 'pending' AND next_attempt_at <= $1
                 AND (rule = ANY ($2::text[]) OR ($3::boolean AND rule IS NULL))
                 AND (claimed_until IS NULL OR claimed_until < now() OR ($5::boolean AND split_part(claimed_by, ':', 1) <> $6))
               ORDER BY next_attempt_at, id
               LIMIT $4
               FOR UPDATE SKIP LOCKED))
         RETURNING o.id, o.delivery_id, o.rule, o.channel, o.recipient, o.content, o.attempts - 1 AS attempts, o.held_until`,
        [options.now.toISOString(), [...options.rules], options.transactional, options.limit, options.embedded, PROCESS, options.token, options.leaseMs],
    );
    // Back to the session's settings for the rest of the claim's transaction (recheck, rendering).
    await tx.exec('RESET enable_sort; RESET enable_bitmapscan');
    return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) })).sort((a, b) => a.id - b.id);
}

/** Extends the lease of the rows `token` still holds (one statement, while their messages are being sent and settled). */
export async function renewLease(store: Pick<Store, 'query'>, token: string, leaseMs: number): Promise<void> {
    await store.query(
        `UPDATE outbox SET claimed_until = now() + make_interval(secs => $2::float8 / 1000)
         WHERE claimed_by = $1 AND status = 'pending'`,
        [token, leaseMs],
    );
}

/** What became of one outbox row: its new status, and its delivery's when that changes. */
export interface RowOutcome {
    id: number;
    deliveryId: string;
    status: 'pending' | 'sent' | 'failed' | 'stopped';
    nextAttemptAt: Date | null;
    error: string | null;
    delivery?: 'sent' | 'failed' | 'cancelled' | 'suppressed';
    /** A held follow-up is sent when its quiet hours end: its delivery's time becomes that moment. */
    sentAt?: Date;
}

export interface DecisionUpdate {
    rule: string;
    eventId: string;
    outcome: 'stopped' | 'suppressed' | 'capped';
    /** Why (decisions.detail): the cap reached, for `capped`. */
    detail?: object;
}

/**
 * Writes the outcome of rows `token` holds, in one statement: their outbox status (the claim released;
 * a row stopped before sending gets its attempt back) and their deliveries' status. A row the token no
 * longer holds (its lease ran out and another dispatcher took it over) is left to its new holder.
 * Returns the outbox ids written.
 *
 * Both tables are reached by key from arrays bound as parameters (`id = ANY (...)`) and neither is
 * joined to anything: each row's new values are looked up in a JSON object by its id. Joined to the
 * batch's records, the outbox (estimated at one row: few rows are held by one claim token) was the
 * outer side of a nested loop that read the batch's records again for each row: 2.7 ms of a settle
 * of 100 on a server, the dispatch of transactional rows 0.78× of schema v17's (bench/README.md). With statistics
 * taken when a table's first page held no live row, the planner takes the table for one row and
 * turned a join of it into a scan of the whole table per row of the batch (serve, 2026-12-06;
 * test/runtime/trigger-plans.test.ts). Now a table is at worst read once, when it is small in pages.
 */
export async function settle(tx: Pick<StoreTx, 'query'>, outcomes: readonly RowOutcome[], token: string): Promise<Set<number>> {
    if (outcomes.length === 0) return new Set();
    // Each outbox row's new values, and each changing delivery's, in JSON objects keyed by id: found by key, not joined.
    const rows = Object.fromEntries(outcomes.map((u) => [u.id, { status: u.status, next_attempt_at: u.nextAttemptAt?.toISOString() ?? null, error: u.error }]));
    const changing = outcomes.filter((u) => u.delivery !== undefined);
    const { rows: done } = await tx.query<{ id: number }>(
        `WITH o AS (
             UPDATE outbox o SET status = $1::jsonb -> o.id::text ->> 'status',
                 next_attempt_at = coalesce(($1::jsonb -> o.id::text ->> 'next_attempt_at')::timestamptz, o.next_attempt_at),
                 last_error = coalesce($1::jsonb -> o.id::text ->> 'error', o.last_error), claimed_until = NULL, claimed_by = NULL,
                 attempts = o.attempts - CASE WHEN $1::jsonb -> o.id::text ->> 'status' = 'stopped' THEN 1 ELSE 0 END
             WHERE o.id = ANY ($3::bigint[]) AND o.claimed_by = $2
             RETURNING o.id, o.delivery_id
         ),
         d AS (
             -- "IS TRUE" keeps the second test out of the index condition: two arrays tested on one
             -- key column make a scan try their combinations (measured ~8% of a settle).
             -- The original-delivery flags are written as the recount (schema v9's trigger, after this
             -- statement) finds them when the delivery is its event's only sent original, a transactional
             -- message's usual case: it then has nothing to rewrite (a second version of each row was
             -- ~40% of a settle's statement on a server); otherwise it corrects them in this transaction.
             UPDATE deliveries d
                SET status = $5::jsonb ->> d.id, sent_at = coalesce(($6::jsonb ->> d.id)::timestamptz, d.sent_at),
                    first_original = d.rule IS NULL AND $5::jsonb ->> d.id = 'sent',
                    first_of_channel = d.rule IS NULL AND $5::jsonb ->> d.id = 'sent'
              WHERE d.id = ANY ($4::text[]) AND (d.id = ANY (ARRAY(SELECT o.delivery_id FROM o))) IS TRUE
             RETURNING d.id
         )
         SELECT id FROM o`,
        [JSON.stringify(rows), token, outcomes.map((u) => u.id), changing.map((u) => u.deliveryId),
            JSON.stringify(Object.fromEntries(changing.map((u) => [u.deliveryId, u.delivery]))),
            JSON.stringify(Object.fromEntries(changing.filter((u) => u.sentAt).map((u) => [u.deliveryId, u.sentAt!.toISOString()])))],
    );
    return new Set(done.map((row) => Number(row.id)));
}

/** The decisions of rows the recheck stopped, suppressed or capped: they say why nothing was sent (explain reports it). */
export async function recordStopped(tx: Pick<StoreTx, 'query'>, decisions: readonly DecisionUpdate[]): Promise<void> {
    if (decisions.length === 0) return;
    const rows = decisions.map((u) => ({ rule: u.rule, event_id: u.eventId, outcome: u.outcome, detail: u.detail ?? null }));
    await tx.query(
        `UPDATE decisions x SET outcome = r.outcome, detail = coalesce(r.detail, x.detail)
         FROM jsonb_to_recordset($1::jsonb) AS r(rule text, event_id text, outcome text, detail jsonb)
         WHERE x.rule = r.rule AND x.event_id = r.event_id`,
        [JSON.stringify(rows)],
    );
}
