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
 * Up to `limit` pending rows that are due (`next_attempt_at <= now`), of the given rules (and
 * transactional ones, rule NULL, when asked), that nobody holds: unclaimed, or whose lease ran out
 * (the database's clock), or, on the embedded store, claimed by another process. Locked until the
 * transaction ends (`FOR UPDATE SKIP LOCKED`: rows another transaction is claiming are skipped).
 */
export async function selectClaimable(
    tx: StoreTx,
    options: { now: Date; rules: readonly string[]; transactional: boolean; limit: number; embedded: boolean },
): Promise<OutboxRow[]> {
    const { rows } = await tx.query<OutboxRow>(
        `SELECT id, delivery_id, rule, channel, recipient, content, attempts FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= $1
           AND (rule = ANY ($2::text[]) OR ($3::boolean AND rule IS NULL))
           AND (claimed_until IS NULL OR claimed_until < now() OR ($5::boolean AND split_part(claimed_by, ':', 1) <> $6))
         ORDER BY id
         LIMIT $4
         FOR UPDATE SKIP LOCKED`,
        [options.now.toISOString(), [...options.rules], options.transactional, options.limit, options.embedded, PROCESS],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
}

/** Takes the lease on rows selected in this transaction: `token` holds them for `leaseMs`; an attempt is counted. */
export async function leaseRows(tx: StoreTx, ids: readonly number[], token: string, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
        `UPDATE outbox SET claimed_by = $2, claimed_until = now() + make_interval(secs => $3::float8 / 1000), attempts = attempts + 1
         WHERE id = ANY ($1::bigint[])`,
        [[...ids], token, leaseMs],
    );
}

/** Extends the lease of the rows `token` still holds (one statement, while their messages are being sent). */
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
}

export interface DecisionUpdate {
    rule: string;
    eventId: string;
    outcome: 'stopped' | 'suppressed';
}

/**
 * Writes the outcome of rows: their outbox status (the claim released), their deliveries' status, and
 * the decisions of rows stopped at the recheck. With `token`, only rows that token still holds are
 * written, with their deliveries (a dispatcher whose lease ran out does not overwrite its successor's
 * outcome); without it, the caller's transaction has the rows locked. Returns the outbox ids written.
 */
export async function settle(tx: StoreTx, outcomes: readonly RowOutcome[], decisions: readonly DecisionUpdate[], token?: string): Promise<Set<number>> {
    const written = new Set<number>();
    if (outcomes.length > 0) {
        const rows = outcomes.map((u) => ({ id: u.id, status: u.status, next_attempt_at: u.nextAttemptAt?.toISOString() ?? null, error: u.error }));
        const { rows: done } = await tx.query<{ id: number }>(
            `UPDATE outbox o SET status = r.status, next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at),
                 last_error = coalesce(r.error, o.last_error), claimed_until = NULL, claimed_by = NULL
             FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, status text, next_attempt_at timestamptz, error text)
             WHERE o.id = r.id AND ($2::text IS NULL OR o.claimed_by = $2)
             RETURNING o.id`,
            [JSON.stringify(rows), token ?? null],
        );
        for (const row of done) written.add(Number(row.id));
    }
    const deliveries = outcomes.filter((u) => u.delivery !== undefined && written.has(u.id)).map((u) => ({ id: u.deliveryId, status: u.delivery }));
    if (deliveries.length > 0) {
        await tx.query(
            `UPDATE deliveries d SET status = r.status
             FROM jsonb_to_recordset($1::jsonb) AS r(id text, status text)
             WHERE d.id = r.id`,
            [JSON.stringify(deliveries)],
        );
    }
    if (decisions.length > 0) {
        const rows = decisions.map((u) => ({ rule: u.rule, event_id: u.eventId, outcome: u.outcome }));
        await tx.query(
            `UPDATE decisions x SET outcome = r.outcome
             FROM jsonb_to_recordset($1::jsonb) AS r(rule text, event_id text, outcome text)
             WHERE x.rule = r.rule AND x.event_id = r.event_id`,
            [JSON.stringify(rows)],
        );
    }
    return written;
}
