// `followup explain`: each rule's verdict for an event, and the first reason it would not send.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProject, type RenderPlan } from '@followup/compiler';
import { loadSources } from '@followup/language';
import { explainAddress, explainEvent, type Store } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';

const source = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string  cartTotal: decimal }
event purchase { key customerId  customerId: string  email: email }
message followup for cartAbandonment email { subject: "Hi {{ firstName }}" text: "x" }
message lastChance for cartAbandonment email { subject: "Last" text: "y" }
when cartAbandonment sent 3 days ago and not opened then send followup email
followup bigCart {
  when cartAbandonment sent 1 day ago and cartTotal >= 100 and not purchase since sent
  then send lastChance email
}
followup chase { when cartAbandonment_followup_email sent 4 days ago then send lastChance email }
`;

const now = new Date('2026-11-23T10:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

async function event(store: Store, id: string, type: string, at: Date, data: Record<string, unknown>) {
    await store.query('INSERT INTO events (id, type, occurred_at, payload) VALUES ($1, $2, $3, $4)', [id, type, at, data]);
}
async function delivery(store: Store, id: string, eventId: string, to: string, at: Date, status = 'sent') {
    await store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ($1, $2, 'transactional', 'email', $3, $4, $5)`,
        [id, eventId, to, at, status]);
}

let plans: RenderPlan[];
beforeAll(async () => {
    const project = await loadSources({ 'shop.followup': source });
    expect(project.diagnostics).toEqual([]);
    plans = compileProject(project).map(r => r.plan);
});

