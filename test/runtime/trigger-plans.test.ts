// The store's triggers (schema v9's recount of originals, v14-v16's checks of the keys they replace)
// must cost what their statement writes, not what the table holds, whatever the planner statistics.
//
// PL/pgSQL caches a statement's plan per connection: at its first call when it has no parameters,
// after five calls otherwise. A store that was new when a connection first fired them kept plans
// made for tables of a row or two (statistics taken at one row: density one row a page), and those
// plans scanned a whole table per row of the statement. Found with `serve` on a new store: settles of
// 100 messages that took 8 s at 18,000 deliveries, then minutes (bench/README.md, 2026-12-06). Since
// schema v18 these statements are planned at each call and look each row up by its key.
//
// Each test replays that history on a new store: statistics taken with one row, a few small
// statements (plans cached), then the table grows to 20,000 rows without statistics.
import { describe, expect, it } from 'vitest';
import { openStore, type Store, type StoreTx } from '@followup/runtime';
import { claimRows, settle } from '../../packages/runtime/src/dispatch/outbox-rows.js';
import { forEachEngine } from '../support/stores.js';

const TABLE = 20_000;
const BATCH = 100;

const ids = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `${prefix}${from + k}`);

/** Events e<i>, their queued transactional deliveries d<i>, and outbox rows held by the claim `token`. */
function add(db: StoreTx, from: number, to: number): Promise<void> {
    return db.exec(`
        INSERT INTO events (id, type, occurred_at, payload) SELECT 'e' || i, 'cart', now(), '{}' FROM generate_series(${from}, ${to}) i;
        INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
            SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a@example.com', now(), 'queued' FROM generate_series(${from}, ${to}) i;
        INSERT INTO outbox (delivery_id, rule, channel, recipient, content, claimed_by, claimed_until)
            SELECT 'd' || i, NULL, 'email', 'a@example.com', '{}', 'token', now() + interval '1 hour' FROM generate_series(${from}, ${to}) i`);
}

/** Dispatch's settle of d<from>..d<to>: sent, their deliveries too (whose trigger recounts their events' originals). */
async function settleSent(db: StoreTx, from: number, to: number, measure?: () => Promise<void>): Promise<number> {
    const { rows } = await db.query<{ id: number; delivery_id: string }>(
        'SELECT id, delivery_id FROM outbox WHERE delivery_id = ANY ($1::text[])', [ids('d', from, to)]);
    await measure?.();
    return (await settle(db, rows.map((r) => ({ id: Number(r.id), deliveryId: r.delivery_id, status: 'sent' as const, nextAttemptAt: null, error: null, delivery: 'sent' as const })), 'token')).size;
}

/** Tuples this transaction read from `table`: by sequential scans, and through indexes. */
async function reads(tx: StoreTx, table: string): Promise<{ scanned: number; fetched: number }> {
    const { rows } = await tx.query<{ scanned: string; fetched: string }>(
        `SELECT coalesce(seq_tup_read, 0) AS scanned, coalesce(idx_tup_fetch, 0) AS fetched FROM pg_stat_xact_user_tables WHERE relname = $1`, [table]);
    return { scanned: Number(rows[0]!.scanned), fetched: Number(rows[0]!.fetched) };
}

/**
 * The statistics a new store's tables may be left with until something analyses them again:
 * - one live row on the first page: estimates then grow with the table's pages (one row a page);
 * - a first page with no live row (rows being inserted by transactions still open when the table was
 *   analysed: serve's start analyses while ingestion begins): a density of zero rows a page, so the
 *   planner takes the table for one row whatever its size. Found with `serve` on 2026-12-06 (sixth
 *   session): its settles planned the whole deliveries table as a join's outer side, one row expected.
 */
const STATISTICS: Record<string, (store: Store) => Promise<void>> = {
    'one live row': (store) => add(store, 1, 1),
    'a first page without a live row': async (store) => {
        await add(store, 1, 1);
        await store.exec(`DELETE FROM outbox; DELETE FROM deliveries; DELETE FROM events`);
    },
};

