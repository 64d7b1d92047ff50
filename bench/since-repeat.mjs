// A `since` rule on a store of repeat customers: does each probe read only what happened since the
// cart was sent, or the customer's whole history? `not purchase since sent` on N carts and P purchases
// of C customers (each customer has N / C carts and P / C purchases spread over 50 days), then
// EXPLAIN (ANALYZE, BUFFERS) in turns of
//   - compiled: the rule's selection as the compiler writes it (the probe a lateral subquery, LIMIT 1);
//   - NOT EXISTS: the same selection with the probe as `NOT EXISTS (SELECT 1 FROM events s WHERE ...)`,
//     as the compiler wrote it before 2026-12-07 (PostgreSQL makes it an anti-join whose index range is
//     bounded by the customer and by now, with s.occurred_at > d.sent_at only a join filter);
//   - expert: bench/run.mjs's expert query for the same rule, with its own index.
// Each store shape is measured on each engine: `repeat` (C customers) and `unique` (one customer a
// cart and N purchases, as bench/run.mjs's store).
//
//   npm run build && node bench/since-repeat.mjs
//   node bench/since-repeat.mjs [--carts 200000] [--customers 10000] [--purchases 50000]
//                               [--engines postgres,pglite] [--shapes repeat,unique] [--runs 15] [--json]
//
// See bench/README.md ("A `since` probe bounded by sent_at").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { median, printHeaderAndExit, requireBuilt, table } from './measure.mjs';

