/**
 * On PGlite the runtime reads a rule's selection packed as JSON arrays of rows (executor/rule-queries.ts,
 * StoreTx.packRows), not row by row. What it reads must be what the selection returns as rows: every
 * column, over more than one array, with microsecond and pre-1970 instants, a recipient missing, a
 * profile, and text that JSON escapes. Packed reading is checked on both engines.
 *
 * A run that renders nothing (no dry run, nobody reading its messages) selects with `decision`: the
 * same rows, each event and profile reduced to the fields deciding reads, or null.
 */
import { expect, it } from 'vitest';
import { bindParameters, selectDue, type SelectedRow, type StoreTx } from '@followup/runtime';
import { normaliseEmail } from '@followup/values';
import { compileSources, ruleNamed } from '../support/run-query.js';
import { forEachEngine } from '../support/stores.js';

const source = `
profile { key customerId  customerId: string  email: email  firstName: string }
event orderShipped targeting profile { customerId: string  trackingUrl: url  note: string }
message note for orderShipped email { subject: "Hi {{ profile.firstName }}" text: "{{ trackingUrl }} {{ note }}" }
followup nudge { when orderShipped sent 1 day ago then send note email }
`;
const SHIPMENTS = 2300; // three arrays of rows, the last one short
const watermark = new Date('1969-01-01T00:00:00Z');
const now = new Date('2026-11-23T10:00:00Z');

