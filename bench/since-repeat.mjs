// A `since` rule on a store of repeat customers: does each probe read only what happened since the
// cart was sent, or the customer's whole history? `not purchase since sent` on N carts and P purchases
// of C customers (each customer has N / C carts and P / C purchases spread over 50 days, and the
// purchases go on at that density for H times 50 days back: a store that keeps its history), then
// EXPLAIN (ANALYZE, BUFFERS) in turns of
//   - compiled: the rule's selection as the compiler writes it (`NOT EXISTS (SELECT 1 FROM events s
//     WHERE s.type = 'purchase' AND s.occurred_at > d.sent_at AND s.occurred_at <= now AND <same customer>)`);
//   - lateral (own type): the same probe as a lateral subquery with LIMIT 1, as the compiler writes a
//     `since` on the rule's own event type (which must skip the trigger's own event);
//   - before: the probe as the compiler wrote it before 2026-12-07, with `AND s.id <> d.event_id` in
//     every probe: PostgreSQL then made it an anti-join whose index range is bounded by the customer
//     and by now, with s.occurred_at > d.sent_at only a join filter (the whole history read);
//   - expert: bench/run.mjs's expert query for the same rule, with its own index.
// Each store shape is measured on each engine: `repeat` (C customers) and `bench` (bench/run.mjs's
// store: a customer a cart, N purchases). The carts and purchases are bench/run.mjs's (cart-store.mjs).
//
//   npm run build && node bench/since-repeat.mjs
//   node bench/since-repeat.mjs [--carts 1000000] [--customers 50000] [--purchases 250000] [--history 8]
//                               [--engines postgres,pglite] [--shapes repeat,bench] [--runs 15]
//                               [--queries compiled,lateral,before,expert] [--plans] [--json]
// (`--queries`: which of the four to run; the expert's always. bench/run.mjs runs the repeat store's
// compiled and expert queries as its `repeat` rule.)
//
// See bench/README.md ("A `since` probe bounded by sent_at").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { median, printHeaderAndExit, requireBuilt, table } from './measure.mjs';

