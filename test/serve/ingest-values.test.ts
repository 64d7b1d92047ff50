// Values a client gets wrong, at ingestion (issue 11, items 3 to 5): each one a 400 that stores
// nothing (never a 202 that drops or changes what was sent, never a 500 that a client retries
// forever), on PGlite and PostgreSQL 15.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Transport } from '@followup/runtime';
import { startServer } from '@followup/server';
import { forEachEngine } from '../support/stores.js';
import { cartData, examplePlans, post, startTestServer, storedCounts, type TestServer } from './serve-support.js';

const noTransport: Transport = { description: 'none', send: async () => ({ status: 'sent' }), close: async () => {} };

/**
 * An event's body as text, so that it can hold what JSON.stringify would never write (1e400, lone
 * surrogate escapes): `id` and the `fields` of the data given as raw JSON text.
 */
function rawEvent(id: string, fields: Record<string, string> = {}, at?: string): string {
    const data = cartData(1);
    let text = JSON.stringify(data);
    for (const [key, raw] of Object.entries(fields)) text = text.replace(`"${key}":${JSON.stringify(data[key])}`, `"${key}":${raw}`);
    return `{"id":${id},${at !== undefined ? `"at":"${at}",` : ''}"data":${text}}`;
}

forEachEngine('ingestion refuses values it cannot store exactly', (ctx) => {
    let t: TestServer;
    let url: string;
    beforeAll(async () => {
        t = await startTestServer(ctx.store, await examplePlans('cart-abandonment'), { transport: noTransport });
        url = `${t.url}/v1/events/cartAbandonment`;
    });
    afterAll(() => t?.close());

    async function expectRefused(body: string, path: RegExp, options: Parameters<typeof post>[2] = {}) {
        const before = await storedCounts(ctx.store);
        const r = await post(url, body, options);
        expect(r.status, body.slice(0, 200)).toBe(400);
        expect(JSON.stringify(r.body.problems), body.slice(0, 200)).toMatch(path);
        expect(await storedCounts(ctx.store)).toEqual(before);
    }

    it('an id with a lone surrogate or a NUL is a 400, so two different ids are never stored as one', async () => {
        await expectRefused(rawEvent('"pgs\\ud800x"'), /"path":"\/id"/);
        await expectRefused(rawEvent('"pgs\\udc00x"'), /"path":"\/id"/);
        await expectRefused(rawEvent('"nul\\u0000id"'), /"path":"\/id"/);
        // A well-formed pair is fine, and stored as sent.
        const ok = await post(url, rawEvent('"pair\\ud83d\\ude00"'));
        expect(ok.status).toBe(202);
        expect(ok.body.event).toBe('pair\u{1F600}');
        const { rows } = await ctx.store.query<{ id: string }>(`SELECT id FROM events WHERE id LIKE 'pair%'`);
        expect(rows).toEqual([{ id: 'pair\u{1F600}' }]);
    });

    it('a number too large for a double (1e400) is a 400, never stored as null nor sent as "Infinity"', async () => {
        await expectRefused(rawEvent('"big-1"', { cartTotal: '1e400' }), /"path":"\/data\/cartTotal"/);
        await expectRefused(rawEvent('"big-2"', { items: '[{"sku":"s","name":"n","price":-1e999,"quantity":1}]' }), /"path":"\/data\/items\/0\/price"/);
        // As a decimal string, a large amount is a value like any other.
        expect((await post(url, rawEvent('"big-3"', { cartTotal: '"1e300"' }))).status).toBe(202);
    });

    it('an `at` before year 0001 or after 9999 (once its offset applies), or with an offset PostgreSQL refuses, is a 400', async () => {
        for (const at of ['0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00', '10000-01-01T00:00:00Z', '2026-11-20T10:00:00+16:00', '2026-02-30T10:00:00Z']) {
            await expectRefused(rawEvent(`"at-${at}"`, {}, at), /"path":"\/at"/);
        }
        for (const at of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-20T10:00:00+14:00']) {
            const r = await post(url, rawEvent(`"at-ok-${at}"`, {}, at));
            expect(r.status, at).toBe(202);
        }
    });

    it('a timestamp field of year 0000 or a date like 2026-02-30 in the data is a 400', async () => {
        await expectRefused(rawEvent('"ts-0"', { abandonedAt: '"0000-06-01T00:00:00Z"' }), /"path":"\/data\/abandonedAt"/);
    });

    it('the same id twice in one batch is a 400 naming both; nothing of the batch is stored', async () => {
        const before = await storedCounts(ctx.store);
        const batch = [
            { type: 'cartAbandonment', id: 'twice-1', data: cartData(1) },
            { type: 'cartAbandonment', id: 'twice-2', data: cartData(2) },
            { type: 'cartAbandonment', id: 'twice-1', data: cartData(3) },
        ];
        const r = await post(`${t.url}/v1/events`, batch);
        expect(r.status).toBe(400);
        expect(r.body.problems).toEqual([{ path: '/2/id', message: 'the same id as event /0: each event of a batch needs its own id' }]);
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('a batch with a NUL in one event is a 400 for the batch, with the path', async () => {
        const before = await storedCounts(ctx.store);
        const body = `[{"type":"cartAbandonment","id":"nb-1","data":${JSON.stringify(cartData(1))}},{"type":"cartAbandonment","id":"nb-2","data":${JSON.stringify(cartData(2, { firstName: 'A\u0000B' }))}}]`;
        const r = await post(`${t.url}/v1/events`, body);
        expect(r.status).toBe(400);
        expect(r.body.problems).toEqual([{ path: '/1/data/firstName', message: 'contains a NUL character or a lone UTF-16 surrogate, which the store cannot keep' }]);
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('an Idempotency-Key replays the first answer when the same body comes back with its keys in another order', async () => {
        const data = cartData(7);
        const first = await post(url, { id: 'reordered-1', data }, { headers: { 'idempotency-key': 'reorder-key' } });
        expect(first.status).toBe(202);
        const reversed = Object.fromEntries(Object.entries(data).reverse());
        const again = await post(url, `{"data":${JSON.stringify(reversed)},"id":"reordered-1"}`, { headers: { 'idempotency-key': 'reorder-key' } });
        expect(again.status).toBe(202);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
    });

    it('a profile key from the data must be an id too', async () => {
        const profilePlans = await examplePlans('order-shipped');
        const p = await startTestServer(ctx.store, profilePlans, { transport: noTransport });
        try {
            const r = await post(`${p.url}/v1/profiles`, { data: { customerId: 'x'.repeat(201), email: 'a@example.com', country: 'FR', emailOptIn: true, firstName: 'A' } });
            expect(r.status).toBe(400);
        } finally {
            await p.close();
        }
    });
});

it('refuses API keys shorter than 16 characters', async () => {
    await expect(startServer({ context: {} as never, plans: { events: [] } as never, apiKeys: ['a'] })).rejects.toThrow(/shorter than 16 characters/);
});
