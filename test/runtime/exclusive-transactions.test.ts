/**
 * What a run may skip on the embedded store rests on one property (StoreTx.exclusive): while a PGlite
 * transaction is open, nothing else commits, so what the run's selection read still holds when it
 * records, and there is no other run to lock recipients against (executor/run-rule.ts). On a
 * PostgreSQL server another session commits in between and a later statement of the transaction sees
 * it: there the run checks again and locks. If a PGlite upgrade let queries in during a transaction,
 * the first test fails.
 */
import { beforeEach, expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { insertEvent, resetStore } from '../support/sql-fixtures.js';
import { count } from './support.js';

const at = new Date('2026-11-20T08:00:00Z');

forEachEngine('a transaction and a write from outside it', (ctx) => {
    beforeEach(() => resetStore(ctx.store));

    it(ctx.engine === 'pglite'
        ? 'the write waits until the transaction ends: the transaction reads the same all along (exclusive)'
        : 'the write commits while the transaction is open and its next statement sees it (not exclusive)', async () => {
        let outside: Promise<unknown> | undefined;
        const seen = await ctx.store.transaction(async (tx) => {
            const before = await count(tx, 'events');
            outside = insertEvent(ctx.store, { id: 'outside', type: 'purchase', payload: { customerId: 'c1' }, occurredAt: at });
            outside.catch(() => {}); // awaited below
            // Long enough for the insert to commit had it not been made to wait.
            await Promise.race([outside, new Promise((resolve) => setTimeout(resolve, 300))]);
            return { exclusive: tx.exclusive === true, before, after: await count(tx, 'events') };
        });
        await outside;
        expect(await count(ctx.store, 'events')).toBe(1);
        if (ctx.engine === 'pglite') expect(seen).toEqual({ exclusive: true, before: 0, after: 0 });
        else expect(seen).toEqual({ exclusive: false, before: 0, after: 1 });
    });
});
