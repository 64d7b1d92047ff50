// How long `followup test` takes: N scenario tests (default 50: the cart-abandonment example's tests,
// repeated under other names) in a fresh process, against the target of issue 13 (50 scenarios in
// under 10 s on two cores); and, in this process, where the time goes.
//
//   npm run build && npm run bench:test
//   node bench/scenarios.mjs [--tests 50] [--cold 3] [--keep] [--json]
//
// See bench/README.md for what each number means.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printHeaderAndExit } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const cli = nodePath.join(repo, 'packages/cli/bin/followup.js');
const probe = nodePath.join(here, 'rss-probe.mjs');
const TARGET_MS = 10_000;
const TARGET_TESTS = 50;

const { values } = parseArgs({
    options: {
        tests: { type: 'string', default: String(TARGET_TESTS) },
        cold: { type: 'string', default: '3' },
        keep: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 8);
if (!fs.existsSync(nodePath.join(repo, 'packages/cli/dist/main.js'))) {
    process.stderr.write('bench/scenarios: the packages are not built; run `npm run build` first.\n');
    process.exit(2);
}
const N = Math.max(1, Number(values.tests));
const coldRuns = Math.max(1, Number(values.cold));

const { loadProject } = await import('@followup/language');
const { compilePlans, lowerTests } = await import('@followup/compiler');
const { openScenarioStore, runScenario } = await import('@followup/runtime');
const { projectSchemas } = await import(nodePath.join(repo, 'packages/cli/dist/project-schemas.js'));

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const secs = ms => `${(ms / 1000).toFixed(2)} s`;
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const load = () => os.loadavg()[0].toFixed(2);

// ---------------------------------------------------------------- the project: the example, its tests N times

const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-test-'));
const project = nodePath.join(temp, 'project');
const example = nodePath.join(repo, 'examples/cart-abandonment');
fs.cpSync(example, project, { recursive: true, filter: from => !nodePath.relative(example, from).split(nodePath.sep).includes('.followup') });
const source = fs.readFileSync(nodePath.join(example, 'tests.followup'), 'utf8');
const blocks = source.split(/^(?=test ")/m).slice(1); // each test, with the comment of the next one

let generated = '';
for (let i = 0; i < N; i++) generated += blocks[i % blocks.length].replace(/^test "/, `test "#${i + 1} `) + '\n';
fs.writeFileSync(nodePath.join(project, 'tests.followup'), generated);
log(`bench/scenarios: ${N} tests (the ${blocks.length} of examples/cart-abandonment/tests.followup, repeated) in ${project}`);
log(`load average at start: ${load()} (${os.cpus().length} CPUs)\n`);

// ---------------------------------------------------------------- cold: `followup test` as a user runs it

function runCli(env = {}) {
    return new Promise((resolve, reject) => {
        const usageFile = nodePath.join(temp, `usage-${Date.now()}-${Math.random()}.json`);
        const started = performance.now();
        const child = spawn(process.execPath, ['--import', probe, cli, 'test', project, '--json'], {
            env: { ...process.env, NO_COLOR: '1', FOLLOWUP_BENCH_RSS_FILE: usageFile, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (err += d));
        child.on('error', reject);
        child.on('close', code => {
            const wallMs = performance.now() - started;
            let usage = {};
            try { usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')); } catch { /* unknown */ }
            if (code !== 0) return reject(new Error(`followup test exited ${code}:\n${out}\n${err}`));
            const report = JSON.parse(out);
            if (report.passed !== N || report.failed !== 0) return reject(new Error(`expected ${N} passed, got ${report.passed} passed, ${report.failed} failed`));
            resolve({ wallMs, cpuMs: usage.cpuMs, maxRssKiB: usage.maxRssKiB, testsMs: report.tests.reduce((s, t) => s + t.durationMs, 0) });
        });
    });
}

// The first `followup test` of a machine creates the store's template (initdb + migrations) and dumps it.
const firstEver = await runCli({ TMPDIR: fs.mkdtempSync(nodePath.join(temp, 'tmp-')) });
const cold = [];
for (let i = 0; i < coldRuns; i++) cold.push(await runCli());

// ---------------------------------------------------------------- in this process: where the time goes

let t = performance.now();
const loaded = await loadProject([project]);
const loadMs = performance.now() - t;
t = performance.now();
const plans = compilePlans(loaded);
const scenarios = lowerTests(loaded);
const schemas = projectSchemas(loaded);
const compileMs = performance.now() - t;
t = performance.now();
const { store, origin } = await openScenarioStore();
const openMs = performance.now() - t;
const passes = [];
for (let pass = 0; pass < 2; pass++) {
    const each = [];
    const started = performance.now();
    for (const scenario of scenarios) {
        const result = await runScenario(store, plans, scenario, { schemas });
        if (!result.passed) throw new Error(`${scenario.name} failed: ${JSON.stringify(result.failures)}`);
        each.push(result.durationMs);
    }
    passes.push({ totalMs: performance.now() - started, medianMs: median(each), maxMs: Math.max(...each) });
}
await store.close();

// ---------------------------------------------------------------- report

const wall = cold.map(c => c.wallMs);
const result = {
    tests: N,
    target: { tests: TARGET_TESTS, ms: TARGET_MS },
    cold: { medianWallMs: median(wall), minWallMs: Math.min(...wall), maxWallMs: Math.max(...wall), medianCpuMs: median(cold.map(c => c.cpuMs ?? NaN)), maxRssKiB: Math.max(...cold.map(c => c.maxRssKiB ?? 0)), runs: cold },
    firstEver,
    inProcess: { loadMs, compileMs, openMs, storeOrigin: origin, firstPass: passes[0], secondPass: passes[1] },
    loadAverage: { end: Number(load()) },
};
if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
    const scaled = result.cold.medianWallMs * (TARGET_TESTS / N);
    log(`followup test, ${N} tests, fresh process (${coldRuns} runs):`);
    log(`  wall  median ${secs(result.cold.medianWallMs)} (min ${secs(result.cold.minWallMs)}, max ${secs(result.cold.maxWallMs)})`);
    log(`  CPU   median ${secs(result.cold.medianCpuMs)} (user + system; peak RSS ${(result.cold.maxRssKiB / 1024).toFixed(0)} MiB)`);
    log(`  target: ${TARGET_TESTS} tests in under ${secs(TARGET_MS)}: ${secs(scaled)} for ${TARGET_TESTS} = ${(scaled / TARGET_MS).toFixed(2)} × the target ` +
        `(${scaled <= TARGET_MS ? 'met' : 'NOT met'}; by CPU time ${(result.cold.medianCpuMs * (TARGET_TESTS / N) / TARGET_MS).toFixed(2)} ×)`);
    log(`  the first run on a machine (creates and dumps the store's template): ${secs(firstEver.wallMs)} wall, ${secs(firstEver.cpuMs)} CPU`);
    log('');
    log('in one process (the time of a `followup test --watch` rerun, or the editor\'s "Run all tests"):');
    log(`  load + check the project     ${secs(loadMs)}`);
    log(`  compile rules, lower tests   ${secs(compileMs)}`);
    log(`  open the store (${origin})  ${secs(openMs)}`);
    log(`  ${N} tests, first pass         ${secs(passes[0].totalMs)} (median ${passes[0].medianMs.toFixed(0)} ms, max ${passes[0].maxMs.toFixed(0)} ms a test)`);
    log(`  ${N} tests, second pass        ${secs(passes[1].totalMs)} (median ${passes[1].medianMs.toFixed(0)} ms, max ${passes[1].maxMs.toFixed(0)} ms a test)`);
    log(`\nload average at end: ${load()}: above ${os.cpus().length}, the machine is shared and wall times are inflated; CPU times are the better guide.`);
}
if (!values.keep) fs.rmSync(temp, { recursive: true, force: true });
else log(`kept ${temp}`);
