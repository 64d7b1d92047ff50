// One rule's run (select + decide + render + record: runRules), timed in a fresh process that opens
// the store as `followup run` does: with the WebAssembly tiering budget the CLI gives `run` on that
// store (packages/cli/src/wasm-tiering.ts; PGlite only), and nothing else executed before it in the
// process. bench/run.mjs starts it after seeding the store, so what the seeding process executed
// (two million rows generated, VACUUM, EXPLAINs) does not weigh on the figure; run in the seeding
// process, PGlite recorded a fifth slower (bench/README.md).
//
//   node bench/record-run.mjs <store folder or postgres:// URL> <plans.json> <rule> <now> <watermark> [repeats]
//
// Before each run it deletes what the previous one recorded (outbox, decisions, follow-up deliveries,
// runs) and vacuums those tables, as the bench always did; prints one JSON line:
// { runs: [{ ms, queued, perSecond }], contentBytes }.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTieringBudgetForStore } from '../packages/cli/dist/wasm-tiering.js';

const [target, plansFile, rule, now, watermark, repeats = '5'] = process.argv.slice(2);
if (!watermark) {
    process.stderr.write('usage: node bench/record-run.mjs <store> <plans.json> <rule> <now> <watermark> [repeats]\n');
    process.exit(2);
}
const server = /^postgres(ql)?:\/\//.test(target);
if (!server) setTieringBudgetForStore(target);
const { openStore, runRules } = await import('@followup/runtime');
const plans = JSON.parse(fs.readFileSync(plansFile, 'utf8'));
const store = await openStore(target);
const runs = [];
try {
    for (let i = 0; i < Number(repeats); i++) {
        await store.exec('DELETE FROM outbox WHERE rule IS NOT NULL; DELETE FROM decisions; DELETE FROM deliveries WHERE rule IS NOT NULL; DELETE FROM runs');
        await store.exec('VACUUM ANALYZE decisions, deliveries, outbox');
        await store.query('INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2) ON CONFLICT (rule) DO UPDATE SET watermark = EXCLUDED.watermark', [rule, watermark]);
        const t0 = performance.now();
        const report = await runRules(store, plans, { now: new Date(now), onlyRule: rule });
        const ms = performance.now() - t0;
        runs.push({ ms, queued: report.total.queued, perSecond: report.total.queued / (ms / 1000) });
    }
    const { rows: [size] } = await store.query('SELECT avg(length(content::text))::int AS bytes FROM outbox');
    process.stdout.write(`${JSON.stringify({ runs, contentBytes: size.bytes })}\n`);
} finally {
    await store.close();
}
