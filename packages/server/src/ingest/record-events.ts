// Records accepted events with their transactional deliveries and outbox rows in ONE statement:
// data-modifying CTEs insert the events (ON CONFLICT DO NOTHING: an id already stored is a
// duplicate, and gets nothing new), then the deliveries of the events just inserted (status
// 'queued', 'suppressed' when the address is suppressed on the channel, 'failed' when rendering
// failed; sent_at = the clock's now, docs/language.md §4), then the outbox rows of the queued and failed
// ones. One statement is atomic by itself, and costs one round trip.
import type { StoreTx } from '@followup/runtime';
import type { PreparedEvent } from './prepare-events.js';

const RECORD_EVENTS = /* sql */ `
WITH e AS (
    INSERT INTO events (id, type, occurred_at, payload, received_at)
    SELECT r.id, r.type, r.occurred_at, r.payload::jsonb, $5
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS r(id, type, occurred_at, payload)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
),
r AS (
    SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                         $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
        AS r(id, event_id, message, channel, recipient, address, subject, html, text, title, headers, error)
),
d AS (
    INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
    SELECT r.id, r.event_id, r.message, r.channel, r.recipient, $5,
           CASE WHEN r.error IS NOT NULL THEN 'failed'
                WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.channel = r.channel AND s.address = r.address) THEN 'suppressed'
                ELSE 'queued' END,
           NULL
    FROM r JOIN e ON e.id = r.event_id
    ON CONFLICT (id) DO NOTHING
    RETURNING id, status
),
o AS (
    INSERT INTO outbox (delivery_id, rule, channel, recipient, content, status, next_attempt_at, last_error)
    SELECT r.id, NULL, r.channel, r.recipient,
           jsonb_strip_nulls(jsonb_build_object('eventId', r.event_id, 'subject', r.subject, 'html', r.html,
               'text', r.text, 'title', r.title, 'error', r.error)) || jsonb_build_object('headers', r.headers::jsonb),
           CASE WHEN d.status = 'failed' THEN 'failed' ELSE 'pending' END, $5, r.error
    FROM d JOIN r ON r.id = d.id
    WHERE d.status IN ('queued', 'failed')
    RETURNING delivery_id
)
SELECT 'event' AS kind, id, NULL AS status FROM e
UNION ALL
SELECT 'delivery' AS kind, id, status FROM d`;

export interface RecordedDelivery {
    id: string;
    status: 'queued' | 'suppressed' | 'failed';
}

export interface RecordResult {
    /** Ids of the events inserted now (the others were already stored: duplicates). */
    inserted: Set<string>;
    /** The deliveries made now, by id. */
    deliveries: Map<string, RecordedDelivery['status']>;
}

export async function recordEvents(tx: StoreTx, events: readonly PreparedEvent[], now: Date): Promise<RecordResult> {
    const deliveries = events.flatMap((e) => e.deliveries);
    const column = <T>(f: (d: (typeof deliveries)[number]) => T) => deliveries.map(f);
    const { rows } = await tx.query<{ kind: 'event' | 'delivery'; id: string; status: RecordedDelivery['status'] | null }>(RECORD_EVENTS, [
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.occurredAt),
        events.map((e) => e.payload),
        now.toISOString(),
        column((d) => d.deliveryId),
        column((d) => d.eventId),
        column((d) => d.message),
        column((d) => d.channel),
        column((d) => d.recipient),
        column((d) => d.address),
        column((d) => d.content.subject ?? null),
        column((d) => d.content.html ?? null),
        column((d) => d.content.text ?? null),
        column((d) => d.content.title ?? null),
        column((d) => JSON.stringify(d.headers)),
        column((d) => d.error ?? null),
    ]);
    const result: RecordResult = { inserted: new Set(), deliveries: new Map() };
    for (const row of rows) {
        if (row.kind === 'event') result.inserted.add(row.id);
        else result.deliveries.set(row.id, row.status!);
    }
    return result;
}

/** The transactional deliveries already stored for events posted again (duplicates). */
export async function storedDeliveries(tx: StoreTx, eventIds: readonly string[]): Promise<Map<string, { id: string; status: string }[]>> {
    const byEvent = new Map<string, { id: string; status: string }[]>();
    if (eventIds.length === 0) return byEvent;
    const { rows } = await tx.query<{ id: string; event_id: string; status: string }>(
        `SELECT id, event_id, status FROM deliveries WHERE event_id = ANY ($1::text[]) AND rule IS NULL ORDER BY id`,
        [[...eventIds]],
    );
    for (const row of rows) {
        const list = byEvent.get(row.event_id) ?? [];
        list.push({ id: row.id, status: row.status });
        byEvent.set(row.event_id, list);
    }
    return byEvent;
}
