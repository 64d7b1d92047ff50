// How fast the `followup` commands start: CPU seconds of a fresh process, as ratios to `node -e 0`
// measured in the same run (issue 14's targets).
//   --version                                      ≤ 3×
//   check <the cart-abandonment example>           ≤ 6×
//   run <example> on the imported demo store       ≤ 10×   (a copy of the store per run: each run does the work;
//                                                           the project's plan cache is warm, as at a second start)
//   run <example>, sources changed                 (no target: the plan cache turned off, Langium compiles)
//   run --plans <the compiled example>, the same   (no target: what the plan boundary saves)
//   run <example>, PGlite compiled                 (no target: FOLLOWUP_CODE_CACHE=off, what PGlite's code cache saves)
//   import <the demo history> into a new store     ≤ 15×   (and again with the plan cache turned off)
//   and, as the floor under run and import, a process that only opens the demo store in PGlite (its ES
//   modules without a code cache, as a library user loads them; with the WebAssembly flags the CLI gives
//   a command on that store, and with V8's defaults) (bench/pglite-open.mjs)
//
// The demo history is the hand-written part of examples/cart-abandonment/history.jsonl: its 38 carts
// (139 records; the generated carts `cart-s…` that the report needs are left out), so that `run` and
// `import` measure starting, not the work of 5,000 records and 2,000 follow-ups (bench/run.mjs does).
//
//   npm run build && node bench/startup.mjs
//   node bench/startup.mjs [--runs 5] [--bin packages/cli/bin/followup.js] [--json]
//
// The commands are run in turns (node -e 0, --version, check, import, run, then again), so that a
// change of the machine's load falls on all of them alike. CPU = user + system time of the child
// (process.resourceUsage() at exit, through bench/rss-probe.mjs); wall = spawn to exit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runNode, table, printHeaderAndExit } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const { values } = parseArgs({
    options: {
        runs: { type: 'string', default: '5' },
        bin: { type: 'string', default: 'packages/cli/bin/followup.js' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 14);
const RUNS = Math.max(1, Number(values.runs));
const bin = nodePath.resolve(repo, values.bin);
if (!fs.existsSync(bin)) {
    process.stderr.write(`bench/startup: ${bin} does not exist (npm run build first)\n`);
    process.exit(2);
}
const ms = x => `${x.toFixed(0)} ms`;
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const run = (args, cwd, env = {}) => runNode(args, { cwd, env: { FOLLOWUP_DB: '', FOLLOWUP_NOW: '', ...env } });
// The project's plan cache (.followup/cache, kept by the warm-up round) is what a second start uses;
// the "compiled" rows turn it off: a start after the sources changed.
const compiling = { FOLLOWUP_PLAN_CACHE: 'off' };

const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-startup-'));
const example = nodePath.join(repo, 'examples/cart-abandonment');
const project = nodePath.join(temp, 'project');
fs.cpSync(example, project, { recursive: true, filter: from => nodePath.relative(example, from).split(nodePath.sep)[0] !== '.followup' });
const history = nodePath.join(temp, 'demo-history.jsonl');
const handWritten = fs.readFileSync(nodePath.join(example, 'history.jsonl'), 'utf8').split('\n').filter(l => l.trim() !== '' && !/-s\d/.test(l));
fs.writeFileSync(history, handWritten.join('\n') + '\n');
const compiled = nodePath.join(temp, 'build');
const NOW = '2026-11-23T10:00:00Z';
const demoStore = nodePath.join(temp, 'demo-store');

const loadStart = os.loadavg();
log(`followup start-up benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ${bin === nodePath.join(repo, 'packages/cli/bin/followup.js') ? 'the built CLI' : nodePath.relative(repo, bin)}`);
log(`Load average at start: ${loadStart.map(l => l.toFixed(2)).join(', ')}`);
try {
    // The demo store, imported once (not measured): every measured run copies it.
    await run([bin, 'import', history, '--project', project, '--db', demoStore], temp);
    await run([bin, 'compile', project, '--out', compiled], temp);
    log(`Demo history: ${handWritten.length} records (the example's hand-written carts).`);

    const measures = {
        node: { label: 'node -e 0', target: undefined, runs: [] },
        version: { label: 'followup --version', target: 3, runs: [] },
        check: { label: 'followup check <example>', target: 6, runs: [] },
        run: { label: 'followup run <example> (imported demo store)', target: 10, runs: [] },
        runCompiling: { label: 'followup run <example>, sources changed (no plan cache)', target: undefined, runs: [] },
        runPlans: { label: 'followup run --plans <compiled example>, same store', target: undefined, runs: [] },
        runNoCodeCache: { label: 'followup run <example>, PGlite compiled (no code cache)', target: undefined, runs: [] },
        import: { label: 'followup import <demo history> (new store)', target: 15, runs: [] },
        importCompiling: { label: 'followup import, sources changed (no plan cache)', target: undefined, runs: [] },
        // Not a command: what opening the embedded store costs by itself, under `run` and `import`.
        pgliteOpen: { label: 'floor: open the demo store in PGlite, SELECT 1 (the CLI\'s WebAssembly flags)', target: undefined, runs: [] },
        pgliteOpenDefault: { label: 'floor, with V8\'s default WebAssembly flags', target: undefined, runs: [] },
    };
    for (let round = 0; round < RUNS + 1; round++) { // round 0 warms the file cache and is not counted
        const take = (key, result) => { if (round > 0) measures[key].runs.push(result); };
        take('node', await run(['-e', '0'], temp));
        take('version', await run([bin, '--version'], temp));
        take('check', await run([bin, 'check', project], temp));
        const newStore = nodePath.join(temp, `new-store-${round}`);
        take('import', await run([bin, 'import', history, '--project', project, '--db', newStore], temp));
        fs.rmSync(newStore, { recursive: true, force: true });
        take('importCompiling', await run([bin, 'import', history, '--project', project, '--db', newStore], temp, compiling));
        fs.rmSync(newStore, { recursive: true, force: true });
        const runStore = nodePath.join(temp, `run-store-${round}`);
        fs.cpSync(demoStore, runStore, { recursive: true });
        const outbox = nodePath.join(project, '.followup/outbox');
        fs.rmSync(outbox, { recursive: true, force: true });
        const ran = await run([bin, 'run', project, '--db', runStore, '--now', NOW], temp);
        if (!/Ran \d+ rules/.test(ran.out)) throw new Error(`followup run printed no summary:\n${ran.out}\n${ran.err}`);
        take('run', ran);
        fs.rmSync(runStore, { recursive: true, force: true });
        fs.cpSync(demoStore, runStore, { recursive: true });
        fs.rmSync(outbox, { recursive: true, force: true });
        const ranCompiling = await run([bin, 'run', project, '--db', runStore, '--now', NOW], temp, compiling);
        if (!/Ran \d+ rules/.test(ranCompiling.out)) throw new Error(`followup run printed no summary:\n${ranCompiling.out}\n${ranCompiling.err}`);
        take('runCompiling', ranCompiling);
        fs.rmSync(runStore, { recursive: true, force: true });
        fs.cpSync(demoStore, runStore, { recursive: true });
        const ranPlans = await run([bin, 'run', project, '--plans', compiled, '--db', runStore, '--now', NOW], temp);
        if (!/Ran \d+ rules/.test(ranPlans.out)) throw new Error(`followup run --plans printed no summary:\n${ranPlans.out}\n${ranPlans.err}`);
        take('runPlans', ranPlans);
        fs.rmSync(runStore, { recursive: true, force: true });
        fs.cpSync(demoStore, runStore, { recursive: true });
        fs.rmSync(outbox, { recursive: true, force: true });
        const ranNoCodeCache = await run([bin, 'run', project, '--db', runStore, '--now', NOW], temp, { FOLLOWUP_CODE_CACHE: 'off' });
        if (!/Ran \d+ rules/.test(ranNoCodeCache.out)) throw new Error(`followup run printed no summary:\n${ranNoCodeCache.out}\n${ranNoCodeCache.err}`);
        take('runNoCodeCache', ranNoCodeCache);
        fs.rmSync(runStore, { recursive: true, force: true });
        fs.cpSync(demoStore, runStore, { recursive: true });
        take('pgliteOpen', await run([nodePath.join(here, 'pglite-open.mjs'), runStore], temp));
        take('pgliteOpenDefault', await run([nodePath.join(here, 'pglite-open.mjs'), runStore, '--default-tiering'], temp));
        fs.rmSync(runStore, { recursive: true, force: true });
        if (!values.json) process.stdout.write(`\r  round ${round}/${RUNS}${round === 0 ? ' (warm-up)' : ''}   `);
    }
    log('');
    const base = median(measures.node.runs.map(r => r.cpu));
    const rows = [];
    const summary = {};
    for (const [key, m] of Object.entries(measures)) {
        const cpu = median(m.runs.map(r => r.cpu));
        const wall = median(m.runs.map(r => r.wall));
        const rss = median(m.runs.map(r => r.rss));
        const ratio = cpu / base;
        summary[key] = { cpuMs: cpu, wallMs: wall, rssKiB: rss, ratio, target: m.target, cpuRuns: m.runs.map(r => r.cpu), wallRuns: m.runs.map(r => r.wall) };
        rows.push([m.label, ms(cpu), ms(wall), `${(rss / 1024).toFixed(0)} MiB`, key === 'node' ? '1.0×' : `${ratio.toFixed(1)}×`,
            m.target ? `≤ ${m.target}×` : '', m.target ? (ratio <= m.target ? 'met' : 'NOT met') : '']);
    }
    log(`Median of ${RUNS} runs each (CPU = user + system of the child; ratio = CPU / CPU of node -e 0, same run):`);
    log(table(['command', 'CPU', 'wall', 'peak RSS', 'ratio', 'target', ''], rows));
    const loadEnd = os.loadavg();
    log(`Load average at end: ${loadEnd.map(l => l.toFixed(2)).join(', ')} on ${os.cpus().length} CPU(s)` +
        (Math.max(loadStart[0], loadEnd[0]) > os.cpus().length * 0.75 ? ': the machine was busy, wall times are inflated; compare CPU ratios.' : '.'));
    if (values.json) process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, runs: RUNS, loadAverage: { start: loadStart, end: loadEnd }, results: summary }, null, 2) + '\n');
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