forEachEngine('explain', ctx => {
    beforeAll(async () => {
        const s = ctx.store;
        // e1: due for the mission sentence, untouched, big cart, no purchase.
        await event(s, 'e1', 'cartAbandonment', hoursAgo(80), { customerId: 'c1', email: 'ana@example.com', firstName: 'Ana', cartTotal: 120 });
        await delivery(s, 'd1', 'e1', 'ana@example.com', hoursAgo(79));
        // e2: opened, small cart.
        await event(s, 'e2', 'cartAbandonment', hoursAgo(80), { customerId: 'c2', email: 'bo@example.com', firstName: 'Bo', cartTotal: 20 });
        await delivery(s, 'd2', 'e2', 'bo@example.com', hoursAgo(79));
        await s.query(`INSERT INTO tracking (delivery_id, kind, at) VALUES ('d2', 'open', $1)`, [hoursAgo(50)]);
        // e3: sent 10 hours ago: not due anywhere yet; bought since.
        await event(s, 'e3', 'cartAbandonment', hoursAgo(11), { customerId: 'c3', email: 'cy@example.com', firstName: 'Cy', cartTotal: 300 });
        await delivery(s, 'd3', 'e3', 'cy@example.com', hoursAgo(10));
        // e4: hard-bounced address, due for the mission sentence.
        await event(s, 'e4', 'cartAbandonment', hoursAgo(80), { customerId: 'c4', email: 'dee@example.com', firstName: 'Dee', cartTotal: 10 });
        await delivery(s, 'd4', 'e4', 'dee@example.com', hoursAgo(79));
        await s.query(`INSERT INTO suppressions (channel, address, reason, at) VALUES ('email', 'dee@example.com', 'hard_bounce', $1)`, [hoursAgo(78)]);
        // e5: big cart, purchase since sent.
        await event(s, 'e5', 'cartAbandonment', hoursAgo(30), { customerId: 'c5', email: 'eve@example.com', firstName: 'Eve', cartTotal: 500 });
        await delivery(s, 'd5', 'e5', 'eve@example.com', hoursAgo(29));
        await event(s, 'p5', 'purchase', hoursAgo(5), { customerId: 'c5', email: 'eve@example.com' });
        // e7: big cart sent 30 hours ago: due for bigCart 6 hours ago, nothing bought.
        await event(s, 'e7', 'cartAbandonment', hoursAgo(31), { customerId: 'c7', email: 'gil@example.com', firstName: 'Gil', cartTotal: 250 });
        await delivery(s, 'd7', 'e7', 'gil@example.com', hoursAgo(30));
        // e8: small cart sent 30 hours ago.
        await event(s, 'e8', 'cartAbandonment', hoursAgo(31), { customerId: 'c8', email: 'hal@example.com', firstName: 'Hal', cartTotal: 20 });
        await delivery(s, 'd8', 'e8', 'hal@example.com', hoursAgo(30));
        // e6: only a failed delivery.
        await event(s, 'e6', 'cartAbandonment', hoursAgo(80), { customerId: 'c6', email: 'fay@example.com', firstName: 'Fay', cartTotal: 10 });
        await delivery(s, 'd6', 'e6', 'fay@example.com', hoursAgo(79), 'failed');
    });

    const reasons = async (eventId: string) =>
        Object.fromEntries((await explainEvent(ctx.store, plans, eventId, now)).verdicts.map(v => [v.rule, v.reason]));

    it('says which rule would send, and why the others would not', async () => {
        expect(await reasons('e1')).toEqual({
            // Due a day after sending, 55 hours ago: before the first run's window (lookback 1 day).
            bigCart: 'before the rule\'s first window: due at ' + new Date(hoursAgo(79).getTime() + 24 * 3600_000).toISOString().replace('.000Z', 'Z') + ', more than its lookback (1 day) ago',
            cartAbandonment_followup_email: 'would send followup email to ana@example.com',
            chase: 'cartAbandonment_followup_email has not sent a follow-up for this event',
        });
    });

    it('says a rule would send when everything holds', async () => {
        expect((await reasons('e7'))['bigCart']).toBe('would send lastChance email to gil@example.com');
    });

    it('names the first failing condition with its evidence', async () => {
        const r = await reasons('e2');
        expect(r['cartAbandonment_followup_email']).toBe(`opened at ${hoursAgo(50).toISOString().replace('.000Z', 'Z')}`);
        expect((await reasons('e8'))['bigCart']).toBe('cartTotal >= 100 does not hold (the value is "20")');
        expect((await reasons('e5'))['bigCart']).toBe('purchase p5 since sent');
    });

    it('tells when a follow-up becomes due', async () => {
        const r = await reasons('e3');
        expect(r['cartAbandonment_followup_email']).toBe(`not due until ${new Date(hoursAgo(10).getTime() + 72 * 3600_000).toISOString().replace('.000Z', 'Z')}`);
    });

    it('reports suppression and missing deliveries', async () => {
        expect((await reasons('e4'))['cartAbandonment_followup_email']).toBe('suppressed: hard bounce');
        expect((await reasons('e6'))['cartAbandonment_followup_email']).toBe('no delivery of this event was sent');
    });

    it('reports a decision already taken', async () => {
        await ctx.store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
            VALUES ('cartAbandonment_followup_email:e1', 'e1', 'followup', 'email', 'ana@example.com', $1, 'sent', 'cartAbandonment_followup_email')`, [hoursAgo(1)]);
        await ctx.store.query(`INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at, followup_delivery_id)
            VALUES ('cartAbandonment_followup_email', 'e1', 'd1', 'send', $1, 'cartAbandonment_followup_email:e1')`, [hoursAgo(1)]);
        const r = await reasons('e1');
        expect(r['cartAbandonment_followup_email']).toBe(`already sent at ${hoursAgo(1).toISOString().replace('.000Z', 'Z')} (delivery cartAbandonment_followup_email:e1)`);
        // As of two hours ago, that decision had not been taken yet.
        const before = await explainEvent(ctx.store, plans, 'e1', hoursAgo(2));
        expect(before.verdicts.find(v => v.rule === 'cartAbandonment_followup_email')!.reason).toBe('would send followup email to ana@example.com');
        expect(r['chase']).toBe(`not due until ${new Date(hoursAgo(1).getTime() + 96 * 3600_000).toISOString().replace('.000Z', 'Z')}`);
    });

    it('reports a follow-up found too late (expired), and one the run whose window held it passed over, naming what it found', async () => {
        const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
        const run = (from: Date, to: Date) => ctx.store.query(`INSERT INTO runs (rule, window_start, now) VALUES ('bigCart', $1, $2)`, [from, to]);
        await run(hoursAgo(24 * 6), hoursAgo(24 * 5));
        const due = iso(new Date(hoursAgo(79).getTime() + 24 * 3600_000));
        expect((await reasons('e1'))['bigCart']).toBe(`expired: due at ${due}, more than 1 day ago`);
        await run(hoursAgo(24 * 5), hoursAgo(2));
        expect((await reasons('e8'))['bigCart']).toBe(`passed over: due at ${iso(hoursAgo(6))}; the run at ${iso(hoursAgo(2))} found: cartTotal >= 100 does not hold (the value is "20")`);
        expect((await reasons('e1'))['bigCart']).toBe(`passed over: due at ${due}; the run at ${iso(hoursAgo(2))} did not select it (its trigger delivery or data may have been recorded after that run)`);
        // As of before that second run, it had not happened.
        const earlier = await explainEvent(ctx.store, plans, 'e8', hoursAgo(3));
        expect(earlier.verdicts.find(v => v.rule === 'bigCart')!.reason).toBe('cartTotal >= 100 does not hold (the value is "20")');
        await ctx.store.query(`DELETE FROM runs WHERE rule = 'bigCart'`);
        await run(hoursAgo(26), hoursAgo(2));
        expect((await reasons('e1'))['bigCart']).toBe(`before the rule's first window: due at ${due}, before its first run's window began (${iso(hoursAgo(26))})`);
        await ctx.store.query(`DELETE FROM runs WHERE rule = 'bigCart'`);
    });

    it('explains every event of an address, and refuses unknown ones', async () => {
        const all = await explainAddress(ctx.store, plans, ' EVE@example.com', now);
        expect(all.map(e => e.event)).toEqual(['e5']);
        await expect(explainEvent(ctx.store, plans, 'nope', now)).rejects.toThrow("No event 'nope'");
        await expect(explainEvent(ctx.store, plans, 'e3', hoursAgo(20))).rejects.toThrow("No event 'e3'");
    });
});
