// `followup report` at scale (docs/measuring.md; issue 16, acceptance 3: the report on 1M deliveries
// takes under 2× the time of the rule's selection on the same store), on PostgreSQL 15 and on PGlite:
//   1. N original cartAbandonment deliveries (default 1,000,000) sent over the 50 days before now;
//   2. the rule's compiled selection timed (EXPLAIN ANALYZE, median) as its first run sees them: all N due;
//   3. one run (runRules) decides them all: 10% held out, the others queued; the follow-ups marked sent,
//      half of them delivered, a fifth opened, 5% clicked; then the week's purchases, 10% of the held
//      out and 12% of the others (bench/measured-history.mjs, the rule's own split);
//   4. the report (the totals query, as `followup report` runs it, nested loops off) timed, median;
//      the same selection timed again now that everything is decided; the daily query too.
// Prints each median and the ratio report / selection.
//
//   npm run build && node bench/report.mjs [--deliveries 1000000] [--pglite-deliveries <n>]
//                                          [--engines postgres,pglite] [--runs 3] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { carts, insertCarts, insertPurchases, purchases } from './measured-history.mjs';
import { startPostgres } from './cart-store.mjs';
import { printHeaderAndExit, requireBuilt } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const { values } = parseArgs({
    options: {
        deliveries: { type: 'string', default: '1000000' },
        'pglite-deliveries': { type: 'string' },
        engines: { type: 'string', default: 'postgres,pglite' },
        runs: { type: 'string', default: '3' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 14);
requireBuilt('report');
const { loadSources } = await import('@followup/language');
const { compileProject } = await import('@followup/compiler');
const { openStore, runRules, buildReport, bindParameters, holdoutPoint, reportRuntimeValues, REPORT_SETTINGS } = await import('@followup/runtime');

const N = Number(values.deliveries);
const pgliteN = Number(values['pglite-deliveries'] ?? values.deliveries);
const RUNS = Math.max(1, Number(values.runs));
const engines = values.engines.split(',').map(s => s.trim()).filter(Boolean);
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const int = n => Math.round(n).toLocaleString('en-US');
const ms = x => (x >= 10000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 100 ? 1 : 0)} ms`);
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const source = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
event purchase { key customerId  customerId: string  email: email  total: decimal }
message nudge for cartAbandonment email { subject: "{{ firstName }}, your cart" text: "It is waiting for you." }
followup nudge {
  when cartAbandonment sent 1 day ago
  then send nudge email
  lookback 60 days
  expire 60 days
  holdout 10%
  goal purchase within 7 days value total
}
`;
const project = await loadSources({ 'shop.followup': source });
if (project.errorCount > 0) throw new Error('the bench project has errors');
const plan = compileProject(project).map(r => r.plan)[0];
const DAY = 86_400_000;
const NOW = new Date('2026-11-22T10:00:00Z');
const REPORT_AT = new Date(NOW.getTime() + 8 * DAY);
const WATERMARK = new Date(NOW.getTime() - plan.lookback.minutes * 60_000);

/** EXPLAIN ANALYZE `runs` times after one warm-up: the median of planning + execution. */
async function timed(db, sql, params) {
    const times = [];
    let rows = 0;
    for (let k = 0; k <= RUNS; k++) {
        const { rows: out } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        let p = out[0]['QUERY PLAN'];
        if (typeof p === 'string') p = JSON.parse(p);
        if (k > 0) times.push(p[0]['Execution Time'] + p[0]['Planning Time']);
        rows = p[0].Plan['Actual Rows'];
    }
    return { median: median(times), times, rows };
}

/** The same, inside the report's transaction settings (nested loops off). */
async function timedReport(store, sql, params) {
    return store.transaction(async tx => {
        await tx.query(REPORT_SETTINGS);
        return timed(tx, sql, params);
    });
}

async function benchEngine(engine, n) {
    log('');
    log(`=== ${engine}: ${int(n)} original deliveries ===`);
    const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-report-'));
    const server = engine === 'postgres' ? await startPostgres() : undefined;
    const store = await openStore(server ? server.url : nodePath.join(temp, 'pglite'));
    const result = { engine, deliveries: n };
    try {
        let t = performance.now();
        const people = carts({ people: n, prefix: 'c', sentFrom: new Date(NOW.getTime() - 51 * DAY), sentTo: new Date(NOW.getTime() - DAY) });
        await insertCarts(store, people, { chunk: 50_000 });
        await store.exec('ANALYZE');
        log(`  loaded in ${ms(performance.now() - t)}`);

        const selectionParams = bindParameters(plan.queries.selection, [WATERMARK.toISOString(), NOW.toISOString()]);
        const before = await timed(store, plan.queries.selection.sql, selectionParams);
        result.selection = before;
        log(`  selection (first run: all due): ${int(before.rows)} rows, median ${ms(before.median)} of ${RUNS}`);

        t = performance.now();
        const run = await runRules(store, [plan], { now: NOW });
        result.run = { ms: performance.now() - t, ...run.total };
        log(`  run: ${int(run.total.selected)} decided (${int(run.total.queued)} queued, ${int(run.total.heldOut)} held out) in ${ms(result.run.ms)}`);

        t = performance.now();
        await store.query(`UPDATE deliveries SET status = 'sent' WHERE rule = $1`, [plan.rule]);
        await store.query(`INSERT INTO tracking (delivery_id, kind, at)
            SELECT d.id, k.kind, d.sent_at + k.after
            FROM deliveries d
            JOIN (VALUES ('delivered', interval '1 minute', 2), ('open', interval '2 hours', 5), ('click', interval '3 hours', 20)) AS k(kind, after, every)
              ON abs(hashtext(d.id)) % k.every = 0
            WHERE d.rule = $1`, [plan.rule]);
        const split = customerId => holdoutPoint(plan.holdout.seed, customerId) < plan.holdout.share / 100;
        await insertPurchases(store, purchases({ customerIds: people.customerIds, isHeldOut: split, decidedAt: NOW, heldOutRate: 0.10, sentRate: 0.12, seed: 3 }), { chunk: 50_000 });
        await store.exec('ANALYZE');
        const { rows: [c] } = await store.query(`SELECT (SELECT count(*) FROM deliveries)::int AS deliveries, (SELECT count(*) FROM tracking)::int AS tracking,
            (SELECT count(*) FROM events WHERE type = 'purchase')::int AS purchases, (SELECT count(*) FROM decisions)::int AS decisions`);
        result.store = c;
        log(`  then: ${int(c.deliveries)} deliveries (originals and follow-ups), ${int(c.decisions)} decisions, ${int(c.tracking)} tracking records, ${int(c.purchases)} purchases (${ms(performance.now() - t)})`);

        const runtime = reportRuntimeValues({ now: REPORT_AT });
        const totals = await timedReport(store, plan.queries.report.totals.sql, bindParameters(plan.queries.report.totals, runtime));
        const daily = await timedReport(store, plan.queries.report.daily.sql, bindParameters(plan.queries.report.daily, runtime));
        const after = await timed(store, plan.queries.selection.sql, selectionParams);
        t = performance.now();
        const report = await buildReport(store, [plan], { now: REPORT_AT });
        const wholeMs = performance.now() - t;
        result.report = { totals, daily, buildReportMs: wholeMs, lift: report.rules[0].lift, counts: report.rules[0].counts };
        result.selectionAfter = after;
        result.ratio = totals.median / before.median;
        result.ratioAfter = totals.median / after.median;
        log(`  report, totals query: median ${ms(totals.median)} (buildReport end to end ${ms(wholeMs)}); daily query: median ${ms(daily.median)}`);
        log(`  selection again, everything decided: ${int(after.rows)} rows, median ${ms(after.median)}`);
        log(`  ratio report / selection = ${result.ratio.toFixed(2)}× (target < 2×: ${result.ratio < 2 ? 'met' : 'NOT met'}); ` +
            `against the selection after the run ${result.ratioAfter.toFixed(2)}×`);
        const a = report.rules[0].lift?.absolute;
        if (a) log(`  lift found: ${(a.estimate * 100).toFixed(2)} points (95% CI ${(a.lower * 100).toFixed(2)} to ${(a.upper * 100).toFixed(2)}); generated: 2 points`);
    } finally {
        await store.close();
        await server?.stop();
        fs.rmSync(temp, { recursive: true, force: true });
    }
    return result;
}

log(`followup report benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg()[0].toFixed(2)} at start`);
const results = [];
for (const engine of engines) results.push(await benchEngine(engine, engine === 'pglite' ? pgliteN : N));
log('');
log(`load ${os.loadavg()[0].toFixed(2)} at the end (the machine is shared: above the CPU count, wall times are inflated)`);
if (values.json) process.stdout.write(JSON.stringify(results) + '\n');
