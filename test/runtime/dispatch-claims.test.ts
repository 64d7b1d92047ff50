// The outbox dispatcher's three steps (issue 11, item 2): claim in a short transaction, send with no
// transaction open, settle in another short one. While a message is being sent the store answers
// everyone else at once; a row claimed by a process that died is sent again once the lease ran out
// (on PGlite, at once: one process opens it at a time), with its delivery id as before; a dispatcher
// whose lease ran out does not overwrite what its successor does with the row.
import { beforeEach, expect, it } from 'vitest';
import { dispatchOutbox, type OutgoingMessage, type SendResult, type Store, type StoreTx, type Transport } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';

const NOW = new Date('2026-11-20T10:00:00Z');

/** A transport that records what it is given and answers after `delayMs` (or when `release` is called). */
function slowTransport(delayMs: number): Transport & { sent: OutgoingMessage[]; started: number } {
    const t = {
        description: 'test',
        sent: [] as OutgoingMessage[],
        started: 0,
        async send(message: OutgoingMessage): Promise<SendResult> {
            t.started++;
            await new Promise((r) => setTimeout(r, delayMs));
            t.sent.push(message);
            return { status: 'sent' };
        },
        async close() {},
    };
    return t;
}

/** One transactional email waiting in the outbox: event, delivery, outbox row. */
async function queue(store: Store, id: string): Promise<string> {
    const deliveryId = `transactional.email:${id}`;
    await store.query(`INSERT INTO events (id, type, occurred_at, payload) VALUES ($1, 'cartAbandonment', $2, '{}')`, [id, NOW]);
    await store.query(
        `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ($1, $2, 'transactional', 'email', 'a@example.com', $3, 'queued')`,
        [deliveryId, id, NOW],
    );
    await store.query(
        `INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at) VALUES ($1, NULL, 'email', 'a@example.com', $2::jsonb, $3)`,
        [deliveryId, JSON.stringify({ eventId: id, subject: 'Hi', text: 'Hello', headers: {} }), NOW],
    );
    return deliveryId;
}

async function outboxRow(store: Store, deliveryId: string) {
    const { rows } = await store.query<{ status: string; attempts: number; claimed_by: string | null }>(
        'SELECT status, attempts, claimed_by FROM outbox WHERE delivery_id = $1',
        [deliveryId],
    );
    return rows[0]!;
}