const { values } = parseArgs({
    options: {
        carts: { type: 'string', default: '200000' },
        customers: { type: 'string', default: '10000' },
        purchases: { type: 'string', default: '50000' },
        engines: { type: 'string', default: 'postgres,pglite' },
        shapes: { type: 'string', default: 'repeat,unique' },
        runs: { type: 'string', default: '15' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 17);
requireBuilt('since-repeat', ['language', 'compiler', 'runtime']);

const here = nodePath.dirname(new URL(import.meta.url).pathname);
const repo = nodePath.resolve(here, '..');
const { loadProject, unloadProject } = await import('@followup/language');
const compiler = await import('@followup/compiler');
const runtime = await import('@followup/runtime');
const { startPostgres } = await import('./cart-store.mjs');

const N = Number(values.carts);
const P = Number(values.purchases);
const RUNS = Math.max(1, Number(values.runs));
const NOW = new Date('2026-11-22T10:00:00Z');
const DAY = 86_400_000;
const SPAN = 50 * DAY;
const WATERMARK = new Date(NOW.getTime() - DAY);
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const int = n => Math.round(n).toLocaleString('en-US');
const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-since-'));

// ---------------------------------------------------------------- the rule, compiled as `followup run` compiles it

const projectDir = nodePath.join(temp, 'project');
const example = nodePath.join(repo, 'examples/cart-abandonment');
fs.cpSync(example, projectDir, { recursive: true, filter: from => nodePath.relative(example, from).split(nodePath.sep)[0] !== '.followup' });
fs.appendFileSync(nodePath.join(projectDir, 'rules.followup'),
    '\nfollowup benchSince { when cartAbandonment sent 3 days ago and not purchase since sent then send followup email }\n');
const project = await loadProject([projectDir]);
if (project.errorCount > 0) throw new Error('the bench project has errors');
const plans = compiler.compilePlans(project);
unloadProject(project);
const plan = plans.find(p => p.rule === 'benchSince');
const compiledSql = plan.queries.selection.sql;
const params = plan.queries.selection.parameters.reduce((out, p) => {
    out[p.index - 1] = p.name === 'watermark' ? WATERMARK.toISOString() : p.name === 'now' ? NOW.toISOString() : p.value;
    return out;
}, []);

/** The compiled selection with its lateral probe written back as the NOT EXISTS the compiler wrote before. */
function asNotExists(sql) {
    const probe = /\s*LEFT JOIN LATERAL \(SELECT 1 AS hit FROM events s WHERE ([\s\S]*?) LIMIT 1\) (since\d+) ON true/.exec(sql);
    if (!probe) throw new Error('bench/since-repeat: the compiled selection has no lateral probe:\n' + sql);
    const [whole, where, alias] = probe;
    const out = sql.replace(whole, '').replace(`${alias}.hit IS NULL`, `NOT EXISTS (SELECT 1 FROM events s WHERE ${where})`);
    if (out.includes(alias)) throw new Error('bench/since-repeat: could not rewrite the probe:\n' + sql);
    return out;
}
const EXPERT = `SELECT d.id AS delivery_id, d.recipient, e.payload
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.sent_at >  $1::timestamptz - interval '4 days'
  AND d.sent_at <= $1::timestamptz - interval '3 days'
  AND d.channel = 'email' AND d.status = 'sent' AND d.rule IS NULL AND e.type = 'cartAbandonment'
  AND NOT EXISTS (SELECT 1 FROM events p WHERE p.type = 'purchase' AND p.payload ->> 'customerId' = e.payload ->> 'customerId'
                  AND p.occurred_at > d.sent_at AND p.occurred_at <= $1::timestamptz)
  AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = $2 AND x.event_id = d.event_id)`;
const EXPERT_INDEX = 'CREATE INDEX bench_expert_purchase_customer ON events (type, (payload ->> \'customerId\'), occurred_at)';
const QUERIES = [
    { key: 'compiled', sql: compiledSql, params },
    { key: 'NOT EXISTS (before)', sql: asNotExists(compiledSql), params },
    { key: 'expert', sql: EXPERT, params: [NOW.toISOString(), 'benchSince'] },
];

// ---------------------------------------------------------------- the store

/** Carts, their originals and purchases, in time order; cart i and purchase j of customer i mod C and j·7919 mod C. */
async function seed(store, customers, purchases) {
    const t0 = performance.now();
    await store.query(`INSERT INTO events (id, type, occurred_at, payload)
        SELECT 'cart-' || i, 'cartAbandonment', to_timestamp(($2::bigint - $3::bigint + (i + 1) * $3::bigint / $1) / 1000.0) - interval '1 minute',
               jsonb_build_object('customerId', 'c' || (i % $4), 'email', 'user' || (i % $4) || '@example.com', 'firstName', 'User',
                                  'cartTotal', 150, 'currency', 'EUR', 'loyaltyMember', true, 'items', '[]'::jsonb, 'cartUrl', 'https://shop.example/cart')
        FROM generate_series(0, $1 - 1) i`, [N, NOW.getTime(), SPAN, customers]);
    await store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, first_original, first_of_channel)
        SELECT 'd-' || e.id, e.id, 'transactional', 'email', e.payload ->> 'email', e.occurred_at + interval '1 minute', true, true
        FROM events e WHERE e.type = 'cartAbandonment' ORDER BY e.occurred_at`);
    await store.query(`INSERT INTO events (id, type, occurred_at, payload)
        SELECT 'purchase-' || j, 'purchase', to_timestamp(($2::bigint - $3::bigint + (j + 1) * $3::bigint / $1) / 1000.0),
               jsonb_build_object('customerId', 'c' || ((j * 7919) % $4), 'orderId', 'o' || j, 'total', 50, 'currency', 'EUR')
        FROM generate_series(0, $1 - 1) j`, [purchases, NOW.getTime(), SPAN, customers]);
    await store.exec('VACUUM ANALYZE events, deliveries, tracking, decisions');
    const made = await runtime.ensureIndexes(store, [plan]);
    if (made.created.length !== 1) throw new Error(`bench/since-repeat: the rule's derived index was not created: ${JSON.stringify(made)}`);
    await store.exec('ANALYZE events');
    return { seconds: (performance.now() - t0) / 1000 };
}

async function explain(store, sql, qparams) {
    const { rows } = await store.transaction(tx => tx.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, qparams), runtime.DECIDING_TRANSACTION);
    let out = rows[0]['QUERY PLAN'];
    if (typeof out === 'string') out = JSON.parse(out);
    return out[0];
}
async function measure(store) {
    await store.exec(EXPERT_INDEX);
    await store.exec('ANALYZE events');
    const times = QUERIES.map(() => []);
    const last = [];
    try {
        for (let k = 0; k <= RUNS; k++) {
            for (const [i, q] of QUERIES.entries()) {
                last[i] = await explain(store, q.sql, q.params);
                if (k > 0) times[i].push(last[i]['Planning Time'] + last[i]['Execution Time']);
            }
        }
    } finally {
        await store.exec('DROP INDEX bench_expert_purchase_customer');
    }
    return QUERIES.map((q, i) => ({
        query: q.key, ms: median(times[i]), times: times[i], rows: last[i].Plan['Actual Rows'],
        buffers: (last[i].Plan['Shared Hit Blocks'] ?? 0) + (last[i].Plan['Shared Read Blocks'] ?? 0)
    }));
}

// ---------------------------------------------------------------- the run

const load = () => os.loadavg().map(x => x.toFixed(2)).join(' ');
const results = [];
log(`since-repeat: ${int(N)} carts, ${int(P)} purchases; ${RUNS} executions each, in turns; load average ${load()}`);
try {
    for (const engine of values.engines.split(',')) {
        for (const shape of values.shapes.split(',')) {
            // unique: bench/run.mjs's store, a customer a cart and as many purchases as carts.
            const [customers, purchases] = shape === 'unique' ? [N, N] : [Number(values.customers), P];
            const server = engine === 'postgres' ? await startPostgres() : undefined;
            const target = server ? server.url : nodePath.join(temp, `pglite-${shape}`);
            const store = await runtime.openStore(target);
            try {
                const seeded = await seed(store, customers, purchases);
                log('');
                log(`=== ${engine}${server ? ` ${server.version}` : ''}, ${shape}: ${int(customers)} customers (${(N / customers).toFixed(0)} carts and ${(purchases / customers).toFixed(0)} purchases each); seeded in ${seeded.seconds.toFixed(1)} s`);
                const out = await measure(store);
                const expert = out.find(o => o.query === 'expert').ms;
                log(table(['query', 'rows', 'median', 'buffers', 'vs expert'],
                    out.map(o => [o.query, int(o.rows), `${o.ms.toFixed(1)} ms`, int(o.buffers), `${(o.ms / expert).toFixed(2)}×`])));
                results.push({ engine, shape, customers, purchases, queries: out });
            } finally {
                await store.close();
                await server?.stop();
            }
        }
    }
    log('');
    log(`load average at the end ${load()}`);
    if (values.json) process.stdout.write(JSON.stringify({ carts: N, purchases: P, runs: RUNS, results }) + '\n');
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
