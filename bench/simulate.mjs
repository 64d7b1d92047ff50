// `followup simulate` at scale: 30 simulated days over a store of 1,000,000 original cartAbandonment
// deliveries (as bench/run.mjs: spread over 50 days, so ~20,000 become due each day; 35% opened), on
// PostgreSQL 15 (and PGlite, smaller). The mission rule replays every day at 00:00 UTC: select, the
// not-sent reasons query, decide, render, record, dispatch into a counting transport, all inside one
// transaction rolled back at the end; the store is checked unchanged afterwards.
//
//   npm run build && npm run bench:simulate
//   node bench/simulate.mjs [--deliveries 1000000] [--pglite-deliveries 100000] [--days 30]
//                           [--engines postgres,pglite] [--rules mission|all] [--json]
//
// See bench/README.md for what each number means.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedCarts, startPostgres } from './cart-store.mjs';
import { printHeaderAndExit, requireBuilt } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const { values } = parseArgs({
    options: {
        deliveries: { type: 'string', default: '1000000' },
        'pglite-deliveries': { type: 'string', default: '100000' },
        days: { type: 'string', default: '30' },
        engines: { type: 'string', default: 'postgres,pglite' },
        rules: { type: 'string', default: 'mission' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 11);
requireBuilt('simulate');

const { loadProject } = await import('@followup/language');
const { compilePlans, lowerProject, notSentQuery, getDialect } = await import('@followup/compiler');
const { openStore, simulate, storeTables } = await import('@followup/runtime');

const int = n => Math.round(n).toLocaleString('en-US');
const secs = ms => `${(ms / 1000).toFixed(1)} s`;
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const DAY = 86_400_000;
const NOW = new Date('2026-11-22T00:00:00Z');
const DAYS = Number(values.days);
const MISSION = 'cartAbandonment_followup_email';

const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-simulate-'));
const project = await loadProject([nodePath.join(repo, 'examples/cart-abandonment')]);
const allPlans = compilePlans(project);
const plans = values.rules === 'all' ? allPlans : allPlans.filter(p => p.rule === MISSION);
const notSent = Object.fromEntries(lowerProject(project).map(ir => [ir.rule, notSentQuery(ir, getDialect('postgres'))]));

async function rowCounts(store) {
    const out = {};
    for (const table of storeTables) out[table] = (await store.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    return out;
}

async function benchEngine(engine, n) {
    log(`\n=== ${engine}: ${int(n)} original deliveries, ${DAYS} simulated days, rules: ${plans.map(p => p.rule).join(', ')} ===`);
    const server = engine === 'postgres' ? await startPostgres() : undefined;
    const target = server ? server.url : nodePath.join(temp, 'pglite');
    const store = await openStore(target);
    try {
        const seeded = await seedCarts(store, n, {
            now: NOW,
            onProgress: (done, s) => { if (!values.json) process.stdout.write(`\r  loaded ${int(done)} / ${int(n)} deliveries (${int(done / s)}/s)   `); },
        });
        log(`\n  loaded in ${secs(seeded.loadMs)}, ANALYZE ${secs(seeded.analyzeMs)}`);
        const before = await rowCounts(store);
        const from = new Date(NOW.getTime() - DAYS * DAY);
        let lastDay = performance.now();
        const dayTimes = [];
        const t = performance.now();
        const report = await simulate(store, plans, {
            from, to: NOW, notSent,
            onProgress: (done, total) => {
                const at = performance.now();
                dayTimes.push(at - lastDay);
                lastDay = at;
                if (!values.json) process.stdout.write(`\r  simulated ${done} / ${total} runs (${secs(at - t)})   `);
            },
        });
        const ms = performance.now() - t;
        const after = await rowCounts(store);
        const unchanged = JSON.stringify(before) === JSON.stringify(after);
        const tot = report.total;
        log('');
        log(`  ${DAYS} days simulated in ${secs(ms)} (${secs(ms / DAYS)} a day; slowest run ${secs(Math.max(...dayTimes))}), ${report.instants} runs`);
        log(`  due ${int(tot.due)}: would send ${int(tot.wouldSend)}, not selected (conditions) ${int(tot.conditions)}, since ${int(tot.since)}, ` +
            `suppressed ${int(tot.suppressed)}, expired ${int(tot.expired)}, capped ${int(tot.capped)}, held ${int(tot.held)}, stopped ${int(tot.stopped)}`);
        log(`  = ${int(tot.due / (ms / 1000))} due deliveries/s decided, ${int(tot.wouldSend / (ms / 1000))} follow-ups/s rendered, recorded and dispatched (then rolled back)`);
        log(`  the store afterwards: ${unchanged ? 'unchanged' : 'CHANGED'} (row counts of every table: ${int(Object.values(after).reduce((a, b) => a + b, 0))} rows)`);
        return { engine, deliveries: n, days: DAYS, ms, perDayMs: ms / DAYS, runs: report.instants, total: tot, unchanged, loadMs: seeded.loadMs };
    } finally {
        await store.close();
        await server?.stop();
    }
}

const loadStart = os.loadavg()[0];
log(`followup simulate benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadStart.toFixed(2)}`);
const results = [];
try {
    for (const engine of values.engines.split(',').map(e => e.trim()).filter(Boolean)) {
        results.push(await benchEngine(engine, Number(engine === 'pglite' ? values['pglite-deliveries'] : values.deliveries)));
    }
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
const loadEnd = os.loadavg()[0];
log(`\nThere is no reference for simulate in PERFORMANCE.md: the numbers are absolute. Load average at start ${loadStart.toFixed(2)}, ` +
    `at end ${loadEnd.toFixed(2)} on ${os.cpus().length} CPU(s)${Math.max(loadStart, loadEnd) > os.cpus().length * 0.75 ? ': the machine was busy, times are inflated.' : '.'}`);
if (values.json) process.stdout.write(JSON.stringify({ node: process.version, results, loadAverage: { start: loadStart, end: loadEnd } }, null, 2) + '\n');
