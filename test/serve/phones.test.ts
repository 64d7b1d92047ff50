// Ingestion keeps phone numbers in E.164 (docs/language.md §2): a number in any format is stored as
// +33622222222; a local one is read in the project's phoneRegion; what is not a number is a 400 with
// its JSON path, and nothing is stored. On PGlite and PostgreSQL 15.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IngestionPlans } from '@followup/compiler';
import { forEachEngine } from '../support/stores.js';
import { NoTransport } from './phones-support.js';
import { cartData, count, examplePlans, post, startTestServer, type TestServer } from './serve-support.js';

let plans: IngestionPlans;
beforeAll(async () => {
    plans = await examplePlans('cart-abandonment');
});

forEachEngine('phone numbers at ingestion', (ctx) => {
    let local: TestServer;
    let international: TestServer;
    beforeAll(async () => {
        local = await startTestServer(ctx.store, plans, { transport: new NoTransport(), phoneRegion: 'FR' });
        international = await startTestServer(ctx.store, plans, { transport: new NoTransport() });
    });
    afterAll(async () => {
        await local?.close();
        await international?.close();
    });

    it('stores every way of writing a number in E.164; a local one in the region; refuses the rest with its path', async () => {
        const stored = async (id: string) =>
            (await ctx.store.query<{ phone: string }>(`SELECT payload ->> 'phone' AS phone FROM events WHERE id = $1`, [id])).rows[0]?.phone;
        expect((await post(`${international.url}/v1/events/cartAbandonment`, { id: 'p1', data: cartData(1, { phone: '+33 6 22 22 22 22' }) })).status).toBe(202);
        expect(await stored('p1')).toBe('+33622222222');
        expect((await post(`${local.url}/v1/events/cartAbandonment`, { id: 'p2', data: cartData(2, { phone: '06 22 22 22 22' }) })).status).toBe(202);
        expect(await stored('p2')).toBe('+33622222222');

        const before = await count(ctx.store, 'events');
        const localWithoutRegion = await post(`${international.url}/v1/events/cartAbandonment`, { id: 'p3', data: cartData(3, { phone: '06 22 22 22 22' }) });
        expect(localWithoutRegion.status).toBe(400);
        expect(localWithoutRegion.body).toEqual({
            error: 'some values are not what their fields declare; nothing was stored',
            problems: [{ path: '/data/phone', message: 'expected a phone number with its country code (+33 6 22 22 22 22), or set phoneRegion in followup.config.json to read local numbers, got "06 22 22 22 22"' }],
        });
        const batch = await post(`${local.url}/v1/events`, [
            { type: 'cartAbandonment', id: 'p4', data: cartData(4, { phone: '+33 6 44 44 44 44' }) },
            { type: 'cartAbandonment', id: 'p5', data: cartData(5, { phone: 'call me' }) },
        ]);
        expect(batch.status).toBe(400);
        expect(batch.body.problems).toEqual([{ path: '/1/data/phone', message: expect.stringMatching(/^expected a phone number .* got "call me"$/) }]);
        expect(await count(ctx.store, 'events')).toBe(before);
    });
});