forEachEngine('triggers cost their statement, not the table', (ctx) => {
  for (const [statistics, takeStatistics] of Object.entries(STATISTICS)) {
   describe(`statistics taken with ${statistics}`, () => {
    /** A new store with statistics taken as said (no autovacuum to take others), then `fn` in one transaction. */
    async function onNewStore<T>(fn: (tx: StoreTx) => Promise<T>): Promise<{ result: T; store: Store }> {
        const store = await openStore(await ctx.freshTarget());
        await store.exec(['events', 'deliveries', 'outbox', 'decisions'].map((t) => `ALTER TABLE ${t} SET (autovacuum_enabled = off)`).join('; '));
        await takeStatistics(store);
        await store.exec('ANALYZE events, deliveries, outbox, decisions');
        // Small statements first: each trigger's plans are made, and cached, while the tables are tiny.
        const result = await store.transaction(async (tx) => {
            for (let k = 0; k < 8; k++) {
                await add(tx, 10 + k * 10, 19 + k * 10);
                await settleSent(tx, 10 + k * 10, 19 + k * 10);
                await tx.query(`DELETE FROM outbox WHERE delivery_id = $1`, [`d${10 + k * 10}`]);
                await tx.query(`DELETE FROM deliveries WHERE id = $1`, [`d${10 + k * 10}`]);
                await tx.query(`DELETE FROM events WHERE id = $1`, [`e${10 + k * 10}`]);
            }
            return fn(tx);
        });
        return { result, store };
    }

    it(`a settle of ${BATCH} of ${TABLE} reads its rows and its events' deliveries, not the tables`, async () => {
        const { result: read, store } = await onNewStore(async (tx) => {
            await add(tx, 1000, 1000 + TABLE);
            const tables = async () => Object.fromEntries(await Promise.all(['outbox', 'deliveries'].map(async (t) => {
                const { scanned, fetched } = await reads(tx, t);
                return [t, scanned + fetched] as const;
            })));
            let before: Record<string, number> = {};
            // The settle: outbox rows and their deliveries sent, whose trigger recounts their events' originals.
            expect(await settleSent(tx, 5000, 5000 + BATCH - 1, async () => void (before = await tables()))).toBe(BATCH);
            const after = await tables();
            return { outbox: after.outbox! - before.outbox!, deliveries: after.deliveries! - before.deliveries! };
        });
        try {
            const { rows } = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE first_original AND first_of_channel AND id = ANY ($1::text[])`, [ids('d', 5000, 5000 + BATCH - 1)]);
            expect(rows[0]!.n).toBe(BATCH);
            // v9's cached plan read deliveries once per touched delivery (3-4 s here); with a density of
            // zero rows a page, v18's settle read it once per row of the batch (13-24 s here). A table
            // small in pages may be read once (a server prefers ~300 pages in order to 100 probes by key).
            expect(read.outbox).toBeLessThan(TABLE + 10 * BATCH);
            expect(read.deliveries).toBeLessThan(2 * TABLE + 10 * BATCH);
        } finally {
            await store.close();
        }
    });

    it(`a claim of ${BATCH} of ${TABLE} pending rows reads its batch, not the outbox once per row`, async () => {
        const { result, store } = await onNewStore(async (tx) => {
            await add(tx, 1000, 1000 + TABLE);
            // Due and unclaimed (the statistics' row d1 out of the way: it is held, but by no live process).
            await tx.exec(`DELETE FROM outbox WHERE delivery_id = 'd1'; UPDATE outbox SET claimed_by = NULL, claimed_until = NULL`);
            const before = await reads(tx, 'outbox');
            const claimed = await claimRows(tx, {
                now: new Date(Date.now() + 60_000), rules: [], transactional: true, limit: BATCH, embedded: ctx.engine === 'pglite', token: 'next', leaseMs: 60_000,
            });
            const after = await reads(tx, 'outbox');
            return { claimed: claimed.map((r) => r.delivery_id), read: after.scanned + after.fetched - before.scanned - before.fetched };
        });
        await store.close();
        // The first due rows, in id order.
        expect(result.claimed).toEqual(ids('d', 1000, 1000 + BATCH - 1));
        // Joined to the rows it picked, with the outbox taken for one row, the claim picked its batch
        // again for every row of the table (3.7 s a claim of 100 out of 3,000 on PGlite, after runs
        // killed while deciding). Now: the batch, through the due index, then the batch by key.
        expect(result.read).toBeLessThan(10 * BATCH);
    });

    // Queued, as serve's ingest writes them: sent ones would also be recounted, and the recount of more than
    // 1,000 events joins them with events at once, planned for their number (one scan, not one per row).
    it(`inserting ${TABLE} originals looks their events up by key, never scanning events`, async () => {
        const { result: events, store } = await onNewStore(async (tx) => {
            await tx.exec(`INSERT INTO events (id, type, occurred_at, payload) SELECT 'e' || i, 'cart', now(), '{}' FROM generate_series(1000, ${1000 + TABLE}) i`);
            const before = await reads(tx, 'events');
            await tx.exec(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
                SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a@example.com', now(), 'queued' FROM generate_series(1000, ${1000 + TABLE}) i`);
            const after = await reads(tx, 'events');
            // A delivery of a missing event is still refused.
            await expect(tx.exec(`SAVEPOINT s; INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at) VALUES ('orphan', 'nowhere', 'm', 'email', 'a@example.com', now())`))
                .rejects.toThrow(/event nowhere is not there/);
            await tx.exec('ROLLBACK TO SAVEPOINT s');
            return { scanned: after.scanned - before.scanned, fetched: after.fetched - before.fetched };
        });
        await store.close();
        // v16's cached plan scanned events and compared every new row with every event: 37 s on
        // PostgreSQL, 61 s on PGlite. Now each row's event is fetched through the key (locked, then checked).
        expect(events.scanned).toBe(0);
        expect(events.fetched).toBeGreaterThanOrEqual(TABLE);
    });

    it(`deleting ${BATCH} events and their deliveries looks up what names them by key, scanning nothing`, async () => {
        const { result, store } = await onNewStore(async (tx) => {
            await add(tx, 1000, 1000 + TABLE);
            await tx.query(`DELETE FROM outbox WHERE delivery_id = ANY ($1::text[])`, [ids('d', 5000, 5000 + BATCH - 1)]);
            const scanned = async () => ({
                outbox: (await reads(tx, 'outbox')).scanned, decisions: (await reads(tx, 'decisions')).scanned, deliveries: (await reads(tx, 'deliveries')).scanned,
            });
            const start = await scanned();
            await tx.query(`DELETE FROM deliveries WHERE event_id = ANY ($1::text[])`, [ids('e', 5000, 5000 + BATCH - 1)]);
            const deliveriesDeleted = await scanned();
            await tx.query(`DELETE FROM events WHERE id = ANY ($1::text[])`, [ids('e', 5000, 5000 + BATCH - 1)]);
            const eventsDeleted = await scanned();
            // Still refused: an event some delivery names, a delivery the outbox names.
            await expect(tx.exec(`SAVEPOINT s; DELETE FROM events WHERE id = 'e6000'`)).rejects.toThrow(/event e6000 still has deliveries/);
            await tx.exec('ROLLBACK TO SAVEPOINT s');
            await expect(tx.exec(`SAVEPOINT s; DELETE FROM deliveries WHERE id = 'd6000'`)).rejects.toThrow(/delivery d6000 is still in the outbox/);
            await tx.exec('ROLLBACK TO SAVEPOINT s');
            // (Deleting deliveries also runs PostgreSQL's own check of tracking's foreign key, whose
            // cached plan scans deliveries: not ours, so deliveries are counted at the events' delete.)
            return {
                outbox: deliveriesDeleted.outbox - start.outbox, decisions: deliveriesDeleted.decisions - start.decisions,
                deliveries: eventsDeleted.deliveries - deliveriesDeleted.deliveries,
            };
        });
        await store.close();
        expect(result).toEqual({ outbox: 0, decisions: 0, deliveries: 0 });
    });
   });
  }
});
