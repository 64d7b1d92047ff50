// The claim statement as dispatch runs it (the picked ids in an array, updated by key) against the join it
// replaced (2026-12-06, seventh session; bench/README.md), with the statistics right, in turns:
//
//   node bench/claim-ab.mjs [postgres|pglite] [rows 20000] [rounds 5]
//
// Claims every row 100 at a time (each claim marks its rows sent), then resets; prints each round and the
// medians. The join is kept here only as the reference; dispatch's own is in packages/runtime/src/dispatch/outbox-rows.ts.
import { performance } from 'node:perf_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPostgres } from './cart-store.mjs';
const runtime = await import('@followup/runtime');
const ENGINE = process.argv[2] ?? 'postgres';
if (!['postgres', 'pglite'].includes(ENGINE)) { process.stderr.write('usage: node bench/claim-ab.mjs [postgres|pglite] [rows] [rounds]\n'); process.exit(2); }
const N = Number(process.argv[3] ?? 20000);
const ROUNDS = Number(process.argv[4] ?? 5);
const pg = ENGINE === 'postgres' ? await startPostgres() : undefined;
const target = pg ? pg.url : fs.mkdtempSync(path.join(os.tmpdir(), 'claim-ab-'));
const store = await runtime.openStore(target);
const NOW = new Date('2026-11-20T10:00:00Z');
await store.exec(`
    INSERT INTO events (id, type, occurred_at, payload) SELECT 'e' || i, 'cart', '${NOW.toISOString()}', '{}' FROM generate_series(1, ${N}) i;
    INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
        SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a@example.com', '${NOW.toISOString()}', 'queued' FROM generate_series(1, ${N}) i;
    INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
        SELECT 'd' || i, NULL, 'email', 'a@example.com', '{}', '${NOW.toISOString()}' FROM generate_series(1, ${N}) i`);
await store.exec('VACUUM ANALYZE events, deliveries, outbox');
const WHERE = `SELECT id FROM outbox
               WHERE status = 'pending' AND next_attempt_at <= $1
                 AND (rule = ANY ($2::text[]) OR ($3::boolean AND rule IS NULL))
                 AND (claimed_until IS NULL OR claimed_until < now() OR ($5::boolean AND split_part(claimed_by, ':', 1) <> $6))
               ORDER BY next_attempt_at, id
               LIMIT $4
               FOR UPDATE SKIP LOCKED`;
const SET = `UPDATE outbox o SET claimed_by = $7, claimed_until = now() + make_interval(secs => $8::float8 / 1000), attempts = o.attempts + 1`;
const RET = `RETURNING o.id, o.delivery_id, o.rule, o.channel, o.recipient, o.content, o.attempts - 1 AS attempts, o.held_until`;
const SQL = {
    join: `${SET} FROM (${WHERE}) c WHERE o.id = c.id ${RET}`,
    array: `${SET} WHERE o.id = ANY (ARRAY(${WHERE})) ${RET}`,
};
const results = { join: [], array: [] };
for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0 ? ['join', 'array'] : ['array', 'join']) {
        await store.exec(`UPDATE outbox SET status = 'pending', attempts = 0, claimed_by = NULL, claimed_until = NULL`);
        await store.exec('VACUUM ANALYZE outbox');
        const started = performance.now();
        let claimed = 0;
        for (;;) {
            const n = await store.transaction(async (tx) => {
                await tx.exec('SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
                const { rows } = await tx.query(SQL[variant], [NOW.toISOString(), [], true, 100, ENGINE === 'pglite', 'p', `p:${claimed}`, 60000]);
                if (rows.length) await tx.query(`UPDATE outbox SET status = 'sent', claimed_by = NULL, claimed_until = NULL WHERE id = ANY ($1::bigint[])`, [rows.map((r) => r.id)]);
                return rows.length;
            });
            if (n === 0) break;
            claimed += n;
        }
        const ms = performance.now() - started;
        if (claimed !== N) throw new Error(`claimed ${claimed}`);
        results[variant].push(N / (ms / 1000));
        console.log(`round ${round + 1} ${variant}: ${Math.round(N / (ms / 1000))} rows/s`);
    }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${ENGINE} median: join ${Math.round(median(results.join))} /s, array ${Math.round(median(results.array))} /s, array/join ${(median(results.array) / median(results.join)).toFixed(3)}`);
await store.close();
await pg?.stop();
if (!pg) fs.rmSync(target, { recursive: true, force: true });
