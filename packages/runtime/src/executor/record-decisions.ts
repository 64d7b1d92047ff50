// Writes a run's decisions, follow-up deliveries and outbox rows in batches: one statement per table
// per chunk, rows travelling as one JSON document (jsonb_to_recordset), so the same SQL runs on PGlite
// and pg without array-literal encoding differences, and 1000 rows cost one round trip, not 1000.
import type { RenderPlan } from '@followup/compiler';
import type { StoreTx } from '../store/store.js';

export type Outcome = 'send' | 'suppressed' | 'expired' | 'stopped';

export interface DecisionRow {
    eventId: string;
    triggerDeliveryId: string;
    outcome: Outcome;
    /** The follow-up's delivery, for 'send'. */
    followupDeliveryId: string | null;
}

/** What the outbox row holds: everything a transport needs, so dispatch never re-renders. */
export interface OutboxContent {
    eventId: string;
    rule: string;
    subject?: string;
    html?: string;
    text?: string;
    title?: string;
    headers: Record<string, string>;
    /** Why it could not be sent at all (rendering failed, no recipient address). */
    error?: string;
}

export interface FollowupRow {
    deliveryId: string;
    eventId: string;
    recipient: string;
    /** 'queued' waits for dispatch; 'failed' could not be rendered or addressed. */
    status: 'queued' | 'failed';
    content: OutboxContent;
}

/** Statements stay well under PostgreSQL's limits and keep memory flat for big runs. */
export const RECORD_CHUNK = 1000;

const INSERT_DELIVERIES = `
INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
SELECT r.id, r.event_id, $2, $3, r.recipient, $4, r.status, $5
FROM jsonb_to_recordset($1::jsonb) AS r(id text, event_id text, recipient text, status text)`;

const INSERT_OUTBOX = `
INSERT INTO outbox (delivery_id, rule, channel, recipient, content, status, next_attempt_at, last_error)
SELECT r.delivery_id, $2, $3, r.recipient, r.content, r.status, $4, r.content ->> 'error'
FROM jsonb_to_recordset($1::jsonb) AS r(delivery_id text, recipient text, content jsonb, status text)`;

// A plain INSERT: the (rule, event_id) primary key is what makes a decision at most once, ever.
// A second decision for the same event fails the statement and rolls the whole run back.
const INSERT_DECISIONS = `
INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at, run_id, followup_delivery_id)
SELECT $2, r.event_id, r.trigger_delivery_id, r.outcome, $3, $4, r.followup_delivery_id
FROM jsonb_to_recordset($1::jsonb) AS r(event_id text, trigger_delivery_id text, outcome text, followup_delivery_id text)`;

/**
 * Records one chunk: the follow-ups' deliveries (timed at the run's `now`, LANGUAGE.md §4), their
 * outbox rows, then every decision (the foreign keys point from decisions to deliveries).
 */
export async function recordChunk(
    tx: StoreTx,
    plan: RenderPlan,
    run: { id: number; now: Date },
    followups: readonly FollowupRow[],
    decisions: readonly DecisionRow[],
): Promise<void> {
    const now = run.now.toISOString();
    if (followups.length > 0) {
        const deliveries = followups.map((f) => ({ id: f.deliveryId, event_id: f.eventId, recipient: f.recipient, status: f.status }));
        await tx.query(INSERT_DELIVERIES, [JSON.stringify(deliveries), plan.message, plan.channel, now, plan.rule]);
        const outbox = followups.map((f) => ({
            delivery_id: f.deliveryId,
            recipient: f.recipient,
            content: f.content,
            status: f.status === 'queued' ? 'pending' : 'failed',
        }));
        await tx.query(INSERT_OUTBOX, [JSON.stringify(outbox), plan.rule, plan.channel, now]);
    }
    if (decisions.length > 0) {
        const rows = decisions.map((d) => ({
            event_id: d.eventId,
            trigger_delivery_id: d.triggerDeliveryId,
            outcome: d.outcome,
            followup_delivery_id: d.followupDeliveryId,
        }));
        await tx.query(INSERT_DECISIONS, [JSON.stringify(rows), plan.rule, now, run.id]);
    }
}
