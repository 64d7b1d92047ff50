// What the report counts (docs/measuring.md, "The report"), on small stores where each number can be
// told by hand, on PGlite and on PostgreSQL 15: engagement with the follow-ups (delivered, opened by a
// person, clicked), conversions only in (t, t + within] and as of now, `with same`, the days, a rule
// without a holdout, the messages added up.
import { beforeAll, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { buildReport, holdoutPoint, runRules } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, insertEvent, resetStore, shift, track } from '../support/sql-fixtures.js';
import { plansOf } from '../runtime/support.js';

const source = `
event cart { key customerId  customerId: string  email: email  orderId: string }
event purchase { key customerId  customerId: string  email: email  orderId: string  total: decimal }
message m for cart email { subject: "s" text: "t" }
message n for cart email { subject: "s" text: "t" }
followup measured { when cart sent 1 day ago then send m email  holdout 50%  goal purchase within 2 days value total }
followup sameOrder { when cart sent 1 day ago then send n email  goal purchase with same orderId within 2 days }
followup counted { when cart sent 1 day ago then send m email }
`;

const now = new Date('2026-11-23T10:00:00Z');
let plans: RenderPlan[];
const held = (i: number) => holdoutPoint(plans.find((p) => p.rule === 'measured')!.holdout!.seed, `c${i}`) < 0.5;
const PEOPLE = 12;

beforeAll(async () => {
    plans = await plansOf({ 'shop.followup': source });
});

forEachEngine('report counts', (ctx) => {
    let sent: number[];
    let heldOut: number[];

    beforeAll(async () => {
        await resetStore(ctx.store);
        for (let i = 0; i < PEOPLE; i++) {
            await eventWithDelivery(ctx.store, {
                id: `cart-${i}`, type: 'cart', sentAt: shift(now, { days: -1, hours: -1, minutes: i }), recipient: `c${i}@example.com`,
                payload: { customerId: `c${i}`, email: `c${i}@example.com`, orderId: `o${i}` },
            });
        }
        await runRules(ctx.store, plans, { now });
        await ctx.store.query(`UPDATE deliveries SET status = 'sent' WHERE rule IS NOT NULL`);
        sent = Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => !held(i));
        heldOut = Array.from({ length: PEOPLE }, (_, i) => i).filter(held);
        expect(sent.length).toBeGreaterThanOrEqual(3);
        expect(heldOut.length).toBeGreaterThanOrEqual(3);
        const [a, b, c] = sent;
        // Engagement with measured's follow-ups: a delivered and opened by a machine only; b opened by a
        // person; c clicked (no open recorded: a click proves it); a click after now does not count.
        await track(ctx.store, { deliveryId: `measured:cart-${a}`, kind: 'delivered', at: shift(now, { minutes: 1 }) });
        await track(ctx.store, { deliveryId: `measured:cart-${a}`, kind: 'open', at: shift(now, { minutes: 2 }), machine: true });
        await track(ctx.store, { deliveryId: `measured:cart-${b}`, kind: 'open', at: shift(now, { minutes: 3 }) });
        await track(ctx.store, { deliveryId: `measured:cart-${c}`, kind: 'click', at: shift(now, { minutes: 4 }) });
        await track(ctx.store, { deliveryId: `measured:cart-${b}`, kind: 'click', at: shift(now, { days: 9 }) });
        const purchase = (i: number, id: string, at: Date, total: number, orderId = `o${i}`) => insertEvent(ctx.store, {
            id, type: 'purchase', occurredAt: at, payload: { customerId: `c${i}`, email: `c${i}@example.com`, orderId, total },
        });
        // Sent a: buys twice in the window (one conversion, revenue 30 + 12), b buys after the window,
        // c buys before the follow-up (not a conversion), then once more inside (another order: 5).
        await purchase(a, 'p-a1', shift(now, { hours: 1 }), 30);
        await purchase(a, 'p-a2', shift(now, { days: 1 }), 12);
        await purchase(b, 'p-b', shift(now, { days: 2, minutes: 1 }), 99);
        await purchase(c, 'p-c0', shift(now, { minutes: -5 }), 50);
        await purchase(c, 'p-c1', shift(now, { days: 2 }), 5, 'other-order');
        // Held out: the first buys in its window (7), the second exactly at t (not after it).
        await purchase(heldOut[0]!, 'p-h1', shift(now, { hours: 5 }), 7);
        await purchase(heldOut[1]!, 'p-h2', now, 8);
    });

    it('counts engagement with the follow-ups: delivered, opened by a person (a click counts, a machine open does not), clicked, as of now', async () => {
        const report = await buildReport(ctx.store, plans, { now: shift(now, { days: 3 }) });
        expect(report.rules.find((r) => r.rule === 'measured')!.counts).toEqual({
            selected: PEOPLE, sent: sent.length, heldOut: heldOut.length, delivered: 1, opened: 2, clicked: 1, converted: 2,
        });
    });

    it('converts in (t, t + within] as of now, sums the goal values, and compares with the held out', async () => {
        const r = (await buildReport(ctx.store, plans, { now: shift(now, { days: 3 }) })).rules.find((x) => x.rule === 'measured')!;
        expect(r.sentGroup).toMatchObject({ people: sent.length, measured: sent.length, converted: 2, revenue: 47 });
        expect(r.heldOutGroup).toMatchObject({ people: heldOut.length, measured: heldOut.length, converted: 1, revenue: 7 });
        expect(r.verdict).toBe('not-enough-data');
        // As of a moment inside the window: nobody measured yet, the purchases so far not counted.
        const early = (await buildReport(ctx.store, plans, { now: shift(now, { hours: 2 }) })).rules.find((x) => x.rule === 'measured')!;
        expect(early.sentGroup).toMatchObject({ measured: 0, converted: 0, rate: null });
        expect(early.measuring).toBe(PEOPLE);
    });

    it('with same: only a purchase of the same order converts; without a holdout, the sent group alone', async () => {
        const r = (await buildReport(ctx.store, plans, { now: shift(now, { days: 3 }) })).rules.find((x) => x.rule === 'sameOrder')!;
        // a (two purchases of o<a>) and the first held out (o<h1>) converted; c's in-window purchase is another order.
        expect(r.sentGroup).toMatchObject({ people: PEOPLE, converted: 2 });
        expect(r.heldOutGroup).toBeNull();
        expect(r.verdict).toBe('no-holdout');
        expect(r.lift).toBeNull();
    });

    it('per day: sent and held out by the day measured from, conversions by the day of the first goal event', async () => {
        const r = (await buildReport(ctx.store, plans, { now: shift(now, { days: 3 }), daily: true })).rules.find((x) => x.rule === 'measured')!;
        expect(r.daily).toEqual([
            { day: '2026-11-23', sent: sent.length, held_out: heldOut.length, converted_sent: 1, converted_held_out: 1 },
            { day: '2026-11-25', sent: 0, held_out: 0, converted_sent: 1, converted_held_out: 0 },
        ]);
    });

    it('adds up the rules that send the same message; a rule without a goal has counts only', async () => {
        const report = await buildReport(ctx.store, plans, { now: shift(now, { days: 3 }) });
        expect(report.messages.find((m) => m.message === 'm')).toEqual({
            message: 'm', channel: 'email', event: 'cart', rules: ['counted', 'measured'],
            counts: { selected: 2 * PEOPLE, sent: PEOPLE + sent.length, heldOut: heldOut.length, delivered: 1, opened: 2, clicked: 1 },
        });
        expect(report.rules.find((r) => r.rule === 'counted')).toMatchObject({ verdict: 'no-goal', sentGroup: null, counts: { converted: null } });
    });
});
