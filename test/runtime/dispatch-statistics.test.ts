// A dispatcher keeps the planner's statistics of what it reads fresh enough (refreshPlannerStatisticsEvery):
// nothing else analyses for serve (PGlite never autovacuums; a server's first analysis of a new table
// comes a minute or more after it started filling). A table analysed while its first page held no
// live row has a density of zero rows a page, and the planner takes it for one row however large it
// grows: serve's settles once planned the whole deliveries table as a join's outer side that way
// (bench/README.md, 2026-12-06).
import { expect, it } from 'vitest';
import { dispatchOutbox, openStore, type OutgoingMessage, type SendResult, type Store, type Transport } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { queueTransactional } from './support.js';

const NOW = new Date('2026-11-20T10:00:00Z');
// Few enough that no table more than doubles past 8 pages: only the zero density tells them stale.
const ROWS = 300;

function countingTransport(): Transport & { sent: number } {
    const t = {
        description: 'counting',
        sent: 0,
        async send(_message: OutgoingMessage): Promise<SendResult> {
            t.sent++;
            return { status: 'sent' as const };
        },
        async close() {},
    };
    return t;
}

async function reltuples(store: Store): Promise<Record<string, number>> {
    const { rows } = await store.query<{ relname: string; reltuples: number }>(
        `SELECT relname, reltuples::float8 AS reltuples FROM pg_class WHERE relname IN ('events', 'deliveries', 'outbox') AND relkind = 'r' ORDER BY relname`);
    return Object.fromEntries(rows.map((r) => [r.relname, Number(r.reltuples)]));
}

forEachEngine('a dispatcher refreshes the statistics of what it reads', (ctx) => {
    it('statistics taken from a first page without a live row are taken again once the tables grew', async () => {
        const store = await openStore(await ctx.freshTarget());
        try {
            await store.exec(['events', 'deliveries', 'outbox'].map((t) => `ALTER TABLE ${t} SET (autovacuum_enabled = off)`).join('; '));
            // A row in and out again: each table has a page and no live row when analysed.
            await store.exec(`
                INSERT INTO events (id, type, occurred_at, payload) VALUES ('gone', 'cart', now(), '{}');
                INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ('gone', 'gone', 'transactional', 'email', 'a@example.com', now(), 'queued');
                INSERT INTO outbox (delivery_id, rule, channel, recipient, content) VALUES ('gone', NULL, 'email', 'a@example.com', '{}');
                DELETE FROM outbox; DELETE FROM deliveries; DELETE FROM events;
                ANALYZE events, deliveries, outbox`);
            expect(await reltuples(store)).toEqual({ deliveries: 0, events: 0, outbox: 0 });
            await queueTransactional(store, ROWS, NOW);

            const transport = countingTransport();
            const report = await dispatchOutbox(store, { transports: { email: transport }, plans: [], now: NOW, transactional: true });
            expect(report.total.sent).toBe(ROWS);
            expect(transport.sent).toBe(ROWS);
            // Analysed by the dispatcher before its first claim: the planner now sees the rows.
            const after = await reltuples(store);
            for (const table of ['events', 'deliveries', 'outbox']) expect(after[table], table).toBeGreaterThanOrEqual(ROWS / 2);
        } finally {
            await store.close();
        }
    });
});
