// Dispatch claims the pending rows that are due first (then by id: the rows of one run are due at once,
// in the order they were decided), and reads each batch off the `outbox_pending` index (schema v17),
// stopping at the batch's size. Before, each claim read every due row and sorted them: a backlog of
// 52,000 follow-ups took 22 s of claims on PGlite instead of 2.9 s (bench/README.md). The plan is
// checked with the statistics PGlite leaves (taken while the outbox was empty, no autovacuum).
import { expect, it } from 'vitest';
import type { StoreTx } from '@followup/runtime';
import { claimRows, claimToken } from '../../packages/runtime/src/dispatch/outbox-rows.js';
import { forEachEngine } from '../support/stores.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const ROWS = 2000;
const NOT_DUE = 50;

interface PlanNode { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

forEachEngine('dispatch claims due rows in order, off the index', (ctx) => {
    it(`claims the ${100} earliest due of ${ROWS} (not the lowest ids, none not yet due), reading them off outbox_pending`, async () => {
        const db = ctx.store;
        await db.exec('TRUNCATE outbox, deliveries, events CASCADE');
        await db.exec('ANALYZE outbox');
        // Due times a permutation of the ids' order; the last NOT_DUE rows are due after NOW.
        await db.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT 'e' || i, 'cartAbandonment', $1::timestamptz, '{}' FROM generate_series(1, $2::int) AS i`, [NOW, ROWS + NOT_DUE]);
        await db.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
             SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a@example.com', $1::timestamptz, 'queued' FROM generate_series(1, $2::int) AS i`, [NOW, ROWS + NOT_DUE]);
        await db.query(
            `INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
             SELECT 'd' || i, NULL, 'email', 'a@example.com', '{"subject":"Hi","text":"Hello","headers":{}}',
                    CASE WHEN i > $2::int THEN $1::timestamptz + interval '1 hour'
                         ELSE $1::timestamptz - interval '1 second' * ((i * 7919) % $2::int) END
             FROM generate_series(1, $3::int) AS i`, [NOW, ROWS, ROWS + NOT_DUE]);
        const { rows: expected } = await db.query<{ id: number }>(
            `SELECT id FROM outbox WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT 100`, [NOW]);
        const { rows: lowestIds } = await db.query<{ id: number }>(`SELECT id FROM outbox ORDER BY id LIMIT 100`);

        const plans: PlanNode[] = [];
        const { claimed, sortAfter } = await db.transaction(async (tx) => {
            // The claim statement as it runs, explained first in the same transaction (same settings).
            const explaining: StoreTx = {
                exec: (script) => tx.exec(script),
                query: async (sql, params) => {
                    if (sql.startsWith('UPDATE outbox o SET claimed_by')) {
                        const { rows } = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
                        const json = rows[0]!['QUERY PLAN'];
                        plans.push((typeof json === 'string' ? JSON.parse(json) : json)[0].Plan);
                    }
                    return tx.query(sql, params);
                },
            };
            const claimed = await claimRows(explaining, { now: NOW, rules: [], transactional: true, limit: 100, embedded: true, token: claimToken(), leaseMs: 60_000 });
            const { rows } = await tx.query<{ enable_sort: string }>('SHOW enable_sort');
            return { claimed, sortAfter: rows[0]!.enable_sort };
        });

        expect(claimed.map((r) => r.id)).toEqual(expected.map((r) => Number(r.id)).sort((a, b) => a - b));
        expect(claimed.map((r) => r.id)).not.toEqual(lowestIds.map((r) => Number(r.id)));
        expect(plans).toHaveLength(1);
        const kinds = nodes(plans[0]!).map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`);
        expect(kinds).toContain('Index Scan outbox_pending');
        expect(kinds.filter((k) => /Sort|Bitmap/.test(k))).toEqual([]);
        // The planner settings were for the claim alone: the rest of its transaction plans as usual.
        expect(sortAfter).toBe('on');
    });
});