const { values } = parseArgs({
    options: {
        carts: { type: 'string', default: '1000000' },
        customers: { type: 'string', default: '50000' },
        purchases: { type: 'string', default: '250000' },
        history: { type: 'string', default: '8' },
        engines: { type: 'string', default: 'postgres,pglite' },
        shapes: { type: 'string', default: 'repeat,bench' },
        runs: { type: 'string', default: '15' },
        queries: { type: 'string', default: 'compiled,lateral,before,expert' },
        json: { type: 'boolean', default: false },
        plans: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 24);
requireBuilt('since-repeat', ['language', 'compiler', 'runtime']);

const here = nodePath.dirname(new URL(import.meta.url).pathname);
const repo = nodePath.resolve(here, '..');
const { loadProject, unloadProject } = await import('@followup/language');
const compiler = await import('@followup/compiler');
const runtime = await import('@followup/runtime');
const { SINCE_EXPERT, SINCE_EXPERT_INDEX, seedCartsSql, seedPurchasesSql, startPostgres } = await import('./cart-store.mjs');

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

/** The compiled NOT EXISTS probe: `NOT EXISTS (SELECT 1 FROM events s WHERE <where>)`, the last conjunct of the selection. */
function notExistsProbe(sql) {
    const probe = /NOT EXISTS \(SELECT 1 FROM events s WHERE ([\s\S]*?)\)$/.exec(sql);
    if (!probe || probe[1].includes('s.id <> d.event_id')) throw new Error('bench/since-repeat: the compiled selection has no NOT EXISTS probe as its last conjunct:\n' + sql);
    return { whole: probe[0], where: probe[1] };
}
/** As the compiler wrote it before 2026-12-07: every probe skipped the trigger's own event, whatever its type. */
function asBefore(sql) {
    const { whole, where } = notExistsProbe(sql);
    const bounded = where.replace(/(s\.occurred_at <= \$\d+::timestamptz)/, '$1 AND s.id <> d.event_id');
    if (bounded === where) throw new Error('bench/since-repeat: could not rewrite the probe:\n' + sql);
    return sql.replace(whole, `NOT EXISTS (SELECT 1 FROM events s WHERE ${bounded})`);
}
/** The probe as the compiler writes a `since` on the rule's own event type: a lateral subquery with LIMIT 1, in the leader. */
function asLateral(sql) {
    const { whole, where } = notExistsProbe(sql);
    return sql.replace(whole, 'since0.hit IS NULL')
        .replace('FROM deliveries d JOIN events e ON e.id = d.event_id', `FROM deliveries d JOIN events e ON e.id = d.event_id LEFT JOIN LATERAL (SELECT 1 AS hit FROM events s WHERE ${where} LIMIT 1) since0 ON true`);
}
const ALL_QUERIES = [
    { key: 'compiled', label: 'compiled', sql: compiledSql, params },
    { key: 'lateral', label: 'lateral (own type)', sql: asLateral(compiledSql), params },
    { key: 'before', label: 'before (s.id <> d.event_id)', sql: asBefore(compiledSql), params },
    { key: 'expert', label: 'expert', sql: SINCE_EXPERT, params: [NOW.toISOString(), 'benchSince'] },
];
const wanted = new Set([...values.queries.split(','), 'expert']);
const QUERIES = ALL_QUERIES.filter(q => wanted.has(q.key));

// ---------------------------------------------------------------- the store

/** bench/run.mjs's store (seedCartsSql, seedPurchasesSql): with `customers`, cart i and purchase j are customer i mod C's and j·7919 mod C's. */
async function seed(store, customers, purchases, history) {
    const t0 = performance.now();
    await seedCartsSql(store, { n: N, now: NOW, span: SPAN, customers });
    await seedPurchasesSql(store, { n: purchases, to: purchases * history, now: NOW, span: SPAN, customers });
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
/** A plan as lines: node, index or table, rows per loop × loops, time, buffers. */
function planLines(node, depth = 0, out = []) {
    const what = [node['Node Type'], node['Join Type'] ? `(${node['Join Type']})` : '', node['Index Name'] ? `using ${node['Index Name']}` : node['Relation Name'] ? `on ${node['Relation Name']}` : ''].filter(Boolean).join(' ');
    out.push(`${'  '.repeat(depth + 1)}${what}  rows=${node['Actual Rows']} loops=${node['Actual Loops']} time=${node['Actual Total Time']?.toFixed(1)} ms` +
        `${node['Workers Launched'] !== undefined ? ` workers=${node['Workers Launched']}` : ''}${node['Index Cond'] ? `  [${node['Index Cond']}]` : ''}`);
    for (const child of node.Plans ?? []) planLines(child, depth + 1, out);
    return out;
}

async function measure(store) {
    await store.exec(SINCE_EXPERT_INDEX);
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
        query: q.key, label: q.label, plan: last[i].Plan, ms: median(times[i]), times: times[i], rows: last[i].Plan['Actual Rows'],
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
            // bench: bench/run.mjs's store, a customer a cart and as many purchases as carts.
            const [customers, purchases, history] = shape === 'bench' ? [null, N, 1] : [Number(values.customers), P, Math.max(1, Number(values.history))];
            const server = engine === 'postgres' ? await startPostgres() : undefined;
            const target = server ? server.url : nodePath.join(temp, `pglite-${shape}`);
            const store = await runtime.openStore(target);
            try {
                const seeded = await seed(store, customers, purchases, history);
                log('');
                log(`=== ${engine}${server ? ` ${server.version}` : ''}, ${shape}: ${int(customers ?? N)} customers (${(N / (customers ?? N)).toFixed(0)} carts in the last 50 days, ${(purchases / (customers ?? N)).toFixed(0)} purchases in the same days and ${(purchases * history / (customers ?? N)).toFixed(0)} in ${50 * history} days); seeded in ${seeded.seconds.toFixed(1)} s`);
                const out = await measure(store);
                const expert = out.find(o => o.query === 'expert').ms;
                log(table(['query', 'rows', 'median', 'buffers', 'vs expert'],
                    out.map(o => [o.label, int(o.rows), `${o.ms.toFixed(1)} ms`, int(o.buffers), `${(o.ms / expert).toFixed(2)}×`])));
                if (values.plans) for (const o of out) log(`${o.label}:\n${planLines(o.plan).join('\n')}`);
                results.push({ engine, shape, customers, purchases, history, queries: out.map(({ plan: _, ...o }) => o) });
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
