// One `followup run` at scale, on PostgreSQL 15 and on PGlite: a store of N original cartAbandonment
// deliveries (default 1,000,000, spread over 50 days, so ~2% fall in the due window; 35% opened) and
// as many purchases (other events), then
//   1. the indexes the rules need, as `followup run` creates them (ensureIndexes);
//   2. EXPLAIN (ANALYZE, BUFFERS) of three rules' compiled selections, each against a hand-written
//      expert query with its own index (the mission rule, a `since` rule, a field-filter rule),
//   3. runRules (select + decide + render + record), timed --run-repeats times in a fresh process that opens
//      the store as `followup run` does (bench/record-run.mjs): the median follow-ups/s, and beside it
//      PERFORMANCE.md's recording reference (an expert's unnest() of ~2 KB rows, bench/reference-record.mjs)
//      on the same store, timed the same way: how much of the figure is the machine at that moment,
//   4. dispatchOutbox to an outbox folder: messages/s,
//   5. the same outbox reset to pending and dispatched to a local SMTP sink: emails/s, and PERFORMANCE.md's
//      SMTP reference (bare nodemailer, bench/smtp-reference.mjs) to the same sink right after,
//   6. with --scale K (PostgreSQL): a second database K times larger (the same due window, the rest older),
//      its selections against the expert queries, and each compiled selection on the two in turns: the ratio,
//   7. the `repeat` rule: the `since` rule on a store of its own, N carts of N/20 repeat customers with 400
//      days of purchases, compiled against the expert's query (bench/since-repeat.mjs, in a child process).
//
//   npm run build && node bench/run.mjs
//   node bench/run.mjs [--deliveries 1000000] [--pglite-deliveries <n>] [--engines postgres,pglite]
//                      [--chunk 200000] [--explain-runs 15] [--run-repeats 5] [--scale 10] [--rules mission,since,fields,repeat]
//                      [--db-dir <folder for PGlite>] [--keep] [--json] [--server-setting name=value ...]
//
// The PostgreSQL server runs with its stock settings (durability off); each --server-setting is given
// to it at start (`-c name=value`), e.g. `max_parallel_workers_per_gather=1` on a machine of 2 cores
// (bench/README.md: at 10M deliveries the planner gives the selections a second worker).
//
// See bench/README.md for what each number means.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { median, printHeaderAndExit, table } from './measure.mjs';

// ---------------------------------------------------------------- the SMTP sink (its own thread)

if (!isMainThread) {
    // A sink that drains each message without parsing it and counts it (as bench/smtp.mjs).
    const { SMTPServer } = await import('smtp-server');
    const stats = { messages: 0, bytes: 0, connections: 0 };
    const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        closeTimeout: 500,
        onConnect(_s, cb) { stats.connections++; cb(); },
        onData(stream, _s, cb) {
            stream.on('data', chunk => (stats.bytes += chunk.length));
            stream.on('end', () => { stats.messages++; cb(null, 'OK'); });
        },
    });
    server.on('error', () => {});
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    parentPort.on('message', msg => {
        if (msg === 'stats') parentPort.postMessage({ stats: { ...stats } });
        else if (msg === 'close') server.close(() => { parentPort.postMessage({ closed: true }); parentPort.close(); });
    });
    parentPort.postMessage({ url: `smtp://127.0.0.1:${server.server.address().port}` });
} else {
    await main();
}

