// Schema v12 leaves `decisions.event_id` without a foreign key of its own: a decision's event is its
// trigger delivery's event. Schema v13 keys decisions by event; v14 checks the follow-up's outbox row and
// decision against its delivery by trigger, on delete; v15 checks the trigger delivery the same way,
// through the decisions key. These are the facts that rests on, on both engines.
import { expect, it } from 'vitest';
import { runRules, type Store } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { resetStore } from '../support/sql-fixtures.js';
import { count, plansOf, seedCarts } from './support.js';

const sources = {
    'shop.followup': `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart is waiting" text: "Still there" }
followup nudge { when cartAbandonment sent 1 day ago then send followup email }
`,
};

/** 30 carts whose emails went out a day before the run, and the run that decides a follow-up for each. */
async function decideThirtyCarts(store: Store): Promise<Awaited<ReturnType<typeof runRules>>> {
    await resetStore(store);
    await seedCarts(store, 30, new Date('2026-11-21T10:00:00Z'));
    return runRules(store, await plansOf(sources), { now: new Date('2026-11-22T12:00:00Z') });
}

forEachEngine('what a decision points to', (ctx) => {
    it("every decision's trigger delivery is there and of the decision's event, and neither can be deleted while the decision stays", async () => {
        const report = await decideThirtyCarts(ctx.store);
        expect(report.total.selected).toBe(30);
        expect(await count(ctx.store, 'decisions')).toBe(30);
        // What the dropped foreign key held (schema v15), held by how decisions are written.
        expect(await count(ctx.store, 'decisions x JOIN deliveries d ON d.id = x.trigger_delivery_id AND d.event_id = x.event_id')).toBe(30);
        expect(await count(ctx.store, "pg_constraint WHERE contype = 'f' AND conrelid = 'decisions'::regclass")).toBe(0);
        await expect(ctx.store.query("DELETE FROM deliveries WHERE id = 'd-cart-0'")).rejects.toThrow(/foreign key.*d-cart-0 is a decision's trigger/);
        await expect(ctx.store.query("DELETE FROM events WHERE id = 'cart-0'")).rejects.toThrow(/foreign key/);
        // The other deliveries of a decided event go (a decision names two of them, not the event's).
        await ctx.store.query("INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ('d-cart-0-sms', 'cart-0', 'm', 'sms', '+33612345678', now(), 'sent')");
        expect((await ctx.store.query("DELETE FROM deliveries WHERE id = 'd-cart-0-sms'")).rowCount).toBe(1);
    });
});

forEachEngine('how decisions are found', (ctx) => {
    it('by event, and by rule and event, through one key (event_id, rule): no index on event_id alone (schema v13), none by delivery (v15)', async () => {
        await decideThirtyCarts(ctx.store);
        const { rows: indexes } = await ctx.store.query<{ def: string }>(
            `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i WHERE i.indrelid = 'decisions'::regclass`);
        expect(indexes.map((r) => r.def.replace(/^.* USING btree /, '')).sort()).toEqual([
            '(event_id, rule)',
            '(rule, decided_at)',
        ]);
        // What prune and the check on deleting an event ask, and what a compiled selection asks.
        const plan = async (sql: string): Promise<string> =>
            ctx.store.transaction(async (tx) => {
                await tx.exec('SET LOCAL enable_seqscan = off');
                const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
                return rows.map((r) => r['QUERY PLAN']).join('\n');
            });
        expect(await plan("SELECT 1 FROM decisions WHERE event_id = ANY (ARRAY['cart-1', 'cart-2'])")).toMatch(/(using|Index Scan on) decisions_pkey/);
        expect(await plan("SELECT 1 FROM decisions WHERE rule = 'nudge' AND event_id = 'cart-1'")).toMatch(/(using|Index Scan on) decisions_pkey/);
    });
});

forEachEngine("a follow-up's delivery, its outbox row and its decision (schema v14: checked by trigger)", (ctx) => {
    it('are recorded together; the delivery cannot be deleted while either names it, nor its id changed', async () => {
        const report = await decideThirtyCarts(ctx.store);
        expect(report.total.queued).toBe(30);
        // What the dropped foreign keys held, held by how the rows are written: none names a missing delivery.
        expect(await count(ctx.store, 'outbox o WHERE o.rule IS NOT NULL')).toBe(30);
        expect(await count(ctx.store, 'outbox o WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = o.delivery_id)')).toBe(0);
        expect(await count(ctx.store, 'decisions x WHERE x.followup_delivery_id IS NOT NULL')).toBe(30);
        expect(await count(ctx.store, 'decisions x WHERE x.followup_delivery_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = x.followup_delivery_id)')).toBe(0);
        expect(await count(ctx.store, "pg_constraint WHERE contype = 'f' AND conrelid = 'outbox'::regclass")).toBe(0);

        const { rows } = await ctx.store.query<{ id: string }>("SELECT followup_delivery_id AS id FROM decisions WHERE event_id = 'cart-3'");
        const followup = rows[0]!.id;
        await expect(ctx.store.query('DELETE FROM deliveries WHERE id = $1', [followup])).rejects.toThrow(/foreign key.*outbox/);
        await expect(ctx.store.query("UPDATE deliveries SET id = 'renamed' WHERE id = $1", [followup])).rejects.toThrow(/never changes/);
        await ctx.store.query('DELETE FROM outbox WHERE delivery_id = $1', [followup]);
        await expect(ctx.store.query('DELETE FROM deliveries WHERE id = $1', [followup])).rejects.toThrow(/foreign key.*decision/);
        // Children first, as prune deletes: then the delivery goes.
        await ctx.store.query("DELETE FROM decisions WHERE event_id = 'cart-3'");
        expect((await ctx.store.query('DELETE FROM deliveries WHERE id = $1', [followup])).rowCount).toBe(1);
    });
});

forEachEngine("a delivery's event (schema v16: checked by trigger)", (ctx) => {
    it('an original naming a missing event is refused, a follow-up is its trigger\'s event, and an event with deliveries is not deleted nor renamed', async () => {
        const report = await decideThirtyCarts(ctx.store);
        expect(report.total.queued).toBe(30);
        expect(await count(ctx.store, "pg_constraint WHERE contype = 'f' AND conrelid = 'deliveries'::regclass")).toBe(0);
        // What the dropped key held for follow-ups, held by how they are written: their trigger's event.
        expect(await count(ctx.store, 'deliveries f JOIN decisions x ON x.followup_delivery_id = f.id JOIN deliveries t ON t.id = x.trigger_delivery_id WHERE f.event_id = t.event_id AND EXISTS (SELECT 1 FROM events e WHERE e.id = f.event_id)')).toBe(30);

        const original = (id: string, event: string) =>
            ctx.store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ($1, $2, 'm', 'email', 'a@example.com', now(), 'sent')`, [id, event]);
        await expect(original('d-nowhere', 'no-such-event')).rejects.toThrow(/foreign key.*event no-such-event is not there/);
        expect(await count(ctx.store, "deliveries WHERE id = 'd-nowhere'")).toBe(0);
        await original('d-cart-1-again', 'cart-1');
        expect(await count(ctx.store, "deliveries WHERE event_id = 'cart-1'")).toBe(3);

        await expect(ctx.store.query("UPDATE events SET id = 'cart-renamed' WHERE id = 'cart-2'")).rejects.toThrow(/an event's id never changes/);
        await expect(ctx.store.query("UPDATE deliveries SET event_id = 'cart-3' WHERE id = 'd-cart-2'")).rejects.toThrow(/a delivery's event never changes/);
        await ctx.store.query("INSERT INTO events (id, type, occurred_at, payload, received_at) VALUES ('lonely', 'cartAbandonment', now(), '{}', now())");
        await original('d-lonely', 'lonely');
        await expect(ctx.store.query("DELETE FROM events WHERE id = 'lonely'")).rejects.toThrow(/foreign key.*event lonely still has deliveries/);
        // Deliveries first, as prune deletes: then the event goes.
        await ctx.store.query("DELETE FROM deliveries WHERE id = 'd-lonely'");
        expect((await ctx.store.query("DELETE FROM events WHERE id = 'lonely'")).rowCount).toBe(1);
    });

    // PGlite has one connection: its transactions never overlap.
    if (ctx.engine === 'postgres') it('an original waits for an event being deleted, and is refused once the delete commits', async () => {
        await decideThirtyCarts(ctx.store);
        await ctx.store.query("INSERT INTO events (id, type, occurred_at, payload, received_at) VALUES ('going', 'cartAbandonment', now(), '{}', now())");
        let release!: () => void;
        const released = new Promise<void>((resolve) => { release = resolve; });
        let deleted!: () => void;
        const deletedNow = new Promise<void>((resolve) => { deleted = resolve; });
        const deleter = ctx.store.transaction(async (tx) => {
            await tx.query("DELETE FROM events WHERE id = 'going'");
            deleted();
            await released;
        });
        await deletedNow;
        let settled = false;
        const inserting = ctx.store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ('d-going', 'going', 'm', 'email', 'a@example.com', now(), 'sent')`)
            .finally(() => (settled = true));
        inserting.catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false); // waiting for the event's row, which the delete holds
        release();
        await deleter;
        await expect(inserting).rejects.toThrow(/foreign key.*event going is not there/);
        expect(await count(ctx.store, "deliveries WHERE id = 'd-going'")).toBe(0);
    });
});
