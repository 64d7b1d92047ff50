// One `followup run` at scale, on PostgreSQL 15 and on PGlite: a store of N original cartAbandonment
// deliveries (default 1,000,000, spread over 50 days, so ~2% fall in the due window; 35% opened), then
//   1. EXPLAIN ANALYZE of the compiled selection vs the hand-written expert query (PERFORMANCE.md),
//   2. one timed runRules (select + decide + render + record): follow-ups/s,
//   3. dispatchOutbox to an outbox folder: messages/s,
//   4. the same outbox reset to pending and dispatched to a local SMTP sink: emails/s.
//
//   npm run build && node bench/run.mjs
//   node bench/run.mjs [--deliveries 1000000] [--pglite-deliveries <n>] [--engines postgres,pglite]
//                      [--chunk 50000] [--explain-runs 5] [--db-dir <folder for PGlite>] [--keep] [--json]
//
// See bench/README.md for what each number means.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

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
        chunk: { type: 'string', default: '50000' },
        'explain-runs': { type: 'string', default: '5' },
        'db-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) {
    process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 11).map(l => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    process.exit(0);
}
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

const { loadProject, unloadProject } = await import('@followup/language');
const { compileProject } = await import('@followup/compiler');
const { openStore, runRules, dispatchOutbox, createOutboxFolderTransport, createSmtpTransport } = await import('@followup/runtime');
const { seedCarts, startPostgres } = await import('./cart-store.mjs');

