// A settle that runs past its bound does not hold the dispatcher (bounded-settle.ts): on a PostgreSQL
// server each attempt has a statement timeout; when it runs out the settle's tables are analysed and
// the settle is tried again, longer, then without a bound. The messages it settles are sent once
// each and recorded as sent. On the embedded store there is no bound (one connection, this thread).
//
// A real server, and a real slow statement: a trigger on deliveries sleeps at the settles the test
// chooses (a sequence counts them: a sequence is not rolled back with the settle).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatchOutbox, openStore, type OutgoingMessage, type SendResult, type Store, type Transport } from '@followup/runtime';
import { freshPostgresTarget, releaseSharedDatabases } from '../support/stores.js';
import { queueTransactional } from './support.js';

const NOW = new Date('2026-11-20T10:00:00Z');

function recordingTransport(): Transport & { sent: OutgoingMessage[] } {
    const t = {
        description: 'test',
        sent: [] as OutgoingMessage[],
        async send(message: OutgoingMessage): Promise<SendResult> {
            t.sent.push(message);
            return { status: 'sent' as const };
        },
        async close() {},
    };
    return t;
}

/** Makes the settles numbered in `slow` (1 = the first) sleep `seconds` in a trigger of their update of deliveries. */
async function slowSettles(store: Store, slow: number[], seconds: number): Promise<void> {
    await store.exec(`
        CREATE SEQUENCE settle_calls;
        CREATE FUNCTION slow_settle() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF; -- the recount of originals updates deliveries too
            IF nextval('settle_calls') = ANY (ARRAY[${slow.join(',')}]::bigint[]) THEN PERFORM pg_sleep(${seconds}); END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER slow_settle AFTER UPDATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION slow_settle()`);
}

async function statuses(store: Store): Promise<{ outbox: Record<string, number>; deliveries: Record<string, number>; settles: number; sleeping: number }> {
    const count = async (sql: string) => Object.fromEntries((await store.query<{ status: string; n: number }>(sql)).rows.map((r) => [r.status, Number(r.n)]));
    const { rows } = await store.query<{ settles: string; sleeping: string }>(
        `SELECT (SELECT last_value FROM settle_calls) AS settles,
                (SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%UPDATE outbox o SET status%' AND pid <> pg_backend_pid()) AS sleeping`);
    return {
        outbox: await count('SELECT status, count(*) AS n FROM outbox GROUP BY status'),
        deliveries: await count('SELECT status, count(*) AS n FROM deliveries GROUP BY status'),
        settles: Number(rows[0]!.settles),
        sleeping: Number(rows[0]!.sleeping),
    };
}

function warnings() {
    const seen: { message: string; fields: Record<string, unknown> }[] = [];
    const log = {
        info() {},
        warn(message: string, fields?: Record<string, unknown>) {
            seen.push({ message, fields: fields ?? {} });
        },
        error(message: string, fields?: Record<string, unknown>) {
            seen.push({ message, fields: fields ?? {} });
        },
    };
    return { seen, log };
}