forEachEngine('outbox dispatch: claim, send, settle', (ctx) => {
    beforeEach(async () => {
        await ctx.store.exec('TRUNCATE outbox, deliveries, events CASCADE');
    });

    it('holds no transaction while sending: the store answers other queries and transactions at once', async () => {
        await queue(ctx.store, 'e-slow');
        const transport = slowTransport(1500);
        const dispatching = dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now: NOW, transactional: true });
        while (transport.started === 0) await new Promise((r) => setTimeout(r, 10));
        const started = performance.now();
        await ctx.store.query('SELECT count(*) FROM events');
        await ctx.store.transaction((tx) => tx.query(`INSERT INTO events (id, type, occurred_at, payload) VALUES ('meanwhile', 'x', now(), '{}')`));
        expect(performance.now() - started).toBeLessThan(500);
        const report = await dispatching;
        expect(report.total.sent).toBe(1);
    });

    it('a row claimed by a process that died is sent again once its lease ran out (PGlite: at once), under the same delivery id', async () => {
        const deliveryId = await queue(ctx.store, 'e-dead');
        await ctx.store.query(
            `UPDATE outbox SET claimed_by = 'a-process-that-died:batch-1', claimed_until = now() + interval '1500 milliseconds', attempts = 1 WHERE delivery_id = $1`,
            [deliveryId],
        );
        const transport = slowTransport(0);
        const first = await dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now: NOW, transactional: true });
        if (ctx.engine === 'postgres') {
            expect(first.total.sent).toBe(0); // still leased to the other process
            await new Promise((r) => setTimeout(r, 1700));
            const second = await dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now: NOW, transactional: true });
            expect(second.total.sent).toBe(1);
        } else {
            expect(first.total.sent).toBe(1);
        }
        expect(transport.sent.map((m) => m.deliveryId)).toEqual([deliveryId]);
        expect(await outboxRow(ctx.store, deliveryId)).toEqual({ status: 'sent', attempts: 2, claimed_by: null });
    });

    // Two processes share a store only on PostgreSQL (on PGlite another process's claim is stale at once):
    // the case exists on PostgreSQL alone, so the test is declared there alone.
    if (ctx.engine === 'postgres') it('a dispatcher that lost its claim while sending settles nothing: the new holder decides', async () => {
        const deliveryId = await queue(ctx.store, 'e-lost');
        const transport = slowTransport(600);
        const sent: string[] = [];
        const dispatching = dispatchOutbox(ctx.store, {
            transports: { email: transport }, plans: [], now: NOW, transactional: true, onSent: (m) => sent.push(m.delivery),
        });
        while (transport.started === 0) await new Promise((r) => setTimeout(r, 10));
        // Its lease ran out (a long pause) and another dispatcher claimed the row.
        await ctx.store.query(`UPDATE outbox SET claimed_by = 'another-process:batch-9', claimed_until = now() + interval '1 minute' WHERE delivery_id = $1`, [deliveryId]);
        const report = await dispatching;
        expect(report.total.sent).toBe(0);
        expect(sent).toEqual([]);
        expect(await outboxRow(ctx.store, deliveryId)).toMatchObject({ status: 'pending', claimed_by: 'another-process:batch-9' });
    });

    it('stops between batches when asked, after settling the batch in hand', async () => {
        for (let i = 0; i < 5; i++) await queue(ctx.store, `e-stop-${i}`);
        const transport = slowTransport(50);
        let stop = false;
        const report = await dispatchOutbox(ctx.store, {
            transports: { email: transport }, plans: [], now: NOW, transactional: true, batchSize: 2,
            shouldStop: () => stop,
            onSent: () => (stop = true),
        });
        expect(report.total.sent).toBe(2);
        const { rows } = await ctx.store.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM outbox WHERE claimed_by IS NULL GROUP BY status ORDER BY status`);
        expect(rows).toEqual([{ status: 'pending', n: 3 }, { status: 'sent', n: 2 }]);
    });
});

forEachEngine('outbox dispatch: a batch is recorded as sent only once its transport flushed it', (ctx) => {
    beforeEach(async () => {
        await ctx.store.exec('TRUNCATE outbox, deliveries, events CASCADE');
    });

    it('a transport whose flush fails has its batch pending again (a temporary failure), then sent once the flush works', async () => {
        const ids = [await queue(ctx.store, 'e-f1'), await queue(ctx.store, 'e-f2')];
        let flushes = 0;
        let failing = true;
        const transport: Transport & { sent: string[] } = {
            description: 'flushing',
            sent: [],
            async send(message) {
                this.sent.push(message.deliveryId);
                return { status: 'sent' };
            },
            async flush() {
                flushes++;
                if (failing) throw new Error('the disk is full');
            },
            async close() {},
        };
        const first = await dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now: NOW, transactional: true });
        expect(first.total).toMatchObject({ sent: 0, retrying: 2 });
        expect(flushes).toBe(1); // once per batch, not per message
        for (const id of ids) expect((await outboxRow(ctx.store, id)).status).toBe('pending');
        const { rows } = await ctx.store.query<{ last_error: string }>('SELECT last_error FROM outbox ORDER BY id');
        expect(rows.map((r) => r.last_error)).toEqual(['the disk is full', 'the disk is full']);

        failing = false;
        const later = new Date(NOW.getTime() + 24 * 3600_000);
        const second = await dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now: later, transactional: true });
        expect(second.total).toMatchObject({ sent: 2, retrying: 0 });
        for (const id of ids) expect((await outboxRow(ctx.store, id)).status).toBe('sent');
    });
    /**
     * A transport that logs its sends and flushes (each flush taking 100 ms), and the store's settles,
     * in the order they happen, over batches of 2.
     */
    async function dispatchLogged(idempotent: boolean) {
        for (let i = 0; i < 6; i++) await queue(ctx.store, `e-o${i}`);
        const log: string[] = [];
        const transport: Transport = {
            description: 'logged',
            idempotent,
            async send(message) {
                log.push(`send ${message.deliveryId.split(':')[1]}`);
                return { status: 'sent' };
            },
            async flush() {
                log.push('flush');
                await new Promise((r) => setTimeout(r, 100));
            },
            async close() {},
        };
        // Settles are seen on the store and in its transactions (on a server each settle is one, bounded in time).
        const spied = <T extends StoreTx>(db: T): T => {
            const query = db.query.bind(db);
            const spy = Object.create(db) as T;
            spy.query = (async (sql: string, params?: unknown[]) => {
                if (/^\s*WITH o AS \(\s*UPDATE outbox o SET status/.test(sql)) log.push('settle');
                return query(sql, params);
            }) as Store['query'];
            return spy;
        };
        const store = spied(ctx.store);
        store.transaction = (fn, options) => ctx.store.transaction((tx) => fn(spied(tx)), options);
        const report = await dispatchOutbox(store, { transports: { email: transport }, plans: [], now: NOW, transactional: true, batchSize: 2, concurrency: 1 });
        return { report, log };
    }

    it('over an idempotent transport (the outbox folder), the next batch is sent while the last one is flushed and settled', async () => {
        const { report, log } = await dispatchLogged(true);
        expect(report.total).toMatchObject({ sent: 6, failed: 0, retrying: 0 });
        // Batch 2 is sent during batch 1's 100 ms flush, before batch 1 is settled; flushes stay in batch order.
        expect(log.slice(0, 5)).toEqual(['send e-o0', 'send e-o1', 'flush', 'send e-o2', 'send e-o3']);
        expect(log.filter((l) => l === 'flush')).toHaveLength(3);
        expect(log.indexOf('settle')).toBeLessThan(log.lastIndexOf('flush'));
        for (let i = 0; i < 6; i++) expect((await outboxRow(ctx.store, `transactional.email:e-o${i}`)).status).toBe('sent');
    });

    it('over other transports (SMTP, webhooks), a batch is settled before the next one is sent', async () => {
        const { report, log } = await dispatchLogged(false);
        expect(report.total).toMatchObject({ sent: 6, failed: 0, retrying: 0 });
        expect(log).toEqual([
            'send e-o0', 'send e-o1', 'flush', 'settle',
            'send e-o2', 'send e-o3', 'flush', 'settle',
            'send e-o4', 'send e-o5', 'flush', 'settle',
        ]);
    });
});
