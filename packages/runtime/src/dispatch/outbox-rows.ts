// Reading and settling outbox rows. Updates go in batches (one statement per table per batch).
import type { OutboxContent } from '../executor/record-decisions.js';
import type { StoreTx } from '../store/store.js';
import type { ChannelName } from '../transport/transport.js';

export interface OutboxRow {
    id: number;
    delivery_id: string;
    rule: string | null;
    channel: ChannelName;
    recipient: string;
    content: OutboxContent;
    attempts: number;
    /** Set when the follow-up was held by quiet hours: sent now, its delivery is timed now. */
    held_until: Date | null;
}

/**
 * Claims up to `limit` pending rows that are due, of the given rules (and transactional ones, rule
 * NULL, when asked), locking them until the transaction ends. SKIP LOCKED: rows another process is
 * sending are not waited for, just skipped; a process killed while sending releases its locks with its
 * connection, so the rows are pending again at once.
 */
export async function claimBatch(
    tx: StoreTx,
    options: { now: Date; rules: readonly string[]; transactional: boolean; limit: number },
): Promise<OutboxRow[]> {
    const { rows } = await tx.query<OutboxRow>(
        `SELECT id, delivery_id, rule, channel, recipient, content, attempts, held_until FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= $1
           AND (rule = ANY ($2::text[]) OR ($3::boolean AND rule IS NULL))
         ORDER BY id
         LIMIT $4
         FOR UPDATE SKIP LOCKED`,
        [options.now.toISOString(), [...options.rules], options.transactional, options.limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface OutboxUpdate {
    id: number;
    status: 'pending' | 'sent' | 'failed' | 'stopped';
    /** 1 when a transport was tried, 0 when the row was stopped before sending. */
    attempted: 0 | 1;
    nextAttemptAt: Date | null;
    error: string | null;
}

export interface DeliveryUpdate {
    id: string;
    status: 'sent' | 'failed' | 'cancelled' | 'suppressed';
    /** A held follow-up is sent when its quiet hours end: its delivery's time becomes that moment. */
    sentAt?: Date;
}

export interface DecisionUpdate {
    rule: string;
    eventId: string;
    outcome: 'stopped' | 'suppressed' | 'capped';
    detail?: object;
}

export async function settle(
    tx: StoreTx,
    updates: { outbox: readonly OutboxUpdate[]; deliveries: readonly DeliveryUpdate[]; decisions: readonly DecisionUpdate[] },
): Promise<void> {
    if (updates.outbox.length > 0) {
        const rows = updates.outbox.map((u) => ({
            id: u.id,
            status: u.status,
            attempted: u.attempted,
            next_attempt_at: u.nextAttemptAt?.toISOString() ?? null,
            error: u.error,
        }));
        await tx.query(
            `UPDATE outbox o SET status = r.status, attempts = o.attempts + r.attempted,
                 next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at), last_error = coalesce(r.error, o.last_error)
             FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, status text, attempted int, next_attempt_at timestamptz, error text)
             WHERE o.id = r.id`,
            [JSON.stringify(rows)],
        );
    }
    if (updates.deliveries.length > 0) {
        const rows = updates.deliveries.map((u) => ({ id: u.id, status: u.status, sent_at: u.sentAt?.toISOString() ?? null }));
        await tx.query(
            `UPDATE deliveries d SET status = r.status, sent_at = coalesce(r.sent_at, d.sent_at)
             FROM jsonb_to_recordset($1::jsonb) AS r(id text, status text, sent_at timestamptz)
             WHERE d.id = r.id`,
            [JSON.stringify(rows)],
        );
    }
    if (updates.decisions.length > 0) {
        const rows = updates.decisions.map((u) => ({ rule: u.rule, event_id: u.eventId, outcome: u.outcome, detail: u.detail ?? null }));
        await tx.query(
            `UPDATE decisions x SET outcome = r.outcome, detail = coalesce(r.detail, x.detail)
             FROM jsonb_to_recordset($1::jsonb) AS r(rule text, event_id text, outcome text, detail jsonb)
             WHERE x.rule = r.rule AND x.event_id = r.event_id`,
            [JSON.stringify(rows)],
        );
    }
}
