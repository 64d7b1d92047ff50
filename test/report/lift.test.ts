// Acceptance of issue 16 (docs/measuring.md), on both engines, on a generated history of 100,000 people
// per rule, a 10% holdout each:
//  - cartNudge truly raises purchases from 10% to 15%: the report's 95% interval for the lift contains
//    5 points and excludes 0;
//  - visitNudge changes nothing (10% and 10%): its interval contains 0;
//  - the report's numbers equal a hand-written SQL over the same store;
//  - the holdout's share is within ±0.5 points of 10%, and a person never switches group (a second
//    wave of carts, for 20,000 of the same people, a day later).
import { beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { buildReport, holdoutPoint, newcombeDifference, runRules, type Report, type RuleReport } from '@followup/runtime';
import { carts, insertCarts, insertPurchases, purchases } from '../../bench/measured-history.mjs';
import { forEachEngine } from '../support/stores.js';
import { plansOf } from '../runtime/support.js';

const source = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
event visit { key customerId  customerId: string  email: email  firstName: string }
event purchase { key customerId  customerId: string  email: email  total: decimal }
message nudge for cartAbandonment email { subject: "{{ firstName }}, your cart" text: "It is waiting." }
message nudge for visit email { subject: "{{ firstName }}, come back" text: "We miss you." }
followup cartNudge {
  when cartAbandonment sent 1 day ago
  then send nudge email
  lookback 2 days
  holdout 10%
  goal purchase within 7 days value total
}
followup visitNudge {
  when visit sent 1 day ago
  then send nudge email
  lookback 2 days
  holdout 10%
  goal purchase within 7 days value total
}
`;

const PEOPLE = 100_000;
const DAY = 86_400_000;
const now = new Date('2026-11-23T10:00:00Z');
const reportAt = new Date(now.getTime() + 8 * DAY);

let plans: RenderPlan[];
const plan = (rule: string) => plans.find((p) => p.rule === rule)!;
const heldOut = (rule: string) => (customerId: string) => holdoutPoint(plan(rule).holdout!.seed, customerId) < plan(rule).holdout!.share / 100;

beforeAll(async () => {
    plans = await plansOf({ 'shop.followup': source });
});

describe('the holdout split, over 100,000 people', () => {
    it('holds out 10% ± 0.5 points, the same people every time', () => {
        const people = Array.from({ length: PEOPLE }, (_, i) => `c${i}`);
        const first = people.filter(heldOut('cartNudge'));
        expect(Math.abs(first.length / PEOPLE - 0.1)).toBeLessThan(0.005);
        expect(people.filter(heldOut('cartNudge'))).toEqual(first);
        // Another rule splits independently: about 10% of cartNudge's held out are held out by visitNudge too.
        const both = first.filter(heldOut('visitNudge')).length;
        expect(Math.abs(both / first.length - 0.1)).toBeLessThan(0.02);
    });
});

/**
 * The numbers of one rule, written by hand from the tables (no compiled SQL): the test's oracle. A
 * conversion is a purchase of the same customerId in (t, t + 7 days], t being the follow-up's delivery
 * time, or for the held out decisions.detail.measuredFrom; revenue sums the totals of those purchases.
 */
const HAND_WRITTEN = `
WITH d AS (
  SELECT x.event_id, x.outcome, fd.status, e.payload ->> 'customerId' AS customer,
    CASE WHEN x.outcome = 'held_out' THEN (x.detail ->> 'measuredFrom')::timestamptz ELSE fd.sent_at END AS t
  FROM decisions x
  JOIN events e ON e.id = x.event_id
  LEFT JOIN deliveries fd ON fd.id = x.followup_delivery_id
  WHERE x.rule = $1),
bought AS (
  SELECT d.event_id, sum((p.payload ->> 'total')::numeric) AS total
  FROM d JOIN events p ON p.type = 'purchase' AND p.payload ->> 'customerId' = d.customer
   AND p.occurred_at > d.t AND p.occurred_at <= d.t + interval '7 days' AND p.occurred_at <= $2
  GROUP BY d.event_id)
SELECT
  count(*)::int AS selected,
  count(*) FILTER (WHERE d.outcome = 'send')::int AS treated,
  count(*) FILTER (WHERE d.outcome = 'held_out')::int AS held_out,
  count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
  count(b.event_id) FILTER (WHERE d.outcome = 'send')::int AS treated_converted,
  count(b.event_id) FILTER (WHERE d.outcome = 'held_out')::int AS held_out_converted,
  coalesce(sum(b.total) FILTER (WHERE d.outcome = 'send'), 0)::float8 AS treated_value
FROM d LEFT JOIN bought b ON b.event_id = d.event_id`;

interface HandRow { selected: number; treated: number; held_out: number; sent: number; treated_converted: number; held_out_converted: number; treated_value: number }

forEachEngine('the report on a generated history', (ctx) => {
    let report: Report;
    const rule = (name: string): RuleReport => report.rules.find((r) => r.rule === name)!;

    beforeAll(async () => {
        const window = { sentFrom: new Date(now.getTime() - 2 * DAY), sentTo: new Date(now.getTime() - DAY) };
        const cartPeople = carts({ people: PEOPLE, prefix: 'c', ...window });
        const visitPeople = carts({ people: PEOPLE, prefix: 'v', eventPrefix: 'visit-', ...window });
        await insertCarts(ctx.store, cartPeople, { type: 'cartAbandonment' });
        await insertCarts(ctx.store, visitPeople, { type: 'visit' });
        const run = await runRules(ctx.store, plans, { now });
        expect(run.total.selected).toBe(2 * PEOPLE);
        // The transport accepted them all (as dispatch would record it).
        await ctx.store.query(`UPDATE deliveries SET status = 'sent' WHERE rule IS NOT NULL`);
        // What the follow-ups did: 10% → 15% for the carts, nothing for the visits.
        await insertPurchases(ctx.store, purchases({
            customerIds: cartPeople.customerIds, isHeldOut: heldOut('cartNudge'), decidedAt: now, heldOutRate: 0.10, sentRate: 0.15, seed: 16,
        }));
        await insertPurchases(ctx.store, purchases({
            customerIds: visitPeople.customerIds, isHeldOut: heldOut('visitNudge'), decidedAt: now, heldOutRate: 0.10, sentRate: 0.10, seed: 61,
        }));
        report = await buildReport(ctx.store, plans, { now: reportAt });
    }, 600_000);

    it('finds the 5-point lift of cartNudge: its interval contains 5 points and excludes 0', () => {
        const r = rule('cartNudge');
        expect(r.verdict).toBe('measured');
        const { lower, upper } = r.lift!.absolute;
        expect(lower).toBeGreaterThan(0);
        expect(lower).toBeLessThan(0.05);
        expect(upper).toBeGreaterThan(0.05);
        expect(r.sentGroup!.rate).toBeCloseTo(0.15, 1);
        expect(r.heldOutGroup!.rate).toBeCloseTo(0.10, 1);
    });

    it('finds no effect of visitNudge: its interval contains 0', () => {
        const r = rule('visitNudge');
        expect(r.verdict).toBe('measured');
        expect(r.lift!.absolute.lower).toBeLessThan(0);
        expect(r.lift!.absolute.upper).toBeGreaterThan(0);
    });

    it('holds out 10% ± 0.5 points of the people the rules would send to, and records no delivery for them', async () => {
        for (const name of ['cartNudge', 'visitNudge']) {
            const r = rule(name);
            expect(r.counts.selected).toBe(PEOPLE);
            expect(Math.abs(r.counts.heldOut / PEOPLE - 0.1)).toBeLessThan(0.005);
        }
        const { rows } = await ctx.store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM decisions x WHERE x.outcome = 'held_out' AND (x.followup_delivery_id IS NOT NULL
               OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = x.event_id AND d.rule = x.rule))`);
        expect(rows[0]!.n).toBe(0);
    });

    it('gives the numbers a hand-written SQL gives over the same store', async () => {
        // Statistics for the oracle's plan (the report does without: it runs with nested loops off).
        await ctx.store.exec('ANALYZE events, decisions, deliveries');
        for (const name of ['cartNudge', 'visitNudge']) {
            const { rows } = await ctx.store.query<HandRow>(HAND_WRITTEN, [name, reportAt.toISOString()]);
            const hand = rows[0]!;
            const r = rule(name);
            expect({
                selected: r.counts.selected, treated: r.sentGroup!.people, held_out: r.counts.heldOut, sent: r.counts.sent,
                treated_converted: r.sentGroup!.converted, held_out_converted: r.heldOutGroup!.converted,
            }).toEqual({
                selected: hand.selected, treated: hand.treated, held_out: hand.held_out, sent: hand.sent,
                treated_converted: hand.treated_converted, held_out_converted: hand.held_out_converted,
            });
            expect(r.sentGroup!.revenue).toBeCloseTo(hand.treated_value, 2);
            // Every window closed by reportAt: everyone is measured.
            expect(r.sentGroup!.measured).toBe(hand.treated);
            expect(r.measuring).toBe(0);
            const lift = newcombeDifference(hand.treated_converted, hand.treated, hand.held_out_converted, hand.held_out);
            expect(r.lift!.absolute).toEqual(lift);
        }
    });

    it('keeps every person in the same group across events and runs (a second cart, a day later)', async () => {
        const again = carts({
            people: 20_000, prefix: 'c', eventPrefix: 'cart2-',
            sentFrom: new Date(now.getTime() - DAY), sentTo: now,
        });
        await insertCarts(ctx.store, again, { type: 'cartAbandonment' });
        const run = await runRules(ctx.store, [plan('cartNudge')], { now: new Date(now.getTime() + DAY) });
        expect(run.total.selected).toBe(20_000);
        const { rows } = await ctx.store.query<{ people: number; switched: number }>(
            `SELECT count(*)::int AS people, count(*) FILTER (WHERE outcomes > 1)::int AS switched FROM (
               SELECT e.payload ->> 'customerId' AS person, count(DISTINCT x.outcome) AS outcomes
               FROM decisions x JOIN events e ON e.id = x.event_id
               WHERE x.rule = 'cartNudge' GROUP BY 1 HAVING count(*) = 2) twice`);
        expect(rows[0]).toEqual({ people: 20_000, switched: 0 });
    }, 300_000);
});
