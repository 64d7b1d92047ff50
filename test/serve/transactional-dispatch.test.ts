// Transactional messages are sent right after their ingestion commits, each once; on shutdown the
// dispatcher stops after the batch in hand (not after the whole backlog), and what it left is sent
// by the next one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OutgoingMessage, Transport } from '@followup/runtime';
import { createJsonLogger, MetricsRegistry, startTransactionalDispatcher } from '@followup/server';
import { forEachEngine } from '../support/stores.js';
import { cartData, count, eventually, examplePlans, NOW, post, startTestServer, type TestServer } from './serve-support.js';

/** A transport that takes `delayMs` per message and remembers what it was given. */
function slowTransport(delayMs: number): Transport & { sent: OutgoingMessage[] } {
    const sent: OutgoingMessage[] = [];
    return {
        description: 'slow test transport',
        sent,
        async send(message) {
            await new Promise((r) => setTimeout(r, delayMs));
            sent.push(message);
            return { status: 'sent' };
        },
        async close() {},
    };
}

forEachEngine('transactional dispatch', (ctx) => {
    const transport = slowTransport(15);
    let serve: TestServer;
    beforeAll(async () => {
        serve = await startTestServer(ctx.store, await examplePlans('cart-abandonment'), { transport });
    });
    afterAll(() => serve?.close());

    it('stops after the batch in hand; the next dispatcher sends the rest; every message is sent exactly once', async () => {
        const events = Array.from({ length: 250 }, (_, i) => ({ type: 'cartAbandonment', id: `d-${i}`, data: cartData(i) }));
        const r = await post(`${serve.url}/v1/events`, events);
        expect(r.status).toBe(202);
        await eventually(() => transport.sent.length > 0);

        const started = Date.now();
        await serve.dispatcher.stop();
        expect(Date.now() - started).toBeLessThan(5_000);
        const pending = await count(ctx.store, 'outbox', `status = 'pending'`);
        expect(pending).toBeGreaterThan(0); // the backlog is left for later, not drained on the way out
        expect(await count(ctx.store, 'outbox', `status NOT IN ('pending', 'sent')`)).toBe(0);

        const metrics = new MetricsRegistry();
        const next = startTransactionalDispatcher({
            store: ctx.store, transports: { email: transport }, clock: () => NOW, log: createJsonLogger({ write: () => {} }), metrics,
        });
        try {
            await eventually(async () => (await count(ctx.store, 'outbox', `status = 'sent'`)) === 250, 30_000);
        } finally {
            await next.stop();
        }
        const ids = transport.sent.map((m) => m.deliveryId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(250);
        expect(await count(ctx.store, 'deliveries', `rule IS NULL AND status = 'sent'`)).toBe(250);
        expect(transport.sent[0]).toMatchObject({ channel: 'email', rule: null, subject: expect.stringMatching(/you left something in your cart/) });
    });
});