// ---------------------------------------------------------------- helpers

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = x => (x === undefined ? '—' : x >= 10000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 100 ? 1 : 0)} ms`);
const int = n => Math.round(n).toLocaleString('en-US');
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
function table(header, rows) {
    const all = [header, ...rows];
    const widths = header.map((_, c) => Math.max(...all.map(r => String(r[c]).length)));
    const line = r => '| ' + r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join(' | ') + ' |';
    return [line(header), '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}
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
const project = await loadProject([projectDir]);
if (project.errorCount > 0) throw new Error('the bench project has errors:\n' + project.diagnostics.slice(0, 5).map(d => `${d.file}:${d.line} ${d.message}`).join('\n'));
const plans = compileProject(project).map(r => r.plan);
unloadProject(project);
const plan = plans.find(p => p.rule === RULE);
const htmlBytes = fs.statSync(nodePath.join(projectDir, 'templates/cart-followup.html')).size;

// ---------------------------------------------------------------- the clock and the data

const NOW = new Date('2026-11-22T10:00:00Z');
const DAY = 86_400_000;
const SPAN = 50 * DAY; // sent_at uniform over (now - 50 days, now]: the one-day due window holds 2%
const WATERMARK = new Date(NOW.getTime() - DAY); // the previous run, a day ago
async function seed(store, n) {
    const seeded = await seedCarts(store, n, {
        now: NOW, span: SPAN, chunk: CHUNK,
        onProgress: (done, secs) => { if (!values.json) process.stdout.write(`\r  loaded ${int(done)} / ${int(n)} deliveries (${int(done / secs)}/s)   `); },
    });
    log('');
    return seeded;
}

// ---------------------------------------------------------------- the queries

function compiledParams(watermark, now) {
    const params = [];
    for (const p of plan.queries.selection.parameters) {
        params[p.index - 1] = p.name === 'watermark' ? watermark.toISOString() : p.name === 'now' ? now.toISOString() : p.value;
    }
    return params;
}
// PERFORMANCE.md's expert query, adapted to the schema: decisions keyed (rule, event_id), originals are rule IS NULL.
const EXPERT = `SELECT d.id AS delivery_id, d.recipient, e.payload
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.sent_at >  $1::timestamptz - interval '4 days'
  AND d.sent_at <= $1::timestamptz - interval '3 days'
  AND d.channel = 'email' AND d.status = 'sent' AND d.rule IS NULL AND e.type = 'cartAbandonment'
  AND NOT EXISTS (SELECT 1 FROM tracking t WHERE t.delivery_id = d.id AND t.kind IN ('open','click'))
  AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = $2 AND x.event_id = d.event_id)`;

/** Flattens a plan tree to lines: node, relation/index, actual rows, time. */
function planLines(node, depth = 0, out = [], maxDepth = 7) {
    if (depth > maxDepth) return out;
    const what = [node['Node Type'], node['Join Type'] ? `(${node['Join Type']})` : '', node['Index Name'] ? `using ${node['Index Name']}` : node['Relation Name'] ? `on ${node['Relation Name']}` : '',
        node['Parent Relationship'] === 'SubPlan' ? `[${node['Subplan Name']}]` : ''].filter(Boolean).join(' ');
    out.push(`${'  '.repeat(depth)}${what}  rows=${node['Actual Rows']} loops=${node['Actual Loops']} time=${node['Actual Total Time']?.toFixed(1)} ms`);
    for (const child of node.Plans ?? []) planLines(child, depth + 1, out, maxDepth);
    return out;
}
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

async function explain(store, sql, params) {
    const times = [];
    let last;
    for (let k = 0; k < EXPLAIN_RUNS + 1; k++) { // one warm-up execution, not counted
        const { rows } = await store.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        let plan = rows[0]['QUERY PLAN'];
        if (typeof plan === 'string') plan = JSON.parse(plan);
        last = plan[0];
        if (k > 0) times.push(last['Execution Time'] + last['Planning Time']);
    }
    return { median: median(times), times, rows: last.Plan['Actual Rows'], plan: last.Plan, planning: last['Planning Time'] };
}

// ---------------------------------------------------------------- the SMTP sink

async function startSink() {
    const worker = new Worker(fileURLToPath(import.meta.url));
    const ask = (msg, key) => new Promise(resolve => { const on = m => { if (m[key] !== undefined) { worker.off('message', on); resolve(m[key]); } }; worker.on('message', on); if (msg) worker.postMessage(msg); });
    const url = await ask(undefined, 'url');
    return { url, stats: () => ask('stats', 'stats'), close: async () => { await ask('close', 'closed'); await worker.terminate(); } };
}

// ---------------------------------------------------------------- PostgreSQL 15 (as test/support/postgres.ts)

// ---------------------------------------------------------------- one engine

async function benchEngine(engine, n) {
    log('');
    log(`=== ${engine}: ${int(n)} original deliveries ===`);
    let server;
    let target;
    if (engine === 'postgres') { server = await startPostgres(); target = server.url; log(`PostgreSQL ${server.version} on ${target} (stock planner settings)`); }
    else { target = values['db-dir'] ? nodePath.resolve(values['db-dir']) : nodePath.join(temp, 'pglite'); log(`PGlite in ${target}`); }
    const store = await openStore(target);
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

        // 1. the selection vs the expert query
        const compiled = await explain(store, plan.queries.selection.sql, compiledParams(WATERMARK, NOW));
        const expert = await explain(store, EXPERT, [NOW.toISOString(), RULE]);
        result.selection = { compiledMs: compiled.median, expertMs: expert.median, ratio: compiled.median / expert.median, compiledRows: compiled.rows, expertRows: expert.rows,
            compiledShape: planShape(compiled.plan), expertShape: planShape(expert.plan), compiledTimes: compiled.times, expertTimes: expert.times };
        log('');
        log(`Selection: EXPLAIN (ANALYZE) median of ${EXPLAIN_RUNS} executions (planning + execution), w = now - 1 day`);
        log(table(['query', 'rows', 'median', 'min', 'max'], [
            ['compiled selection', int(compiled.rows), ms(compiled.median), ms(Math.min(...compiled.times)), ms(Math.max(...compiled.times))],
            ['expert query (PERFORMANCE.md)', int(expert.rows), ms(expert.median), ms(Math.min(...expert.times)), ms(Math.max(...expert.times))],
        ]));
        const r = result.selection.ratio;
        log(`  ratio compiled / expert = ${r.toFixed(2)}× (target ≤ 1.1×: ${r <= 1.1 ? 'met' : 'NOT met'})`);
        for (const [label, ex, shape] of [['compiled', compiled, result.selection.compiledShape], ['expert', expert, result.selection.expertShape]]) {
            log(`  ${label} plan: range scan on deliveries_original_sent ${shape.rangeScan ? 'yes' : 'NO'}; tracking by index ${shape.trackingByIndex ? 'yes' : 'NO'}; ` +
                `decisions by index ${shape.decisionsByIndex ? 'yes' : 'no (the table is empty before the run: a seq scan of 0 pages is right)'}; anti-joins ${shape.antiJoins}; seq scans: ${shape.seqScans.join(', ') || 'none'}`);
            for (const line of planLines(ex.plan)) log(`    ${line}`);
        }
        if (compiled.rows !== expert.rows) log(`  note: the compiled selection returns ${compiled.rows} rows, the expert query ${expert.rows} (the compiled one also skips non-first originals and flags suppressed/expired)`);

        // 2. one run: select + decide + render + record
        await store.query('INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2) ON CONFLICT (rule) DO UPDATE SET watermark = EXCLUDED.watermark', [RULE, WATERMARK.toISOString()]);
        let t = performance.now();
        const report = await runRules(store, plans, { now: NOW, onlyRule: RULE });
        const runMs = performance.now() - t;
        const queued = report.total.queued;
        result.run = { ms: runMs, queued, perSecond: queued / (runMs / 1000) };
        const { rows: [sz] } = await store.query(`SELECT avg(length(content::text))::int AS bytes FROM outbox`);
        log('');
        log(`Run (runRules, one rule): ${int(queued)} follow-ups queued in ${ms(runMs)} = ${int(result.run.perSecond)} follow-ups/s ` +
            `(${int(2 * result.run.perSecond)} decisions+outbox rows/s; rendered content ${int(sz.bytes)} bytes per row as JSON)`);

        // 3. dispatch to an outbox folder
        const folder = nodePath.join(temp, `outbox-${engine}`);
        const folderTransport = createOutboxFolderTransport(folder, { from: 'Shop <shop@example.com>' });
        t = performance.now();
        const d1 = await dispatchOutbox(store, { transports: { email: folderTransport, sms: folderTransport, push: folderTransport }, plans, now: NOW });
        const folderMs = performance.now() - t;
        const files = fs.readdirSync(folder).filter(f => f.endsWith('.eml')).length;
        result.outboxFolder = { ms: folderMs, sent: d1.total.sent, files, perSecond: d1.total.sent / (folderMs / 1000) };
        log(`Dispatch to the outbox folder: ${int(d1.total.sent)} sent (${int(files)} .eml files) in ${ms(folderMs)} = ${int(result.outboxFolder.perSecond)} messages/s`);
        fs.rmSync(folder, { recursive: true, force: true });

        // 4. the same rows again, to the SMTP sink
        await store.query(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL WHERE rule = $2`, [NOW.toISOString(), RULE]);
        await store.query(`UPDATE deliveries SET status = 'queued' WHERE rule = $1`, [RULE]);
        const sink = await startSink();
        const smtp = createSmtpTransport(sink.url, { from: 'Shop <shop@example.com>', env: {} });
        t = performance.now();
        const d2 = await dispatchOutbox(store, { transports: { email: smtp }, plans, now: NOW });
        const smtpMs = performance.now() - t;
        await smtp.close();
        const stats = await sink.stats();
        await sink.close();
        result.smtp = { ms: smtpMs, sent: d2.total.sent, received: stats.messages, bytes: stats.bytes, connections: stats.connections, perSecond: d2.total.sent / (smtpMs / 1000) };
        log(`Dispatch to the SMTP sink: ${int(d2.total.sent)} sent, ${int(stats.messages)} received (${int(stats.bytes / Math.max(1, stats.messages))} bytes each, ` +
            `${stats.connections} connections) in ${ms(smtpMs)} = ${int(result.smtp.perSecond)} emails/s`);
    } finally {
        await store.close();
        await server?.stop();
        if (engine === 'pglite' && !values.keep && !values['db-dir']) fs.rmSync(target, { recursive: true, force: true });
    }
    return result;
}

