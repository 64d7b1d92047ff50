// Schema v12 leaves `decisions.event_id` without a foreign key of its own: a decision's event is its
// trigger delivery's event, and the trigger delivery's foreign keys keep the pair whole. These are the
// facts that rests on, on both engines.
import { expect, it } from 'vitest';
import { runRules } from '@followup/runtime';
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

forEachEngine('what a decision points to', (ctx) => {
    it("every decision's event is its trigger delivery's event, and neither can be deleted while the decision stays", async () => {
        await resetStore(ctx.store);
        await seedCarts(ctx.store, 30, new Date('2026-11-21T10:00:00Z'));
        const report = await runRules(ctx.store, await plansOf(sources), { now: new Date('2026-11-22T12:00:00Z') });
        expect(report.total.selected).toBe(30);
        expect(await count(ctx.store, 'decisions')).toBe(30);
        expect(await count(ctx.store, 'decisions x JOIN deliveries d ON d.id = x.trigger_delivery_id WHERE d.event_id <> x.event_id')).toBe(0);
        await expect(ctx.store.query("DELETE FROM deliveries WHERE id = 'd-cart-0'")).rejects.toThrow(/foreign key/);
        await expect(ctx.store.query("DELETE FROM events WHERE id = 'cart-0'")).rejects.toThrow(/foreign key/);
        await expect(ctx.store.query("INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at, run_id) VALUES ('another', 'cart-1', 'no-such-delivery', 'send', now(), 1)"))
            .rejects.toThrow(/foreign key/);
    });
});
