/**
 * Small builders for store rows (schema v1: packages/runtime/src/store/migrations/0001_initial.ts),
 * so a scenario reads as records in, a clock, ids out.
 */
import type { StoreTx } from '@followup/runtime';

export type Instant = Date | string;

const iso = (t: Instant) => (typeof t === 'string' ? new Date(t).toISOString() : t.toISOString());

/** `t` plus a number of days / hours / minutes / seconds (negative to go back). */
export function shift(t: Instant, by: { days?: number; hours?: number; minutes?: number; seconds?: number }): Date {
    const ms = (((by.days ?? 0) * 24 + (by.hours ?? 0)) * 60 + (by.minutes ?? 0)) * 60_000 + (by.seconds ?? 0) * 1000;
    return new Date(new Date(iso(t)).getTime() + ms);
}

/** Empties every table a rule query reads (and those that reference them). */
export async function resetStore(db: StoreTx): Promise<void> {
    await db.query('TRUNCATE outbox, decisions, runs, tracking, deliveries, suppressions, profiles, events, rule_watermarks');
}

export async function insertEvent(db: StoreTx, e: { id: string; type: string; payload: Record<string, unknown>; occurredAt?: Instant }): Promise<void> {
    await db.query('INSERT INTO events (id, type, occurred_at, payload) VALUES ($1, $2, $3, $4::jsonb)', [
        e.id, e.type, iso(e.occurredAt ?? '2026-01-01T00:00:00Z'), JSON.stringify(e.payload),
    ]);
}

export interface DeliveryRow {
    id: string;
    eventId: string;
    sentAt: Instant;
    channel?: 'email' | 'sms' | 'push';
    status?: 'queued' | 'sent' | 'failed' | 'suppressed';
    /** NULL (the default): an original delivery; else the follow-up rule that made it. */
    rule?: string | null;
    message?: string;
    recipient?: string;
}

export async function insertDelivery(db: StoreTx, d: DeliveryRow): Promise<void> {
    await db.query(
        `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.id, d.eventId, d.message ?? (d.rule ? 'followup' : 'transactional'), d.channel ?? 'email',
            d.recipient ?? 'someone@example.com', iso(d.sentAt), d.status ?? 'sent', d.rule ?? null],
    );
}

export async function track(
    db: StoreTx,
    t: { deliveryId: string; kind: 'delivered' | 'open' | 'click' | 'bounce' | 'complaint'; at: Instant; url?: string; link?: string; hard?: boolean; machine?: boolean },
): Promise<void> {
    await db.query('INSERT INTO tracking (delivery_id, kind, at, url, link, hard, machine) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        t.deliveryId, t.kind, iso(t.at), t.url ?? null, t.link ?? null, t.hard ?? null, t.machine ?? false,
    ]);
}

export async function suppress(
    db: StoreTx,
    s: { channel?: 'email' | 'sms' | 'push'; address: string; reason?: 'hard_bounce' | 'unsubscribe' | 'complaint'; at: Instant },
): Promise<void> {
    await db.query('INSERT INTO suppressions (channel, address, reason, at) VALUES ($1, $2, $3, $4)', [
        s.channel ?? 'email', s.address, s.reason ?? 'hard_bounce', iso(s.at),
    ]);
}

export async function decide(
    db: StoreTx,
    x: { rule: string; eventId: string; triggerDeliveryId: string; outcome?: 'send' | 'suppressed' | 'expired' | 'stopped'; at: Instant },
): Promise<void> {
    await db.query('INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at) VALUES ($1, $2, $3, $4, $5)', [
        x.rule, x.eventId, x.triggerDeliveryId, x.outcome ?? 'send', iso(x.at),
    ]);
}

export async function insertProfile(db: StoreTx, p: { key: string; payload: Record<string, unknown>; updatedAt?: Instant }): Promise<void> {
    await db.query('INSERT INTO profiles (key, payload, updated_at) VALUES ($1, $2::jsonb, $3)', [
        p.key, JSON.stringify(p.payload), iso(p.updatedAt ?? '2026-01-01T00:00:00Z'),
    ]);
}

/** An event with one original delivery `d-<id>` (the common case): returns the delivery id. */
export async function eventWithDelivery(
    db: StoreTx,
    e: { id: string; type: string; payload: Record<string, unknown>; sentAt: Instant; occurredAt?: Instant } & Partial<Omit<DeliveryRow, 'id' | 'eventId' | 'sentAt'>>,
): Promise<string> {
    const { id, type, payload, sentAt, occurredAt, ...delivery } = e;
    await insertEvent(db, { id, type, payload, occurredAt: occurredAt ?? shift(sentAt, { minutes: -1 }) });
    const deliveryId = `d-${id}`;
    await insertDelivery(db, { id: deliveryId, eventId: id, sentAt, ...delivery });
    return deliveryId;
}
