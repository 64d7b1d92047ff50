/**
 * Holdouts in the executor (docs/measuring.md), on PGlite and on PostgreSQL 15: a held-out decision is
 * recorded (`held_out`, its share and the instant measured from) and never sent; it counts toward
 * nothing else — no cap (the policy's limit still lets another rule write to that person), no chained
 * rule (nothing to chain on); a quiet-hours hold moves the instant it is measured from; explain says so.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { explainEvent, holdoutPoint, runRules, startScheduler } from '@followup/runtime';
import { recordingLog, recordingMetrics } from '../serve/scheduler-support.js';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, resetStore, shift } from '../support/sql-fixtures.js';
import { decisionsOf, plansOf } from './support.js';

const source = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
event purchase { key customerId  customerId: string  email: email }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart" text: "Hi" }
message lastChance for cartAbandonment email { subject: "Last chance" text: "Bye" }
followup nudge {
  when cartAbandonment sent 1 day ago
  then send followup email
  holdout 50%
  goal purchase within 7 days
}
followup chase { when nudge sent 1 day ago then send lastChance email }
followup sameDay { when cartAbandonment sent 1 day ago then send lastChance email }
followup second { when cartAbandonment sent 1 day ago then send lastChance email  holdout 50%  goal purchase within 7 days }
followup night {
  when cartAbandonment sent 1 day ago
  then send followup email
  holdout 50%
  goal purchase within 7 days
  quiet hours 21:00 to 08:00 in "UTC"
}
policy { limit 1 per recipient per 1 day }
`;

const now = new Date('2026-11-23T10:00:00Z');
const PEOPLE = 40;
let plans: RenderPlan[];
const only = (...names: string[]) => plans.filter((p) => names.includes(p.rule));
const heldOut = (rule: string, i: number) => holdoutPoint(plans.find((p) => p.rule === rule)!.holdout!.seed, `c${i}`) < 0.5;

beforeAll(async () => {
    plans = await plansOf({ 'shop.followup': source });
});

forEachEngine('holdouts', (ctx) => {
    const carts = async () => {
        await resetStore(ctx.store);
        for (let i = 0; i < PEOPLE; i++) {
            await eventWithDelivery(ctx.store, {
                id: `cart-${i}`, type: 'cartAbandonment', sentAt: shift(now, { days: -1, hours: -1, minutes: i }), recipient: `c${i}@example.com`,
                payload: { customerId: `c${i}`, email: `c${i}@example.com`, firstName: `C${i}` },
            });
        }
    };

    it('decides held_out for the people the hash puts in the holdout, records their detail and no follow-up', async () => {
        await carts();
        const report = await runRules(ctx.store, only('nudge'), { now });
        const expected = Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => heldOut('nudge', i));
        // Both groups are there, in the hash's proportions.
        expect(expected.length).toBeGreaterThan(5);
        expect(expected.length).toBeLessThan(PEOPLE - 5);
        expect(report.total).toMatchObject({ selected: PEOPLE, heldOut: expected.length, queued: PEOPLE - expected.length });
        const decisions = await decisionsOf(ctx.store, 'nudge');
        expect(Object.entries(decisions).filter(([, o]) => o === 'held_out').map(([e]) => e).sort())
            .toEqual(expected.map((i) => `cart-${i}`).sort());
        const { rows } = await ctx.store.query<{ detail: unknown; followup_delivery_id: string | null }>(
            `SELECT detail, followup_delivery_id FROM decisions WHERE rule = 'nudge' AND outcome = 'held_out' LIMIT 1`);
        expect(rows[0]).toEqual({ detail: { share: 50, measuredFrom: now.toISOString() }, followup_delivery_id: null });
        const { rows: delivered } = await ctx.store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM deliveries WHERE rule = 'nudge' AND event_id = ANY ($1::text[])`, [expected.map((i) => `cart-${i}`)]);
        expect(delivered[0]!.n).toBe(0);
        const { rows: runs } = await ctx.store.query<{ held_out: number; sent: number }>(`SELECT held_out, sent FROM runs WHERE rule = 'nudge'`);
        expect(runs).toEqual([{ held_out: expected.length, sent: PEOPLE - expected.length }]);
    });

    it('counts toward no cap: the policy limit of 1 a day still lets another rule write to the held out, and only to them', async () => {
        // (continues the store of the test before: nudge decided at now)
        await runRules(ctx.store, only('sameDay'), { now: shift(now, { minutes: 1 }) });
        const decisions = await decisionsOf(ctx.store, 'sameDay');
        for (let i = 0; i < PEOPLE; i++) expect(decisions[`cart-${i}`], `cart-${i}`).toBe(heldOut('nudge', i) ? 'send' : 'capped');
    });

    it('holds out among those who would be sent: a capped person is capped, whatever the split', async () => {
        // (nudge decided at now, sameDay a minute later: every person has a follow-up today)
        await runRules(ctx.store, only('second'), { now: shift(now, { minutes: 2 }) });
        const decisions = await decisionsOf(ctx.store, 'second');
        const wouldHoldOut = Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => heldOut('second', i));
        expect(wouldHoldOut.length).toBeGreaterThan(5);
        expect(Object.values(decisions)).toEqual(Array.from({ length: PEOPLE }, () => 'capped'));
    });

    it('triggers no chained rule: chase follows up only the follow-ups nudge sent', async () => {
        await ctx.store.query(`UPDATE deliveries SET status = 'sent' WHERE rule = 'nudge'`);
        await runRules(ctx.store, only('chase'), { now: shift(now, { days: 1, minutes: 5 }) });
        const decisions = await decisionsOf(ctx.store, 'chase');
        expect(Object.keys(decisions).sort()).toEqual(
            Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => !heldOut('nudge', i)).map((i) => `cart-${i}`).sort());
    });

    it('explain says it: held out (50% holdout), with the instant measured from', async () => {
        const i = Array.from({ length: PEOPLE }, (_, k) => k).find((k) => heldOut('nudge', k))!;
        const explained = await explainEvent(ctx.store, only('nudge', 'chase'), `cart-${i}`, shift(now, { days: 2 }));
        expect(explained.verdicts).toEqual([
            { rule: 'chase', wouldSend: false, kind: 'no-trigger', reason: 'nudge has not sent a follow-up for this event' },
            expect.objectContaining({
                rule: 'nudge', wouldSend: false, kind: 'held-out',
                reason: `held out (50% holdout): decided at 2026-11-23T10:00:00Z, no follow-up sent; its goal is measured from 2026-11-23T10:00:00Z`,
            }),
        ]);
    });

    it('explain before the run: would be held out', async () => {
        await carts();
        const i = Array.from({ length: PEOPLE }, (_, k) => k).find((k) => heldOut('nudge', k))!;
        const explained = await explainEvent(ctx.store, only('nudge'), `cart-${i}`, now);
        expect(explained.verdicts[0]).toMatchObject({ wouldSend: false, kind: 'held-out', reason: `would be held out (50% holdout): no follow-up to c${i}@example.com` });
    });

    it('inside quiet hours, the held out are measured from the end of the quiet hours, as the sent are from their release', async () => {
        await carts();
        const at = new Date('2026-11-23T23:00:00Z');
        await ctx.store.query(`UPDATE deliveries SET sent_at = sent_at + interval '13 hours'`);
        await runRules(ctx.store, only('night'), { now: at });
        const { rows } = await ctx.store.query<{ outcome: string; detail: Record<string, unknown> }>(
            `SELECT outcome, detail FROM decisions WHERE rule = 'night' ORDER BY event_id`);
        expect(rows.length).toBe(PEOPLE);
        const held = rows.filter((r) => r.outcome === 'held_out');
        expect(held.length).toBeGreaterThan(0);
        for (const r of held) expect(r.detail).toEqual({ share: 50, measuredFrom: '2026-11-24T08:00:00.000Z' });
    });

    it("serve's scheduler counts them: followup_messages_total{outcome=\"held_out\"} and heldOut in its log", async () => {
        await carts();
        await ctx.store.query('TRUNCATE scheduled_runs');
        const metrics = recordingMetrics();
        const log = recordingLog();
        // nudge runs every day at 00:00 UTC: the fire instant 2026-11-24T00:00 decides the carts.
        const scheduler = startScheduler({ store: ctx.store, plans: only('nudge'), clock: () => new Date('2026-11-24T00:00:30Z'), log, metrics, pollMs: 3_600_000 });
        try {
            await scheduler.poll();
        } finally {
            await scheduler.stop();
        }
        const expected = Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => heldOut('nudge', i)).length;
        expect(metrics.counter('followup_messages_total', { rule: 'nudge', channel: 'email', outcome: 'held_out' })).toBe(expected);
        expect(metrics.counter('followup_messages_total', { rule: 'nudge', channel: 'email', outcome: 'queued' })).toBe(PEOPLE - expected);
        expect(log.lines.find((l) => l.message === 'scheduler: rule ran')?.fields).toMatchObject({ rule: 'nudge', selected: PEOPLE, heldOut: expected });
    });
});
