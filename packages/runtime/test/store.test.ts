import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import {
    currentSchemaVersion,
    latestSchemaVersion,
    migrate,
    migrations,
    openStore,
    StoreSchemaTooNewError,
    storeTables,
    StoreUnavailableError,
    TransactionAbortedError,
    type Store,
    type StoreTx,
} from '../src/index.js';
import { forEachEngine } from '../../../test/support/stores.js';

const T0 = '2025-03-01T00:00:00Z';

async function addEvent(db: StoreTx, id: string, type = 'cartAbandonment', payload: unknown = { cartTotal: 10 }) {
    await db.query('INSERT INTO events (id, type, occurred_at, payload) VALUES ($1, $2, $3, $4)', [id, type, T0, payload]);
}

async function addDelivery(db: StoreTx, id: string, eventId: string, sentAt: string | Date = T0, rule: string | null = null) {
    await db.query(
        `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, rule)
         VALUES ($1, $2, 'cart', 'email', 'ann@example.com', $3, $4)`,
        [id, eventId, sentAt, rule],
    );
}

async function count(db: StoreTx, table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params);
    return rows[0]!.n;
}

forEachEngine('store', (ctx) => {
    it('migrations create every table and index of the schema', async () => {
        const { rows } = await ctx.store.query<{ table_name: string }>(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
        );
        expect(rows.map((r) => r.table_name).sort()).toEqual([...storeTables, 'followup_schema_migrations'].sort());
        const indexes = await ctx.store.query<{ indexname: string }>(
            `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()`,
        );
        expect(indexes.rows.map((r) => r.indexname)).toEqual(
            expect.arrayContaining([
                'events_type_occurred',
                'deliveries_original_sent',
                'deliveries_rule_sent',
                'deliveries_event',
                'tracking_delivery_kind',
                'outbox_pending',
            ]),
        );
    });

    it('migrating again is a no-op, and the version is recorded', async () => {
        expect(await migrate(ctx.store)).toEqual({ applied: [], version: latestSchemaVersion });
        expect(await currentSchemaVersion(ctx.store)).toBe(latestSchemaVersion);
        const { rows } = await ctx.store.query<{ version: number; name: string; applied_at: Date }>(
            'SELECT version, name, applied_at FROM followup_schema_migrations ORDER BY version',
        );
        expect(rows.map(({ version, name }) => ({ version, name }))).toEqual(
            migrations.map(({ version, name }) => ({ version, name })),
        );
        expect(rows[0]!.applied_at).toBeInstanceOf(Date);
    });

    it('two migrate calls at once both succeed and apply nothing twice', async () => {
        const results = await Promise.all([migrate(ctx.store), migrate(ctx.store)]);
        expect(results.map((r) => r.version)).toEqual([latestSchemaVersion, latestSchemaVersion]);
        expect(await count(ctx.store, 'followup_schema_migrations')).toBe(migrations.length);
    });

    it('commits a transaction that resolves, and returns its value', async () => {
        const value = await ctx.store.transaction(async (tx) => {
            await addEvent(tx, 'commit-1');
            await addDelivery(tx, 'commit-1-d', 'commit-1');
            return 'done';
        });
        expect(value).toBe('done');
        expect(await count(ctx.store, 'deliveries', 'event_id = $1', ['commit-1'])).toBe(1);
    });

    it('rolls a transaction back when it throws: nothing half-written', async () => {
        const failure = new Error('renderer crashed');
        await expect(
            ctx.store.transaction(async (tx) => {
                await addEvent(tx, 'rollback-1');
                await addDelivery(tx, 'rollback-1-d', 'rollback-1');
                throw failure;
            }),
        ).rejects.toBe(failure);
        expect(await count(ctx.store, 'events', 'id = $1', ['rollback-1'])).toBe(0);
        expect(await count(ctx.store, 'deliveries', 'id = $1', ['rollback-1-d'])).toBe(0);
    });

    it('rolls back, and says so, when a failed statement was caught inside the transaction', async () => {
        await expect(
            ctx.store.transaction(async (tx) => {
                await addEvent(tx, 'aborted-1');
                await addEvent(tx, 'aborted-1').catch(() => {}); // duplicate key, swallowed
            }),
        ).rejects.toBeInstanceOf(TransactionAbortedError);
        expect(await count(ctx.store, 'events', 'id = $1', ['aborted-1'])).toBe(0);
    });

    it('refuses a transaction object used after its transaction ended', async () => {
        let leaked: StoreTx | undefined;
        await ctx.store.transaction(async (tx) => {
            leaked = tx;
        });
        await expect(leaked!.query('SELECT 1')).rejects.toThrow(/transaction has ended/);
    });

    it('records at most one decision per (rule, event)', async () => {
        await addEvent(ctx.store, 'decided-1');
        await addDelivery(ctx.store, 'decided-1-d', 'decided-1');
        const decide = (outcome: string) =>
            ctx.store.query(
                `INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at)
                 VALUES ('cartReminder', $1, $2, $3, $4)`,
                ['decided-1', 'decided-1-d', outcome, T0],
            );
        expect((await decide('send')).rowCount).toBe(1);
        await expect(decide('send')).rejects.toMatchObject({ code: '23505' });
        await expect(decide('expired')).rejects.toMatchObject({ code: '23505' });
        expect(await count(ctx.store, 'decisions', 'event_id = $1', ['decided-1'])).toBe(1);
    });

    it('enforces the domain checks (channel, status, outcome, tracking kind)', async () => {
        await addEvent(ctx.store, 'checks-1');
        await expect(
            ctx.store.query(
                `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at) VALUES ('c', 'checks-1', 'm', 'fax', 'x', now())`,
            ),
        ).rejects.toMatchObject({ code: '23514' });
        await expect(
            ctx.store.query(`INSERT INTO tracking (delivery_id, kind, at) VALUES ('nope', 'open', now())`),
        ).rejects.toMatchObject({ code: '23503' });
    });

    it('binds values with quotes and SQL in them as plain data', async () => {
        const id = `o'brien"; drop table events; --`;
        const payload = { note: "'; drop table events; --", name: 'Zoë "Z" O\'Brien', items: [{ sku: "a'b" }] };
        await addEvent(ctx.store, id, 'cart\'; --', payload);
        const { rows } = await ctx.store.query<{ id: string; type: string; payload: unknown }>(
            'SELECT id, type, payload FROM events WHERE id = $1',
            [id],
        );
        expect(rows).toEqual([{ id, type: "cart'; --", payload }]);
        const still = await ctx.store.query(`SELECT to_regclass('events') IS NOT NULL AS present`);
        expect(still.rows).toEqual([{ present: true }]);
    });

    it('returns the same JavaScript types on both engines', async () => {
        await addEvent(ctx.store, 'types-1', 'orderShipped', { total: 12.5, tags: ['a'], nested: { ok: true } });
        const { rows, rowCount } = await ctx.store.query<Record<string, unknown>>(
            `SELECT occurred_at, payload, count(*) OVER () AS n, 2.50::numeric AS amount, NULL::int8 AS no_run,
                    9007199254740993::int8 AS huge
             FROM events WHERE id = $1`,
            ['types-1'],
        );
        expect(rowCount).toBe(1);
        expect(rows[0]).toEqual({
            occurred_at: new Date(T0),
            payload: { total: 12.5, tags: ['a'], nested: { ok: true } },
            n: 1,
            amount: '2.50',
            no_run: null,
            huge: 9007199254740993n,
        });
        const run = await ctx.store.query<{ id: number }>(
            `INSERT INTO runs (rule, window_start, now) VALUES ('r', $1, $2) RETURNING id`,
            [T0, new Date(T0)],
        );
        expect(typeof run.rows[0]!.id).toBe('number');
        const updated = await ctx.store.query(`UPDATE runs SET sent = sent + 1 WHERE rule = 'r'`);
        expect(updated).toEqual({ rows: [], rowCount: 1 });
    });

    it('runs one statement per query, and scripts with exec', async () => {
        await expect(ctx.store.query('SELECT 1; SELECT 2')).rejects.toThrow();
        await ctx.store.exec(`CREATE TEMP TABLE scratch (n int); INSERT INTO scratch VALUES (1), (2);`);
        expect(await count(ctx.store, 'scratch')).toBe(2);
    });

    it('lets the selection query use the partial index of original deliveries', async () => {
        // The reference query of PERFORMANCE.md, on this schema: decisions are keyed by (rule, event_id).
        await ctx.store.transaction(async (tx) => {
            await tx.query(
                `INSERT INTO events (id, type, occurred_at, payload)
                 SELECT 'plan-' || i, CASE WHEN i % 3 = 0 THEN 'orderShipped' ELSE 'cartAbandonment' END,
                        $1::timestamptz - i * interval '1 hour', '{}'::jsonb
                 FROM generate_series(1, 2000) AS i`,
                [T0],
            );
            await tx.query(
                `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
                 SELECT 'plan-d-' || i, 'plan-' || i, 'm', 'email', 'p' || i || '@example.com',
                        $1::timestamptz - i * interval '1 hour',
                        CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'sent' END,
                        CASE WHEN i % 4 = 0 THEN 'cartReminder' END
                 FROM generate_series(1, 2000) AS i`,
                [T0],
            );
            await tx.query(
                `INSERT INTO tracking (delivery_id, kind, at)
                 SELECT 'plan-d-' || i, 'open', $1::timestamptz FROM generate_series(1, 2000, 3) AS i`,
                [T0],
            );
        });
        await ctx.store.exec('ANALYZE');
        const plan = await ctx.store.transaction(async (tx) => {
            await tx.exec('SET LOCAL enable_seqscan = off');
            const { rows } = await tx.query<Record<string, unknown>>(
                `EXPLAIN (FORMAT JSON)
                 SELECT d.id AS delivery_id, d.recipient, e.payload
                 FROM deliveries d JOIN events e ON e.id = d.event_id
                 WHERE d.sent_at >  $1::timestamptz - interval '4 days'
                   AND d.sent_at <= $2::timestamptz - interval '3 days'
                   AND d.channel = 'email' AND d.status = 'sent' AND d.rule IS NULL AND e.type = 'cartAbandonment'
                   AND NOT EXISTS (SELECT 1 FROM tracking t WHERE t.delivery_id = d.id AND t.kind IN ('open', 'click'))
                   AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = 'cartReminder' AND x.event_id = d.event_id)`,
                [T0, T0],
            );
            return JSON.stringify(rows);
        });
        expect(plan).toContain('deliveries_original_sent');
    });

    describe('a database opened without migrating', () => {
        let target: string;
        let store: Store;
        beforeAll(async () => {
            target = await ctx.freshTarget();
            store = await openStore(target, { migrate: false });
        });
        afterAll(() => store?.close());

        it('starts at version 0 with no tables', async () => {
            expect(await currentSchemaVersion(store)).toBe(0);
            expect(await count(store, 'information_schema.tables', 'table_schema = current_schema()')).toBe(0);
        });

        it('applies migrations in order, each in its own transaction: a failing one leaves the ones before it', async () => {
            const broken = { version: 2, name: 'broken', sql: 'CREATE TABLE half_done (n int); SELECT 1/0;' };
            await expect(migrate(store, [migrations[0]!, broken])).rejects.toThrow(/division by zero/);
            expect(await currentSchemaVersion(store)).toBe(1);
            expect(await count(store, 'information_schema.tables', `table_name = 'half_done'`)).toBe(0);
            expect(await migrate(store)).toEqual({ applied: migrations.slice(1).map(m => m.version), version: latestSchemaVersion });
            expect(await migrate(store)).toEqual({ applied: [], version: latestSchemaVersion });
        });

        it('refuses a schema newer than the code knows', async () => {
            await expect(migrate(store, [])).rejects.toBeInstanceOf(StoreSchemaTooNewError);
        });

        it('keeps the data when the database is reopened', async () => {
            await addEvent(store, 'kept-1', 'cartAbandonment', { cartTotal: 42 });
            await store.close();
            if (ctx.engine === 'pglite') {
                // A lock left by a process that died does not keep the folder closed.
                const dead = spawnSync(process.execPath, ['-e', '0']).pid;
                await writeFile(join(target, '.followup-lock'), `${dead}\n`);
            }
            store = await openStore(target);
            const { rows } = await store.query('SELECT payload FROM events WHERE id = $1', ['kept-1']);
            expect(rows).toEqual([{ payload: { cartTotal: 42 } }]);
            expect(await currentSchemaVersion(store)).toBe(latestSchemaVersion);
        });
    });

    if (ctx.engine === 'pglite') {
        it('refuses to open a folder that is already open', async () => {
            const error = await openStore(ctx.target).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(StoreUnavailableError);
            expect((error as Error).message).toMatch(/already open/);
        });
    }

    if (ctx.engine === 'postgres') {
        it('lets two processes migrate the same fresh database at once', async () => {
            const target = await ctx.freshTarget();
            const stores = await Promise.all([openStore(target), openStore(target), openStore(target)]);
            try {
                for (const store of stores) expect(await currentSchemaVersion(store)).toBe(latestSchemaVersion);
                expect(await count(stores[0]!, 'followup_schema_migrations')).toBe(migrations.length);
            } finally {
                await Promise.all(stores.map((s) => s.close()));
            }
        });

        it('uses one pooled connection per transaction', async () => {
            const pids = await ctx.store.transaction(async (tx) => {
                const a = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
                const b = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
                return [a.rows[0]!.pid, b.rows[0]!.pid];
            });
            expect(pids[0]).toBe(pids[1]);
        });
    }
});

describe('an unreachable PostgreSQL server', () => {
    it('fails fast with StoreUnavailableError, naming host:port but not the password', async () => {
        const started = Date.now();
        const error = await openStore('postgres://user:secret@127.0.0.1:1/x').catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain('127.0.0.1:1');
        expect((error as Error).message).not.toContain('secret');
        expect(JSON.stringify(error)).not.toContain('secret');
    });

    it('gives up after the connect timeout when nothing answers', async () => {
        // A listening socket that never speaks: the connection opens, the handshake never completes.
        const net = await import('node:net');
        const silent = net.createServer(() => {});
        await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
        const { port } = silent.address() as { port: number };
        try {
            const started = Date.now();
            const error = await openStore(`postgresql://u:p4ss@127.0.0.1:${port}/x`, { connectTimeoutMs: 500 }).catch((e: unknown) => e);
            expect(Date.now() - started).toBeLessThan(3000);
            expect(error).toBeInstanceOf(StoreUnavailableError);
            expect((error as Error).message).toContain(`127.0.0.1:${port}`);
            expect((error as Error).message).not.toContain('p4ss');
        } finally {
            silent.close();
        }
    });
});
