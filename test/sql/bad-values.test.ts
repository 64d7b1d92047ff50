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

forEachEngine('stored values the old guards let through to a failing cast (issue 10, 11)', ctx => {
    it('an impossible date, year 0000, an offset PostgreSQL refuses, a decimal beyond numeric: each only fails its own comparison', async () => {
        const { rules } = await compileSources({
            'a.followup': `
event cart { email: email  total: decimal  at: timestamp  day: date }
message m for cart email { subject: "s" text: "t" }
followup r { when cart sent 1 day ago and total > 10 and at > "2026-01-01" and day >= "2026-01-01" then send m email }
`,
        });
        const rule = ruleNamed(rules, 'r');
        await resetStore(ctx.store);
        const sent = shift(now, { hours: -30 });
        const good = { email: 'a@x.io', total: 20, at: '2026-11-20T00:00:00Z', day: '2026-11-20' };
        const stored: [string, Record<string, unknown>][] = [
            ['good', good],
            ['plus-sign', { ...good, total: '+20' }],
            ['trailing-point', { ...good, total: '20.' }],
            ['huge-exponent', { ...good, total: '1e99999' }],
            ['huge-digits', { ...good, total: '9'.repeat(200_000) }],
            ['feb-30', { ...good, at: '2026-02-30T00:00:00Z' }],
            ['year-0', { ...good, at: '0000-06-01T00:00:00Z' }],
            ['offset-16h', { ...good, at: '2026-11-20T00:00:00+16:00' }],
            ['junk-after-date', { ...good, at: '2026-11-20 and then some' }],
            ['nanoseconds', { ...good, at: '2026-11-20T00:00:00.123456789Z' }],
            ['day-feb-30', { ...good, day: '2026-02-30' }],
            ['day-year-0', { ...good, day: '0000-01-01' }],
        ];
        for (const [id, payload] of stored) await eventWithDelivery(ctx.store, { id, type: 'cart', payload, sentAt: sent });
        const rows = await runSelection(ctx.store, rule, { w: shift(now, { days: -1 }), now });
        expect(rows.map(r => r.event_id).sort()).toEqual(['good', 'nanoseconds', 'plus-sign', 'trailing-point']);
    });
});

forEachEngine('booleans and numbers compared as JSON values', ctx => {
    it('= true holds only for JSON true; != true for anything else; a number of another JSON type is missing', async () => {
        const { rules } = await compileSources({
            'a.followup': `
event cart { email: email  total: decimal  vip: boolean? }
message m for cart email { subject: "s" text: "t" }
followup isVip { when cart sent 1 day ago and vip = true then send m email }
followup notVip { when cart sent 1 day ago and vip != true then send m email }
followup big { when cart sent 1 day ago and total >= 10 then send m email }
`,
        });
        await resetStore(ctx.store);
        const sent = shift(now, { hours: -30 });
        const stored: [string, Record<string, unknown>][] = [
            ['true', { email: 'a@x.io', total: 10, vip: true }],
            ['false', { email: 'a@x.io', total: '10.0', vip: false }],
            ['text-true', { email: 'a@x.io', total: [10], vip: 'true' }],
            ['json-null', { email: 'a@x.io', total: { value: 10 }, vip: null }],
            ['missing', { email: 'a@x.io', total: true }],
        ];
        for (const [id, payload] of stored) await eventWithDelivery(ctx.store, { id, type: 'cart', payload, sentAt: sent });
        const selected = async (name: string) =>
            (await runSelection(ctx.store, ruleNamed(rules, name), { w: shift(now, { days: -1 }), now })).map(r => r.event_id).sort();
        expect(await selected('isVip')).toEqual(['true']);
        expect(await selected('notVip')).toEqual(['false', 'json-null', 'missing', 'text-true']);
        expect(await selected('big')).toEqual(['false', 'true']);
    });
});