describe('a settle bounded in time [postgres]', () => {
    let store: Store;
    beforeAll(async () => {
        store = await openStore(await freshPostgresTarget());
    });
    beforeEach(async () => {
        await store.exec(`DROP TRIGGER IF EXISTS slow_settle ON deliveries; DROP FUNCTION IF EXISTS slow_settle(); DROP SEQUENCE IF EXISTS settle_calls;
                          TRUNCATE outbox, deliveries, events CASCADE`);
    });
    afterAll(async () => {
        await store?.close();
        await releaseSharedDatabases();
    });

    it('a settle stuck past its bound is cancelled, the tables analysed, and the batch settled again: each message sent once, recorded as sent', async () => {
        await queueTransactional(store, 30, NOW);
        // The first settle would sleep ten minutes: without the bound the test times out.
        await slowSettles(store, [1], 600);
        const transport = recordingTransport();
        const { seen, log } = warnings();
        const report = await dispatchOutbox(store, {
            transports: { email: transport }, plans: [], now: NOW, transactional: true, log, settleTimeoutsMs: [500, 5_000],
        });
        expect(report.total).toMatchObject({ sent: 30, failed: 0, retrying: 0 });
        expect(transport.sent.map((m) => m.deliveryId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `d${i + 1}`).sort());
        const after = await statuses(store);
        expect(after).toEqual({ outbox: { sent: 30 }, deliveries: { sent: 30 }, settles: 2, sleeping: 0 });
        expect(seen).toEqual([{
            message: 'dispatch: a settle ran past its bound; tables analysed, settling again',
            fields: expect.objectContaining({ rows: 30, boundMs: 500, attempt: 1, nextBoundMs: 5_000 }),
        }]);
        // Analysed by the retry (the store was new: nothing had analysed the outbox).
        const { rows } = await store.query<{ analysed: string }>(
            `SELECT count(*) AS analysed FROM pg_stat_user_tables WHERE relname IN ('outbox', 'deliveries', 'events') AND last_analyze IS NOT NULL`);
        expect(Number(rows[0]!.analysed)).toBe(3);
    });

    it('the attempt after the last bound has none: a settle slower than every bound still ends, and nothing is sent twice', async () => {
        await queueTransactional(store, 5, NOW);
        // Both attempts are slow: the first past its bound of 300 ms, the second (unbounded) sleeps 1.5 s and commits.
        await slowSettles(store, [1, 2], 1.5);
        const transport = recordingTransport();
        const { seen, log } = warnings();
        const report = await dispatchOutbox(store, {
            transports: { email: transport }, plans: [], now: NOW, transactional: true, log, settleTimeoutsMs: [300],
        });
        expect(report.total.sent).toBe(5);
        expect(transport.sent).toHaveLength(5);
        expect(await statuses(store)).toEqual({ outbox: { sent: 5 }, deliveries: { sent: 5 }, settles: 2, sleeping: 0 });
        expect(seen.map((w) => w.fields)).toEqual([expect.objectContaining({ boundMs: 300, attempt: 1, nextBoundMs: null })]);
    });

    it('the lease is renewed through the attempts: another dispatcher polling meanwhile takes none of the rows over, nothing is sent twice', async () => {
        await queueTransactional(store, 10, NOW);
        // Two attempts run out (0.8 s each, two thirds of the lease less the time to renew it) and the
        // third settles: with the two analyses between them, more settling than the lease of 1.5 s.
        // Were the lease not renewed while settling, it would have run out before the third.
        await slowSettles(store, [1, 2], 600);
        const first = recordingTransport();
        const other = recordingTransport();
        let settled = false;
        const dispatching = dispatchOutbox(store, {
            transports: { email: first }, plans: [], now: NOW, transactional: true, leaseMs: 1_500, settleTimeoutsMs: [800, 800],
        }).finally(() => (settled = true));
        while (first.sent.length < 10) await new Promise((r) => setTimeout(r, 5));
        let polls = 0;
        while (!settled) {
            await dispatchOutbox(store, { transports: { email: other }, plans: [], now: NOW, transactional: true, leaseMs: 1_500 });
            polls++;
        }
        expect((await dispatching).total.sent).toBe(10);
        expect(polls).toBeGreaterThan(10);
        expect(other.sent).toEqual([]);
        expect(await statuses(store)).toEqual({ outbox: { sent: 10 }, deliveries: { sent: 10 }, settles: 3, sleeping: 0 });
    });

    it('a settle that fails for another reason is not tried again: the error reaches the caller, the rows stay claimed for a later attempt', async () => {
        await queueTransactional(store, 3, NOW);
        await store.exec(`
            CREATE SEQUENCE settle_calls;
            CREATE FUNCTION slow_settle() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM nextval('settle_calls'); RAISE EXCEPTION 'the store refused the settle'; END $$;
            CREATE TRIGGER slow_settle AFTER UPDATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION slow_settle()`);
        const { seen, log } = warnings();
        await expect(dispatchOutbox(store, {
            transports: { email: recordingTransport() }, plans: [], now: NOW, transactional: true, log, settleTimeoutsMs: [300, 1_000],
        })).rejects.toThrow('the store refused the settle');
        const after = await statuses(store);
        expect(after).toMatchObject({ outbox: { pending: 3 }, deliveries: { queued: 3 }, settles: 1 });
        expect(seen).toEqual([]);
    });
});
