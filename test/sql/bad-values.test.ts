// A stored value of the wrong shape (after a schema change, or data written around the validator)
// makes its own comparison false; it never aborts the rule's query for everyone else.
import { expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { compileSources, ruleNamed, runSelection } from '../support/run-query.js';
import { eventWithDelivery, resetStore, shift } from '../support/sql-fixtures.js';

const source = `
event cart { email: email  total: decimal  vip: boolean  at: timestamp }
message m for cart email { subject: "s" text: "t" }
followup r { when cart sent 1 day ago and total > 10 and not (vip = false) and at > "2026-01-01" then send m email }
`;
const now = new Date('2026-11-23T10:00:00Z');

forEachEngine('stored values of the wrong shape', ctx => {
    it('select the well-formed events and skip the others', async () => {
        const { rules } = await compileSources({ 'a.followup': source });
        const rule = ruleNamed(rules, 'r');
        await resetStore(ctx.store);
        const sent = shift(now, { hours: -30 });
        const good = { email: 'a@x.io', total: 20, vip: true, at: '2026-11-20T00:00:00Z' };
        await eventWithDelivery(ctx.store, { id: 'good', type: 'cart', payload: good, sentAt: sent });
        await eventWithDelivery(ctx.store, { id: 'text-number', type: 'cart', payload: { ...good, total: '20.5' }, sentAt: sent });
        await eventWithDelivery(ctx.store, { id: 'bad-number', type: 'cart', payload: { ...good, total: 'n/a' }, sentAt: sent });
        await eventWithDelivery(ctx.store, { id: 'bad-boolean', type: 'cart', payload: { ...good, vip: 'yes' }, sentAt: sent });
        await eventWithDelivery(ctx.store, { id: 'bad-time', type: 'cart', payload: { ...good, at: 'yesterday' }, sentAt: sent });
        const rows = await runSelection(ctx.store, rule, { w: shift(now, { days: -1 }), now });
        // A boolean that is not one is missing: `vip = false` is false, so `not (vip = false)` holds.
        expect(rows.map(r => r.event_id).sort()).toEqual(['bad-boolean', 'good', 'text-number']);
    });
});