forEachEngine('a selection read packed', (ctx) => {
    it(`reads what the selection returns as rows (${SHIPMENTS} rows and three from 1969)`, async () => {
        const { rules } = await compileSources({ 'shop.followup': source });
        const plan = ruleNamed(rules, 'nudge').plan;
        const db = ctx.store;
        await db.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT 'ship-' || i, 'orderShipped', at, jsonb_build_object(
                 'customerId', 'c' || i, 'trackingUrl', 'https://track.example/' || i,
                 'note', CASE i % 3 WHEN 0 THEN 'café ✓ "quoted" \\ back' WHEN 1 THEN E'line\\nbreak\\ttab' ELSE '' END,
                 'extra', jsonb_build_object('n', i * 1.5, 'big', 12345678901234567890, 'list', jsonb_build_array(i, null, true)))
             FROM (SELECT i, CASE WHEN i < 3 THEN timestamptz '1969-07-20 20:17:40.123456+00' + i * interval '1 hour'
                                  ELSE timestamptz '2026-11-20 08:00:00+00' + i * interval '1 second' + (i % 1000) * interval '1001 microseconds' END AS at
                   FROM generate_series(0, $1::int - 1) AS i) AS s`, [SHIPMENTS]);
        await db.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
             SELECT 'd-' || e.id, e.id, 'shipped', 'email', 'someone@example.com', e.occurred_at FROM events e WHERE e.type = 'orderShipped'`);
        // Every other customer has a profile (the others have no recipient), a few of them with an address to normalise.
        await db.query(
            `INSERT INTO profiles (key, payload, updated_at)
             SELECT 'c' || i, jsonb_build_object('customerId', 'c' || i, 'email', CASE WHEN i % 10 = 0 THEN '  Shopper' || i || '@Example.COM ' ELSE 'shopper' || i || '@example.com' END, 'firstName', 'Zoë ' || i),
                    timestamptz '1960-01-01 00:00:00+00'
             FROM generate_series(0, $1::int - 1, 2) AS i`, [SHIPMENTS]);

        const packed: StoreTx = { packRows: true, query: (sql, params) => db.query(sql, params), exec: (script) => db.exec(script) };
        const selected = await selectDue(packed, plan, watermark, now);
        const query = plan.queries.selection;
        const { rows } = await db.query<SelectedRow>(query.sql, bindParameters(query, [watermark.toISOString(), now.toISOString()]));
        const asRows = rows.map((r) => ({ ...r, recipient: r.recipient === null ? null : normaliseEmail(r.recipient) }));
        const comparable = (r: Pick<SelectedRow, 'trigger_delivery_id' | 'event_id' | 'sent_at' | 'recipient' | 'event' | 'profile'>) =>
            [r.trigger_delivery_id, r.event_id, r.sent_at.getTime(), r.recipient, r.event, r.profile] as const;
        const byId = (a: readonly unknown[], b: readonly unknown[]) => String(a[0]).localeCompare(String(b[0]));

        expect(selected).toHaveLength(SHIPMENTS);
        expect(selected.map(comparable).sort(byId)).toEqual(asRows.map(comparable).sort(byId));
        // The store's own way (packed on PGlite, rows on PostgreSQL) reads the same, in the same order.
        expect(db.packRows === true).toBe(ctx.engine === 'pglite');
        expect((await selectDue(db, plan, watermark, now)).map(comparable)).toEqual(selected.map(comparable));
        // What the comparison stands on: instants to the millisecond (before 1970 too), no recipient without a profile.
        const first = selected.find((r) => r.event_id === 'ship-0')!;
        expect(first.sent_at.toISOString()).toBe('1969-07-20T20:17:40.123Z');
        expect(selected.find((r) => r.event_id === 'ship-1003')!.sent_at.toISOString()).toBe('2026-11-20T08:16:43.003Z');
        expect(selected.find((r) => r.event_id === 'ship-1')!.recipient).toBeNull();
        expect(selected.find((r) => r.event_id === 'ship-10')!.recipient).toBe('shopper10@example.com');
        expect(first.event!.note).toBe('café ✓ "quoted" \\ back');
        // In the order the triggers were sent.
        expect(selected.slice(0, 3).map((r) => r.event_id)).toEqual(['ship-0', 'ship-1', 'ship-2']);
    });

    it('reads, for deciding alone, the same rows with only the fields deciding reads: the zone for quiet hours, the key for a holdout', async () => {
        const { rules } = await compileSources({ 'visits.followup': `
event visit { key customerId  customerId: string  email: email  timezone: string  note: string }
message hello for visit email { subject: "Hi" text: "{{ note }}" }
followup plain { when visit sent 1 day ago then send hello email }
followup careful {
  when visit sent 1 day ago then send hello email
  quiet hours 21:00 to 08:00 in "UTC"
  holdout 10%
}
` });
        const db = ctx.store;
        await db.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT 'visit-' || i, 'visit', timestamptz '2026-11-20 08:00:00+00' + i * interval '1 minute',
                    jsonb_build_object('customerId', 'c' || i, 'email', 'v' || i || '@example.com', 'note', repeat('x', 3000))
                    || CASE WHEN i % 2 = 0 THEN jsonb_build_object('timezone', 'Asia/Tokyo') ELSE '{}' END
             FROM generate_series(0, 2499) AS i`);
        await db.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
             SELECT 'd-' || e.id, e.id, 'visited', 'email', e.payload ->> 'email', e.occurred_at FROM events e WHERE e.type = 'visit'`);
        for (const name of ['plain', 'careful']) {
            const plan = ruleNamed(rules, name).plan;
            const full = await selectDue(db, plan, watermark, now, 'full');
            const deciding = await selectDue(db, plan, watermark, now, 'decision');
            expect(full).toHaveLength(2500);
            const withoutContent = ({ event: _e, profile: _p, ...rest }: SelectedRow) => rest;
            expect(deciding.map(withoutContent)).toEqual(full.map(withoutContent));
            expect(full[0]!.event!.note).toHaveLength(3000);
            if (name === 'plain') {
                expect(deciding.every((r) => r.event === null && r.profile === null)).toBe(true);
            } else {
                expect(deciding.find((r) => r.event_id === 'visit-0')!.event).toEqual({ timezone: 'Asia/Tokyo', customerId: 'c0' });
                // A field the payload lacks reads as null: no zone, as when it is missing.
                expect(deciding.find((r) => r.event_id === 'visit-1')!.event).toEqual({ timezone: null, customerId: 'c1' });
            }
        }
    });
});