async function main() {
const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');

const { values } = parseArgs({
    options: {
        deliveries: { type: 'string', default: '1000000' },
        'pglite-deliveries': { type: 'string' },
        engines: { type: 'string', default: 'postgres,pglite' },
        chunk: { type: 'string', default: '200000' },
        scale: { type: 'string', default: '1' },
        'server-setting': { type: 'string', multiple: true, default: [] },
        rules: { type: 'string', default: 'mission,since,fields,repeat' },
        'explain-runs': { type: 'string', default: '15' },
        'run-repeats': { type: 'string', default: '5' },
        'db-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 26);
for (const pkg of ['language', 'compiler', 'runtime']) {
    if (!fs.existsSync(nodePath.join(repo, `packages/${pkg}/dist/index.js`))) {
        process.stderr.write('bench/run: the packages are not built; run `npm run build` first.\n');
        process.exit(2);
    }
}
const N = Number(values.deliveries);
const pgliteN = Number(values['pglite-deliveries'] ?? values.deliveries);
const CHUNK = Number(values.chunk);
const EXPLAIN_RUNS = Math.max(1, Number(values['explain-runs']));
const engines = values.engines.split(',').map(s => s.trim()).filter(Boolean);
const SCALE = Math.max(1, Math.round(Number(values.scale)));
const SERVER_SETTINGS = values['server-setting'];
if (SERVER_SETTINGS.some(s => !/^[a-z_]+=[A-Za-z0-9_.]+$/.test(s))) {
    process.stderr.write('bench/run: --server-setting takes name=value (e.g. max_parallel_workers_per_gather=1)\n');
    process.exit(2);
}
const RUN_REPEATS = Math.max(1, Math.round(Number(values['run-repeats'])));
// mission, since, fields: on bench/run's store; repeat: a `since` rule on repeat customers (bench/since-repeat.mjs).
const RULE_KEYS = values.rules.split(',').map(s => s.trim());

const { loadProject, unloadProject } = await import('@followup/language');
const compiler = await import('@followup/compiler');
const runtime = await import('@followup/runtime');
const { openStore, dispatchOutbox, createOutboxFolderTransport, createSmtpTransport } = runtime;
const { EXPERT_WINDOW, SINCE_EXPERT, SINCE_EXPERT_INDEX, seedCartsSql, seedPurchasesSql, startPostgres } = await import('./cart-store.mjs');
const { measureReferenceSmtp, REFERENCE_SMTP_PER_SECOND } = await import('./smtp-reference.mjs');

// ---------------------------------------------------------------- helpers

/** PERFORMANCE.md's figures for the expert's recording with unnest() arrays (bench/reference-record.mjs). */
const REFERENCE_RECORDING = { postgres: '11,600 /s', pglite: '9,300–10,000 /s' };

const ms = x => (x === undefined ? '—' : x >= 10000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 100 ? 1 : 0)} ms`);
const int = n => Math.round(n).toLocaleString('en-US');
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-run-'));

// ---------------------------------------------------------------- the project: the example, with a ~1.5 KB HTML body

const RULE = 'cartAbandonment_followup_email';
const projectDir = nodePath.join(temp, 'project');
const example = nodePath.join(repo, 'examples/cart-abandonment');
fs.cpSync(example, projectDir, { recursive: true, filter: from => nodePath.relative(example, from).split(nodePath.sep)[0] !== '.followup' });
const row = '      <tr>\n        <td style="padding:8px 12px;border-bottom:1px solid #eeeeee;color:#333333">{{ item.quantity }} ×</td>\n' +
    '        <td style="padding:8px 12px;border-bottom:1px solid #eeeeee;color:#333333">{{ item.name }}</td>\n' +
    '        <td style="padding:8px 12px;border-bottom:1px solid #eeeeee;text-align:right">{{ item.price | money(currency) }}</td>\n      </tr>\n';
fs.writeFileSync(nodePath.join(projectDir, 'templates/cart-followup.html'), `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>Your cart is waiting</title></head>
  <body style="margin:0;padding:0;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif">
    <table width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;margin:0 auto;background:#ffffff">
      <tr><td style="padding:24px 24px 8px 24px">
        <h1 style="font-size:22px;color:#222222;margin:0">{{ firstName | default('Hello') }}, your cart is waiting</h1>
        <p style="font-size:15px;line-height:22px;color:#555555">You left these items in your cart. We kept them for you, and the prices are held for a few more days.</p>
      </td></tr>
    </table>
    <table width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;margin:0 auto;background:#ffffff">
      {{#each items as item}}
${row}      {{/each}}
    </table>
    <p style="max-width:600px;margin:16px auto;font-size:16px">Total: <strong>{{ cartTotal | money(currency) }}</strong></p>
    {{#if cartTotal > 100}}<p style="max-width:600px;margin:0 auto;color:#2a7a2a">Free shipping on this order.</p>{{else}}<p style="max-width:600px;margin:0 auto;color:#555555">Add a little more for free shipping.</p>{{/if}}
    <p style="max-width:600px;margin:24px auto;text-align:center"><a href="{{ cartUrl }}" style="display:inline-block;padding:12px 24px;background:#222222;color:#ffffff;text-decoration:none;border-radius:4px">Back to my cart</a></p>
    <p style="max-width:600px;margin:24px auto;font-size:12px;color:#999999">You receive this email because you started an order at Shop. Shop, 1 Example Street, Paris.</p>
  </body>
</html>
`);
// Two more rules, each measured against an expert query: a `since` rule (1,000,000 purchases to look
// through) and one with field filters only.
fs.appendFileSync(nodePath.join(projectDir, 'rules.followup'), `
followup benchSince { when cartAbandonment sent 3 days ago and not purchase since sent then send followup email }
followup benchFields { when cartAbandonment sent 3 days ago and cartTotal >= 100 and currency in ("EUR", "USD") and loyaltyMember = true then send followup email }
`);
const project = await loadProject([projectDir]);
if (project.errorCount > 0) throw new Error('the bench project has errors:\n' + project.diagnostics.slice(0, 5).map(d => `${d.file}:${d.line} ${d.message}`).join('\n'));
const plans = (compiler.compilePlans ?? ((p) => compiler.compileProject(p).map(r => r.plan)))(project);
unloadProject(project);
const planOf = name => plans.find(p => p.rule === name);
const plan = planOf(RULE);
const htmlBytes = fs.statSync(nodePath.join(projectDir, 'templates/cart-followup.html')).size;

// ---------------------------------------------------------------- the clock and the data

const NOW = new Date('2026-11-22T10:00:00Z');
const DAY = 86_400_000;
const SPAN = 50 * DAY; // sent_at uniform over (now - 50 days, now]: the one-day due window holds 2%
const WATERMARK = new Date(NOW.getTime() - DAY); // the previous run, a day ago
async function seed(store, n, from = 0, to = n) {
    const progress = (done, secs) => { if (!values.json) process.stdout.write(`\r  loaded ${int(done)} / ${int(to - from)} carts (${int(done / secs)}/s)   `); };
    const carts = await seedCartsSql(store, { n, from, to, now: NOW, span: SPAN, chunk: CHUNK, onProgress: progress });
    const purchases = await seedPurchasesSql(store, { n, from, to, now: NOW, span: SPAN, chunk: CHUNK });
    log('');
    const t = performance.now();
    await store.exec('VACUUM ANALYZE events, deliveries, tracking, decisions, suppressions, profiles'); // as autovacuum leaves a loaded store (the v9 triggers rewrite each new original once)
    return { loadMs: carts.loadMs + purchases.loadMs, analyzeMs: performance.now() - t };
}

// ---------------------------------------------------------------- the queries

function compiledParams(plan, watermark, now) {
    const params = [];
    for (const p of plan.queries.selection.parameters) {
        params[p.index - 1] = p.name === 'watermark' ? watermark.toISOString() : p.name === 'now' ? now.toISOString() : p.value;
    }
    return params;
}
// PERFORMANCE.md's expert query, adapted to the schema (decisions keyed (rule, event_id), originals are
// rule IS NULL), and the same for the two other rules: what an expert writes by hand, with the index
// an expert would create for it (created after the compiled query was measured, dropped after).
const EXPERT = `SELECT d.id AS delivery_id, d.recipient, e.payload
${EXPERT_WINDOW}
  AND NOT EXISTS (SELECT 1 FROM tracking t WHERE t.delivery_id = d.id AND t.kind IN ('open','click'))
  AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = $2 AND x.event_id = d.event_id)`;
const RULES = [
    { key: 'mission', name: RULE, label: 'mission: not opened', expert: EXPERT, expertIndex: null },
    {
        key: 'since', name: 'benchSince', label: 'since: not purchase since sent',
        expert: SINCE_EXPERT,
        expertIndex: SINCE_EXPERT_INDEX,
    },
    {
        key: 'fields', name: 'benchFields', label: 'fields: cartTotal, currency, loyaltyMember',
        expert: `SELECT d.id AS delivery_id, d.recipient, e.payload
${EXPERT_WINDOW}
  AND (e.payload ->> 'cartTotal')::numeric >= 100 AND e.payload ->> 'currency' IN ('EUR', 'USD') AND (e.payload ->> 'loyaltyMember')::boolean
  AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = $2 AND x.event_id = d.event_id)`,
        expertIndex: null,
    },
];

/** Flattens a plan tree to lines: node, relation/index, actual rows, time. */
function planLines(node, depth = 0, out = [], maxDepth = 7) {
    if (depth > maxDepth) return out;
    const what = [node['Node Type'], node['Join Type'] ? `(${node['Join Type']})` : '', node['Index Name'] ? `using ${node['Index Name']}` : node['Relation Name'] ? `on ${node['Relation Name']}` : '',
        node['Parent Relationship'] === 'SubPlan' ? `[${node['Subplan Name']}]` : ''].filter(Boolean).join(' ');
    out.push(`${'  '.repeat(depth)}${what}  rows=${node['Actual Rows']} loops=${node['Actual Loops']} time=${node['Actual Total Time']?.toFixed(1)} ms`);
    for (const child of node.Plans ?? []) planLines(child, depth + 1, out, maxDepth);
    return out;
}
/** The parallel workers a plan launched (0: it ran in the backend alone). */
function plannedWorkers(root) { return planNodes(root).reduce((sum, n) => sum + (n['Workers Launched'] ?? 0), 0); }
function planNodes(node, out = []) { out.push(node); for (const c of node.Plans ?? []) planNodes(c, out); return out; }
/** The plan to aim for: a range scan of deliveries_original_sent, anti-joins (or NOT EXISTS subplans) by index on tracking and decisions. */
function planShape(root) {
    const nodes = planNodes(root);
    const idx = name => nodes.some(n => n['Index Name'] === name);
    const seq = nodes.filter(n => n['Node Type'] === 'Seq Scan').map(n => n['Relation Name']);
    return {
        rangeScan: idx('deliveries_original_sent'),
        trackingByIndex: idx('tracking_delivery_kind'),
        decisionsByIndex: idx('decisions_pkey'),
        antiJoins: nodes.filter(n => n['Join Type'] === 'Anti').length,
        seqScans: seq,
    };
}

/**
 * In a transaction opened as a run opens its own (`DECIDING_TRANSACTION`: JIT off on a server), the
 * expert's query too: the two are compared under the same settings.
 */
async function explainOnce(store, sql, params) {
    const { rows } = await store.transaction(tx => tx.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params), runtime.DECIDING_TRANSACTION);
    let plan = rows[0]['QUERY PLAN'];
    if (typeof plan === 'string') plan = JSON.parse(plan);
    return plan[0];
}

function summarise(times, last) {
    const buffers = (last.Plan['Shared Hit Blocks'] ?? 0) + (last.Plan['Shared Read Blocks'] ?? 0);
    return { median: median(times), times, rows: last.Plan['Actual Rows'], plan: last.Plan, planning: last['Planning Time'], buffers };
}

/**
 * The compiled query and the expert's, executed in turns (one warm-up each, not counted): on a shared
 * machine a blip then hits both, where measuring one after the other let it land on either side.
 */
async function explainInTurns(store, compiled, expert) {
    return explainAcross([[store, ...compiled], [store, ...expert]]);
}
/** Queries (each `[store, sql, params]`), executed in turns, one warm-up each: a summary per query. */
async function explainAcross(queries) {
    const times = queries.map(() => []);
    const last = [];
    for (let k = 0; k < EXPLAIN_RUNS + 1; k++) {
        for (const [i, [store, sql, params]] of queries.entries()) {
            last[i] = await explainOnce(store, sql, params);
            if (k > 0) times[i].push(last[i]['Execution Time'] + last[i]['Planning Time']);
        }
    }
    return queries.map((_, i) => summarise(times[i], last[i]));
}

/** Each rule's compiled selection and its expert query, in turns (with the expert's index, dropped after). */
async function compareSelections(store, label) {
    const out = [];
    for (const r of RULES.filter(r => RULE_KEYS.includes(r.key))) {
        const p = planOf(r.name);
        if (r.expertIndex) { await store.exec(r.expertIndex); await store.exec('ANALYZE events'); }
        const [compiled, expert] = await explainInTurns(store, [p.queries.selection.sql, compiledParams(p, WATERMARK, NOW)], [r.expert, [NOW.toISOString(), r.name]]);
        if (r.expertIndex) await store.exec(`DROP INDEX ${r.expertIndex.split(' ')[2]}`);
        out.push({ rule: r.name, label: r.label, compiled, expert, ratio: compiled.median / expert.median,
            compiledShape: planShape(compiled.plan), expertShape: planShape(expert.plan) });
    }
    log('');
    log(`Selections (${label}): EXPLAIN (ANALYZE, BUFFERS) median of ${EXPLAIN_RUNS} executions (planning + execution), compiled and expert in turns, each in a transaction as a run opens its own (JIT off on a server), w = now - 1 day`);
    log(table(['rule', 'compiled rows', 'compiled', 'buffers', 'expert rows', 'expert', 'buffers', 'ratio', 'target ≤ 1.1×'],
        out.map(o => [o.label, int(o.compiled.rows), ms(o.compiled.median), int(o.compiled.buffers), int(o.expert.rows), ms(o.expert.median), int(o.expert.buffers),
            `${o.ratio.toFixed(2)}×`, o.ratio <= 1.1 ? 'met' : 'NOT met'])));
    for (const o of out) {
        log(`  ${o.label}:`);
        for (const [which, ex] of [['compiled', o.compiled], ['expert', o.expert]]) {
            log(`    ${which} plan:`);
            for (const line of planLines(ex.plan)) log(`      ${line}`);
        }
    }
    return out;
}

function summariseSelection(o) {
    return { rule: o.rule, label: o.label, compiledMs: o.compiled.median, expertMs: o.expert.median, ratio: o.ratio, compiledRows: o.compiled.rows, expertRows: o.expert.rows,
        compiledBuffers: o.compiled.buffers, expertBuffers: o.expert.buffers, compiledShape: o.compiledShape, expertShape: o.expertShape,
        compiledTimes: o.compiled.times, expertTimes: o.expert.times };
}

// ---------------------------------------------------------------- the SMTP sink

async function startSink() {
    const worker = new Worker(fileURLToPath(import.meta.url));
    const ask = (msg, key) => new Promise(resolve => { const on = m => { if (m[key] !== undefined) { worker.off('message', on); resolve(m[key]); } }; worker.on('message', on); if (msg) worker.postMessage(msg); });
    const url = await ask(undefined, 'url');
    return { url, stats: () => ask('stats', 'stats'), close: async () => { await ask('close', 'closed'); await worker.terminate(); } };
}

// ---------------------------------------------------------------- the run, timed in a fresh process

const plansFile = nodePath.join(temp, 'plans.json');
fs.writeFileSync(plansFile, JSON.stringify(plans));
async function inFreshProcess(script, args) {
    const child = spawn(process.execPath, [nodePath.join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    const code = await new Promise(resolve => child.on('close', resolve));
    if (code !== 0) throw new Error(`bench/${script} exited with ${code}`);
    return JSON.parse(out.trim().split('\n').pop());
}
const recordInFreshProcess = target =>
    inFreshProcess('record-run.mjs', [target, plansFile, RULE, NOW.toISOString(), WATERMARK.toISOString(), String(RUN_REPEATS)]);
/** PERFORMANCE.md's recording reference (bench/reference-record.mjs), as many rows as the run queued, timed the same way. */
const referenceInFreshProcess = (target, rows) => inFreshProcess('reference-record.mjs', [target, String(rows), String(RUN_REPEATS)]);

// ---------------------------------------------------------------- PostgreSQL 15 (as test/support/postgres.ts)

// ---------------------------------------------------------------- one engine

async function benchEngine(engine, n) {
    log('');
    log(`=== ${engine}: ${int(n)} original deliveries ===`);
    let server;
    let target;
    if (engine === 'postgres') {
        server = await startPostgres({ settings: SERVER_SETTINGS });
        target = server.url;
        log(`PostgreSQL ${server.version} on ${target} (${SERVER_SETTINGS.length ? `stock settings but ${SERVER_SETTINGS.join(', ')}` : 'stock planner settings'})`);
    }
    else { target = values['db-dir'] ? nodePath.resolve(values['db-dir']) : nodePath.join(temp, 'pglite'); log(`PGlite in ${target}`); }
    let store = await openStore(target);
    let bigStore;
    const result = { engine, deliveries: n };
    try {
        const { rows: ver } = await store.query('SHOW server_version');
        result.serverVersion = ver[0].server_version;
        const seeded = await seed(store, n);
        Object.assign(result, seeded);
        const { rows: [c] } = await store.query(`SELECT (SELECT count(*) FROM deliveries)::int AS deliveries, (SELECT count(*) FROM tracking)::int AS tracking,
            (SELECT count(*) FROM deliveries WHERE sent_at > $1::timestamptz - interval '4 days' AND sent_at <= $1::timestamptz - interval '3 days')::int AS in_window`, [NOW.toISOString()]);
        log(`  loaded in ${ms(seeded.loadMs)} (${int(n / (seeded.loadMs / 1000))} deliveries/s), ANALYZE ${ms(seeded.analyzeMs)}; ` +
            `${int(c.deliveries)} deliveries, ${int(c.tracking)} opens, ${int(c.in_window)} in the due window (${(100 * c.in_window / c.deliveries).toFixed(2)}%)`);

        // 1. the indexes the rules need, as followup run creates them at start
        if (runtime.ensureIndexes) {
            const t0 = performance.now();
            const made = await runtime.ensureIndexes(store, plans);
            result.indexesMs = performance.now() - t0;
            log(`  indexes the rules need: ${made.created.map(c => `${c.name} (${c.reason}, ${ms(c.ms)})`).join(', ') || 'none missing'}`);
        } else log('  (this build derives no indexes from the rules)');

        // 2. the selections vs the expert queries
        result.selections = (await compareSelections(store, `${int(n)} deliveries`)).map(summariseSelection);
        result.selection = result.selections[0];

        // 3. the run: select + decide + render + record, repeated (what it recorded deleted in between);
        //    the median is reported, and the last run's outbox is dispatched below.
        // Timed in a fresh process that opens the store as `followup run` does (bench/record-run.mjs);
        // an embedded store is held by one process at a time, so this one lets go of it meanwhile.
        log('');
        if (engine === 'pglite') await store.close();
        const recorded = await recordInFreshProcess(target);
        const runs = recorded.runs;
        const middle = [...runs].sort((a, b) => a.perSecond - b.perSecond)[runs.length >> 1];
        result.run = { ...middle, runs: runs.map(r => r.perSecond) };
        // A process's first run pays the code's warm-up (bench/README.md); a long-lived process (serve's
        // scheduled runs) runs like the later ones.
        if (runs.length > 1) result.run.laterMedian = median(runs.slice(1).map(r => r.perSecond));
        log(`Run (runRules, one rule, in a fresh process as followup run), ${runs.length} times: ${int(middle.queued)} follow-ups queued, median ${ms(middle.ms)} = ${int(middle.perSecond)} follow-ups/s ` +
            `(each run: ${runs.map(r => int(r.perSecond)).join(', ')} /s${result.run.laterMedian !== undefined ? `; the runs after the first, median ${int(result.run.laterMedian)} /s` : ''}; outbox content ${int(recorded.contentBytes)} bytes per row as JSON: since schema v11 a follow-up is rendered again at dispatch, not stored)`);
        // The expert's recording on the same store right after, timed the same way: how much of the
        // figure above is the machine at this moment, and how much is ours.
        const reference = await referenceInFreshProcess(target, middle.queued);
        if (engine === 'pglite') store = await openStore(target);
        const refMiddle = [...reference.runs].sort((a, b) => a.perSecond - b.perSecond)[reference.runs.length >> 1];
        result.referenceRecording = { ...refMiddle, runs: reference.runs.map(r => r.perSecond), payloadBytes: reference.payloadBytes };
        log(`The expert's recording (PERFORMANCE.md: decisions + outbox rows of ~2 KB, unnest() arrays, 1,000 a statement; bench/reference-record.mjs), ${int(refMiddle.rows)} rows, ` +
            `in a fresh process, ${reference.runs.length} times: median ${int(refMiddle.perSecond)} rows/s (each: ${reference.runs.map(r => int(r.perSecond)).join(', ')} /s; PERFORMANCE.md: ${REFERENCE_RECORDING[engine]}); ` +
            `the run above reaches ${(middle.perSecond / refMiddle.perSecond).toFixed(2)}× of it`);
        let t;

        // 4. dispatch to an outbox folder
        const folder = nodePath.join(temp, `outbox-${engine}`);
        const folderTransport = createOutboxFolderTransport(folder, { from: 'Shop <shop@example.com>' });
        t = performance.now();
        const d1 = await dispatchOutbox(store, { transports: { email: folderTransport, sms: folderTransport, push: folderTransport }, plans, now: NOW });
        const folderMs = performance.now() - t;
        const files = fs.readdirSync(folder).filter(f => f.endsWith('.eml')).length;
        result.outboxFolder = { ms: folderMs, sent: d1.total.sent, files, perSecond: d1.total.sent / (folderMs / 1000) };
        log(`Dispatch to the outbox folder: ${int(d1.total.sent)} sent (${int(files)} .eml files) in ${ms(folderMs)} = ${int(result.outboxFolder.perSecond)} messages/s`);
        fs.rmSync(folder, { recursive: true, force: true });

        // 5. the same rows again, to the SMTP sink
        await store.query(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL WHERE rule = $2`, [NOW.toISOString(), RULE]);
        await store.query(`UPDATE deliveries SET status = 'queued' WHERE rule = $1`, [RULE]);
        const sink = await startSink();
        const smtp = createSmtpTransport(sink.url, { from: 'Shop <shop@example.com>', env: {} });
        t = performance.now();
        const d2 = await dispatchOutbox(store, { transports: { email: smtp }, plans, now: NOW });
        const smtpMs = performance.now() - t;
        await smtp.close();
        const stats = await sink.stats();
        // PERFORMANCE.md's SMTP reference to the same sink, right after: the machine's SMTP at that moment.
        const referenceSmtp = await measureReferenceSmtp(sink.url, async () => (await sink.stats()).messages);
        await sink.close();
        result.smtp = { ms: smtpMs, sent: d2.total.sent, received: stats.messages, bytes: stats.bytes, connections: stats.connections, perSecond: d2.total.sent / (smtpMs / 1000) };
        log(`Dispatch to the SMTP sink: ${int(d2.total.sent)} sent, ${int(stats.messages)} received (${int(stats.bytes / Math.max(1, stats.messages))} bytes each, ` +
            `${stats.connections} connections) in ${ms(smtpMs)} = ${int(result.smtp.perSecond)} emails/s`);
        result.referenceSmtp = { perSecond: referenceSmtp };
        log(`The SMTP reference (PERFORMANCE.md: bare nodemailer, a pool of 5, maxMessages Infinity, 2,000 emails of ~2.7 KB; bench/smtp-reference.mjs) to the same sink: ` +
            `${int(referenceSmtp)} emails/s (PERFORMANCE.md: ${int(REFERENCE_SMTP_PER_SECOND)} /s); the dispatch above reaches ${(result.smtp.perSecond / referenceSmtp).toFixed(2)}× of it`);

        // 6. the store K times older: what the selections cost then. The older store is a second
        //    database on the same server, the first kept: each rule's compiled selection then runs on
        //    the two in turns, so a change in the machine's speed meanwhile (seeding the older store
        //    takes minutes) lands on both sides of the ratio, not on one.
        if (SCALE > 1 && engine === 'postgres') {
            await store.exec(`DELETE FROM outbox; DELETE FROM decisions; DELETE FROM deliveries WHERE rule IS NOT NULL; DELETE FROM runs; DELETE FROM rule_watermarks`);
            await store.exec('VACUUM ANALYZE events, deliveries, tracking, decisions, outbox');
            log('');
            log(`A second database on the same server: ${int(n * SCALE)} deliveries (and as many purchases), the first ${int(n)} as above, the rest older: the due window holds as many`);
            await store.exec('CREATE DATABASE followup_bench_older');
            bigStore = await openStore(target.replace(/\/followup_bench$/, '/followup_bench_older'));
            const grown = await seed(bigStore, n, 0, n * SCALE);
            log(`  loaded in ${ms(grown.loadMs)}, VACUUM ANALYZE ${ms(grown.analyzeMs)}`);
            if (runtime.ensureIndexes) await runtime.ensureIndexes(bigStore, plans);
            const big = (await compareSelections(bigStore, `${int(n * SCALE)} deliveries`)).map(summariseSelection);
            const growth = [];
            for (const r of RULES.filter(r => RULE_KEYS.includes(r.key))) {
                const p = planOf(r.name);
                const query = [p.queries.selection.sql, compiledParams(p, WATERMARK, NOW)];
                const [small, large] = await explainAcross([[store, ...query], [bigStore, ...query]]);
                growth.push({ rule: r.name, label: r.label, smallMs: small.median, bigMs: large.median, ratio: large.median / small.median, smallBuffers: small.buffers, bigBuffers: large.buffers,
                    smallWorkers: plannedWorkers(small.plan), bigWorkers: plannedWorkers(large.plan) });
            }
            result.scale = { factor: SCALE, deliveries: n * SCALE, selections: big, growth };
            log('');
            log(`Cost as the store grows: each compiled selection at ${int(n)} and at ${int(n * SCALE)} deliveries, the two databases in turns, median of ${EXPLAIN_RUNS} each (target ≤ 1.5×):`);
            log(table(['rule', `${int(n)}`, 'buffers', 'workers', `${int(n * SCALE)}`, 'buffers', 'workers', 'ratio', ''], growth.map(g => [g.label, ms(g.smallMs), int(g.smallBuffers), g.smallWorkers, ms(g.bigMs), int(g.bigBuffers), g.bigWorkers,
                `${g.ratio.toFixed(2)}×`, g.ratio <= 1.5 ? 'met' : 'NOT met'])));
        }
    } finally {
        await bigStore?.close();
        await store.close();
        await server?.stop();
        if (engine === 'pglite' && !values.keep && !values['db-dir']) fs.rmSync(target, { recursive: true, force: true });
    }
    return result;
}

// ---------------------------------------------------------------- the `repeat` rule: bench/since-repeat.mjs

/**
 * The `since` rule on a store of repeat customers (n carts of n/20 customers, purchases at n/4 per 50
 * days for 400 days: 40 a customer), compiled against the expert's query: its own store, so its own
 * process (bench/since-repeat.mjs, the before/after columns left out).
 */
async function repeatCustomers(engine, n) {
    log('');
    log(`Selection since, repeat customers (${engine}): bench/since-repeat.mjs on its own store of ${int(n)} carts of ${int(n / 20)} customers, 400 days of purchases …`);
    const out = await inFreshProcess('since-repeat.mjs', ['--json', '--engines', engine, '--shapes', 'repeat', '--carts', String(n), '--customers', String(Math.max(1, Math.round(n / 20))),
        '--purchases', String(Math.max(1, Math.round(n / 4))), '--history', '8', '--runs', String(EXPLAIN_RUNS), '--queries', 'compiled,expert']);
    const [r] = out.results;
    const compiled = r.queries.find(q => q.query === 'compiled');
    const expert = r.queries.find(q => q.query === 'expert');
    log(table(['query', 'rows', 'median', 'buffers'], [compiled, expert].map(q => [q.query, int(q.rows), ms(q.ms), int(q.buffers)])));
    return { label: `since, repeat customers (${50 * r.history} days of purchases)`, compiledMs: compiled.ms, expertMs: expert.ms, ratio: compiled.ms / expert.ms,
        compiledBuffers: compiled.buffers, expertBuffers: expert.buffers, rows: compiled.rows };
}

// ---------------------------------------------------------------- main

const loadStart = os.loadavg()[0];
log(`followup run benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()} ${os.arch()}`);
log(`Rule ${RULE}: "when cartAbandonment sent 3 days ago and not opened then send followup email"; HTML template ${int(htmlBytes)} bytes (loop over 3 items, an if).`);
log(`Data: N originals sent uniformly over the 50 days before now = ${NOW.toISOString()}, ~2% in the due window, 35% opened, and N purchases of the same customers over the same days; generated in SQL, chunks of ${int(CHUNK)}.`);
if (engines.includes('pglite') && pgliteN !== N) log(`PGlite runs at a smaller scale: ${int(pgliteN)} deliveries (--pglite-deliveries), PostgreSQL at ${int(N)}.`);
const results = [];
try {
    for (const engine of engines) {
        const n = engine === 'pglite' ? pgliteN : N;
        const result = await benchEngine(engine, n);
        if (RULE_KEYS.includes('repeat')) result.repeat = await repeatCustomers(engine, n);
        results.push(result);
    }
} finally {
    if (!values.keep) fs.rmSync(temp, { recursive: true, force: true });
}

// ---------------------------------------------------------------- summary against PERFORMANCE.md
const targets = { postgres: 15000, pglite: 10000 };
log('');
log('Summary against /work/shared/PERFORMANCE.md (ratio = measured / reference; the selection ratio is against the expert query in the same run):');
const rows = [];
for (const r of results) {
    const tag = `${r.engine}, ${int(r.deliveries)}`;
    for (const sel of r.selections) {
        rows.push([`[${tag}] selection ${sel.label}: compiled / expert`, `${ms(sel.compiledMs)} / ${ms(sel.expertMs)}`, '≤ 1.10×', `${sel.ratio.toFixed(2)}×`, sel.ratio <= 1.1 ? 'met' : 'NOT met']);
    }
    if (r.repeat) {
        const sel = r.repeat;
        rows.push([`[${tag}] selection ${sel.label}: compiled / expert`, `${ms(sel.compiledMs)} / ${ms(sel.expertMs)}`, '≤ 1.10×', `${sel.ratio.toFixed(2)}×`, sel.ratio <= 1.1 ? 'met' : 'NOT met']);
    }
    for (const g of r.scale?.growth ?? []) {
        rows.push([`[${tag}] selection ${g.label}: ${int(r.scale.deliveries)} / ${int(r.deliveries)}`, `${g.ratio.toFixed(2)}×`, '≤ 1.50×', '', g.ratio <= 1.5 ? 'met' : 'NOT met']);
    }
    rows.push([`[${tag}] decide+render+record`, `${int(r.run.perSecond)} /s`, `≥ ${int(targets[r.engine])} /s`, `${(r.run.perSecond / targets[r.engine]).toFixed(2)}×`, r.run.perSecond >= targets[r.engine] ? 'met' : 'NOT met']);
    if (r.run.laterMedian !== undefined) {
        rows.push([`[${tag}]   the same, a process's runs after its first (as serve's)`, `${int(r.run.laterMedian)} /s`, `≥ ${int(targets[r.engine])} /s`,
            `${(r.run.laterMedian / targets[r.engine]).toFixed(2)}×`, r.run.laterMedian >= targets[r.engine] ? 'met (warm)' : 'NOT met (warm)']);
    }
    rows.push([`[${tag}] the expert's recording (unnest, ~2 KB rows), same store, same run`, `${int(r.referenceRecording.perSecond)} /s`, `(${REFERENCE_RECORDING[r.engine]})`,
        `${(r.run.perSecond / r.referenceRecording.perSecond).toFixed(2)}×`, 'ours ÷ it']);
    // An expert's whole run, roughly: the mission rule's expert query (timed under EXPLAIN ANALYZE, so
    // a little slow) and then the reference recording of as many rows as the run queued.
    const mission = r.selections.find(s => s.rule === RULE);
    if (mission) {
        const expertRun = r.referenceRecording.rows / ((mission.expertMs + r.referenceRecording.ms) / 1000);
        rows.push([`[${tag}] the expert's select + record (mission's expert query, then the above)`, `${int(expertRun)} /s`, '', `${(r.run.perSecond / expertRun).toFixed(2)}×`, 'ours ÷ it']);
    }
    // PERFORMANCE.md gives no outbox-folder figure and 1,200 /s for SMTP; issue 14 asks 2,000 and 1,500.
    rows.push([`[${tag}] dispatch → outbox folder`, `${int(r.outboxFolder.perSecond)} /s`, '≥ 2,000 /s (issue 14)', `${(r.outboxFolder.perSecond / 2000).toFixed(2)}×`, r.outboxFolder.perSecond >= 2000 ? 'met' : 'NOT met']);
    rows.push([`[${tag}] dispatch → SMTP sink`, `${int(r.smtp.perSecond)} /s`, '≥ 1,200 /s; issue 14 ≥ 1,500', `${(r.smtp.perSecond / 1200).toFixed(2)}×`,
        r.smtp.perSecond >= 1500 ? 'met (both)' : r.smtp.perSecond >= 1200 ? 'met (1,200 only)' : 'NOT met']);
    rows.push([`[${tag}] the SMTP reference (bare nodemailer, pool of 5), same sink, same run`, `${int(r.referenceSmtp.perSecond)} /s`, `(${int(REFERENCE_SMTP_PER_SECOND)} /s)`,
        `${(r.smtp.perSecond / r.referenceSmtp.perSecond).toFixed(2)}×`, 'ours ÷ it']);
}
log(table(['measure', 'measured', 'target', 'ratio', ''], rows));
const loadEnd = os.loadavg()[0];
log(`Load average (1 min) at start ${loadStart.toFixed(2)}, at end ${loadEnd.toFixed(2)} on ${os.cpus().length} CPU(s)` +
    (Math.max(loadStart, loadEnd) > os.cpus().length * 0.75 ? ': the machine was busy, times are inflated.' : '.'));
if (values.json) process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, now: NOW, results, loadAverage: { start: loadStart, end: loadEnd } }, null, 2) + '\n');
}
