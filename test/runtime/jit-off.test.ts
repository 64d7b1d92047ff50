/**
 * A run's transaction has JIT off on a PostgreSQL server (store.ts, TransactionOptions.jit): a large
 * store's selection otherwise paid its expressions' compilation at every run (bench/README.md). The
 * setting is the transaction's own (SET LOCAL): the store's other statements keep the server's. The
 * run's selection is observed on the same connection, as it executes; so is a simulation's.
 */
import { beforeEach, expect, it } from 'vitest';
import { runRules, simulate, type Store, type StoreTx } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, resetStore, shift } from '../support/sql-fixtures.js';
import { plansOf } from './support.js';

const source = {
    'shop.followup': `
event cartAbandonment { customerId: string  email: email }
message nudge for cartAbandonment email { subject: "Your cart" text: "Still there?" }
when cartAbandonment sent 3 days ago then send nudge email`,
};
const now = new Date('2026-11-23T10:00:00Z');

/**
 * The store, its transactions' statements watched: at the first statement that reads `deliveries`
 * (the rule's selection), `current_setting('jit')` is read on the same connection, in the same
 * transaction.
 */
function watching(store: Store, seen: string[]): Store {
    return new Proxy(store, {
        get(target, key, receiver) {
            if (key !== 'transaction') return Reflect.get(target, key, receiver) as unknown;
            return (fn: (tx: StoreTx) => Promise<unknown>, options?: object) => target.transaction((tx) => {
                const watched: StoreTx = {
                    ...tx,
                    query: async (sql, params) => {
                        if (/\bFROM deliveries d\b/.test(sql) && seen.length === 0) {
                            const { rows } = await tx.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`);
                            seen.push(rows[0]!.jit);
                        }
                        return tx.query(sql, params);
                    },
                    exec: (script) => tx.exec(script),
                };
                return fn(watched);
            }, options);
        },
    });
}

forEachEngine('JIT in a run', (ctx) => {
    // PGlite has no JIT, and its transactions take no settings: there, the runs decide as before.
    const server = ctx.engine === 'postgres';

    beforeEach(async () => {
        await resetStore(ctx.store);
        await eventWithDelivery(ctx.store, {
            id: 'cart-1', type: 'cartAbandonment', sentAt: shift(now, { days: -3, hours: -1 }), recipient: 'ana@example.com',
            payload: { customerId: 'c-ana', email: 'ana@example.com' },
        });
    });

    if (server) it('a transaction opened with jit: false has it off; the statements outside keep the server setting', async () => {
        const server = (await ctx.store.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit;
        expect(server).toBe('on'); // PostgreSQL's default: what a stock server compiles with
        const inside = await ctx.store.transaction(async (tx) => (await tx.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit, { jit: false });
        expect(inside).toBe('off');
        const plain = await ctx.store.transaction(async (tx) => (await tx.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit);
        expect(plain).toBe('on');
        // SET LOCAL ends with its transaction, also on the pool's connection it leaves behind.
        const after = await Promise.all([1, 2, 3].map(async () => (await ctx.store.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit));
        expect(after).toEqual(['on', 'on', 'on']);
    });

    it("a run's selection executes with JIT off on a server, and decides as before", async () => {
        const plans = await plansOf(source);
        const seen: string[] = [];
        const run = await runRules(watching(ctx.store, seen), plans, { now });
        expect(seen).toEqual(server ? ['off'] : [expect.any(String)]);
        expect(run.total.queued).toBe(1);
    });

    it("a simulation's selections execute with JIT off on a server", async () => {
        const plans = await plansOf(source);
        const seen: string[] = [];
        const result = await simulate(watching(ctx.store, seen), plans, { from: shift(now, { days: -1 }), to: now, every: { text: 'every 1 hour', minutes: 60 } });
        expect(seen).toEqual(server ? ['off'] : [expect.any(String)]);
        expect(result.rules[0]!.total.wouldSend).toBe(1);
    });
});