// ---------------------------------------------------------------- main

const loadStart = os.loadavg()[0];
log(`followup run benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()} ${os.arch()}`);
log(`Rule ${RULE}: "when cartAbandonment sent 3 days ago and not opened then send followup email"; HTML template ${int(htmlBytes)} bytes (loop over 3 items, an if).`);
log(`Data: N originals sent uniformly over the 50 days before now = ${NOW.toISOString()}, ~2% in the due window, 35% opened; chunks of ${int(CHUNK)} (unnest()).`);
if (engines.includes('pglite') && pgliteN !== N) log(`PGlite runs at a smaller scale: ${int(pgliteN)} deliveries (--pglite-deliveries), PostgreSQL at ${int(N)}.`);
const results = [];
try {
    for (const engine of engines) results.push(await benchEngine(engine, engine === 'pglite' ? pgliteN : N));
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
    rows.push([`[${tag}] selection: compiled / expert`, `${ms(r.selection.compiledMs)} / ${ms(r.selection.expertMs)}`, '≤ 1.10×', `${r.selection.ratio.toFixed(2)}×`, r.selection.ratio <= 1.1 ? 'met' : 'NOT met']);
    rows.push([`[${tag}] decide+render+record`, `${int(r.run.perSecond)} /s`, `≥ ${int(targets[r.engine])} /s`, `${(r.run.perSecond / targets[r.engine]).toFixed(2)}×`, r.run.perSecond >= targets[r.engine] ? 'met' : 'NOT met']);
    rows.push([`[${tag}] dispatch → outbox folder`, `${int(r.outboxFolder.perSecond)} /s`, '(none)', '', '']);
    rows.push([`[${tag}] dispatch → SMTP sink`, `${int(r.smtp.perSecond)} /s`, '≥ 1,200 /s', `${(r.smtp.perSecond / 1200).toFixed(2)}×`, r.smtp.perSecond >= 1200 ? 'met' : 'NOT met']);
}
log(table(['measure', 'measured', 'target', 'ratio', ''], rows));
const loadEnd = os.loadavg()[0];
log(`Load average (1 min) at start ${loadStart.toFixed(2)}, at end ${loadEnd.toFixed(2)} on ${os.cpus().length} CPU(s)` +
    (Math.max(loadStart, loadEnd) > os.cpus().length * 0.75 ? ': the machine was busy, times are inflated.' : '.'));
if (values.json) process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, now: NOW, results, loadAverage: { start: loadStart, end: loadEnd } }, null, 2) + '\n');
}
