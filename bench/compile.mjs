// How long `followup check` and `followup compile` take on a large project (1,000 rules over 200
// events by default), in a fresh process (cold) and in a process that keeps its services (warm).
//
//   npm run build && npm run bench:compile
//   node bench/compile.mjs [--rules 1000] [--events 200] [--seed 1] [--cold 3] [--warm 5]
//                          [--dir <project>] [--keep] [--json] [--profile]
//
// See bench/README.md for what each number means.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runNode as runMeasured, table, printHeaderAndExit } from './measure.mjs';
import { generateProject } from './generate-project.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const cli = nodePath.join(repo, 'packages/cli/bin/followup.js');

const { values } = parseArgs({
    options: {
        rules: { type: 'string', default: '1000' },
        events: { type: 'string', default: '200' },
        seed: { type: 'string', default: '1' },
        cold: { type: 'string', default: '3' },
        warm: { type: 'string', default: '5' },
        dir: { type: 'string' },
        keep: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 8);
const coldRuns = Math.max(1, Number(values.cold));
const warmRuns = Math.max(1, Number(values.warm));

if (!fs.existsSync(nodePath.join(repo, 'packages/cli/dist/main.js')) || !fs.existsSync(nodePath.join(repo, 'packages/compiler/dist/index.js'))) {
    process.stderr.write('bench/compile: the packages are not built; run `npm run build` first.\n');
    process.exit(2);
}

const { loadProject, unloadProject, createFollowupServices } = await import('@followup/language');
const { compileOutput, writeCompiled } = await import('@followup/compiler');
const { NodeFileSystem } = await import('langium/node');
const { DocumentState } = await import('langium');

// ---------------------------------------------------------------- helpers

const min = xs => Math.min(...xs);
const ms = x => (x === undefined ? '—' : x >= 10000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const mib = kib => (kib === undefined ? '—' : `${(kib / 1024).toFixed(0)} MiB`);
const int = n => Math.round(n).toLocaleString('en-US');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };

/** Runs `node --import probe <args>` to its end: wall time from spawn to exit, its CPU time and peak RSS. */
const runNode = args => runMeasured(args, { cwd: repo });

// ---------------------------------------------------------------- the project

if (values.dir && fs.existsSync(values.dir) && fs.readdirSync(values.dir).length) {
    process.stderr.write(`bench/compile: ${values.dir} is not empty; give an empty or new folder\n`);
    process.exit(2);
}
const projectDir = values.dir ? nodePath.resolve(values.dir) : fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-project-'));
const outRoot = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-out-'));
const loadStart = os.loadavg()[0];
const genStart = performance.now();
const stats = generateProject(projectDir, { rules: Number(values.rules), events: Number(values.events), seed: Number(values.seed) });
const genTime = performance.now() - genStart;

log(`followup compile benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()} ${os.arch()}`);
log(`Project (seed ${values.seed}, generated in ${ms(genTime)}): ${projectDir}`);
log(`  ${stats.events} events, ${stats.recordTypes} record types, ${stats.messages} messages, ${stats.rules} rules ` +
    `(${stats.shortRules} short form, ${stats.chainedRules} chained)`);
log(`  ${stats.followupFiles} .followup files + ${stats.templateFiles} template files: ${int(stats.lines)} lines of source ` +
    `(${int(stats.followupLines)} in .followup files), ${(stats.bytes / 1024).toFixed(0)} KiB`);
log('');
log('No reference: /work/shared/PERFORMANCE.md has no compile-time reference, so these are absolute');
log('numbers for this machine, not ratios.');
log('');

try {
    // ------------------------------------------------------------ cold: a fresh node process per run
    const cold = { startup: [], check: [], compile: [], rss: { startup: [], check: [], compile: [] }, cpu: { startup: [], check: [], compile: [] } };
    const record = (kind, run) => { cold[kind].push(run.wall); cold.rss[kind].push(run.rss); cold.cpu[kind].push(run.cpu); };
    for (let i = 0; i < coldRuns; i++) {
        log(`cold run ${i + 1}/${coldRuns} ...`);
        const startup = await runNode([cli, '--version']);
        record('startup', startup);
        const check = await runNode([cli, 'check', projectDir]);
        if (!/No problems/.test(check.out)) throw new Error(`followup check reported problems:\n${check.out.slice(0, 3000)}`);
        record('check', check);
        const out = nodePath.join(outRoot, `cold-${i}`);
        const compile = await runNode([cli, 'compile', projectDir, '--out', out]);
        record('compile', compile);
        const plans = fs.readdirSync(out).filter(f => f.endsWith('.plan.json')).length;
        if (plans !== stats.rules || !fs.existsSync(nodePath.join(out, 'manifest.json'))) throw new Error(`compile wrote ${plans} plans, expected ${stats.rules} and a manifest`);
    }

    // ------------------------------------------------------------ warm: one process, services created once
    const phaseNames = ['read+parse', 'index', 'scopes', 'link', 'index refs', 'validate', 'collect'];
    const { Followup } = createFollowupServices(NodeFileSystem);
    const builder = Followup.shared.workspace.DocumentBuilder;
    let marks = [];
    for (const state of [DocumentState.Parsed, DocumentState.IndexedContent, DocumentState.ComputedScopes, DocumentState.Linked,
        DocumentState.IndexedReferences, DocumentState.Validated]) {
        builder.onBuildPhase(state, () => { marks.push(performance.now()); });
    }
    const warm = [];
    const warmOut = nodePath.join(outRoot, 'warm');
    for (let i = 0; i <= warmRuns; i++) {
        if (i > 0) log(`warm run ${i}/${warmRuns} ...`); else log('warm-up run (in-process, first) ...');
        marks = [];
        const c0 = cpuNow();
        const t0 = performance.now();
        const project = await loadProject([projectDir], Followup);
        const t1 = performance.now();
        const c1 = cpuNow();
        if (project.errorCount > 0 || project.warningCount > 0) {
            throw new Error(`loadProject found ${project.errorCount} error(s), ${project.warningCount} warning(s):\n` +
                project.diagnostics.slice(0, 10).map(d => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'));
        }
        const output = compileOutput(project);
        const rules = output.rules;
        const t2 = performance.now();
        writeCompiled(warmOut, output, 'postgres');
        const t3 = performance.now();
        const c3 = cpuNow();
        unloadProject(project);
        if (rules.length !== stats.rules) throw new Error(`compiled ${rules.length} rules, expected ${stats.rules}`);
        const points = [t0, ...marks.slice(0, 6), t1];
        warm.push({
            check: t1 - t0, compileProject: t2 - t1, write: t3 - t2, compile: t3 - t1, total: t3 - t0,
            checkCpu: c1 - c0, compileCpu: c3 - c1, totalCpu: c3 - c0,
            phases: marks.length === 6 ? phaseNames.map((_, k) => points[k + 1] - points[k]) : undefined,
        });
    }
    const first = warm[0];
    const runs = warm.slice(1);
    const pick = key => runs.map(r => r[key]);
    const selfRss = process.resourceUsage().maxRSS;

    // ------------------------------------------------------------ report
    const loadEnd = os.loadavg()[0];
    const rate = (n, t) => int(n / (t / 1000));
    log('');
    log(`Cold: a fresh \`node packages/cli/bin/followup.js ...\` process each time, ${coldRuns} run(s).`);
    log('Wall = spawn to exit; CPU = user + system time of the child (less than wall when the machine is busy).');
    const coldRow = (label, kind, withRate) => [label, ms(median(cold[kind])), ms(min(cold[kind])), ms(Math.max(...cold[kind])),
        ms(median(cold.cpu[kind].filter(x => x !== undefined))), mib(median(cold.rss[kind].filter(x => x !== undefined))),
        withRate ? rate(stats.rules, median(cold[kind])) : ''];
    log(table(['command', 'wall median', 'min', 'max', 'CPU median', 'peak RSS', 'rules/s (wall)'], [
        coldRow('followup --version (node start + module load)', 'startup', false),
        coldRow('followup check <project>', 'check', true),
        coldRow('followup compile <project> --out <dir>', 'compile', true),
    ]));
    log('');
    log('Warm: in this process, services created once; each run is loadProject → compileProject → writeCompiled,');
    log(`then unloadProject. ${warmRuns} run(s) after one warm-up run (shown as "first").`);
    const warmRow = (label, key, cpuKey, withRate) => [label, ms(median(pick(key))), ms(min(pick(key))),
        cpuKey ? ms(median(pick(cpuKey))) : '', ms(first[key]), withRate ? rate(stats.rules, median(pick(key))) : '',
        withRate ? rate(stats.lines, median(pick(key))) : ''];
    log(table(['step', 'wall median', 'min', 'CPU median', 'first', 'rules/s', 'lines/s'], [
        warmRow('check (loadProject: parse, link, validate, templates)', 'check', 'checkCpu', true),
        warmRow('compile (compileProject + writeCompiled)', 'compile', 'compileCpu', true),
        warmRow('  compileProject (IR, SQL, templates, plans)', 'compileProject', undefined, false),
        warmRow(`  writeCompiled (${int(stats.rules * 2 + 3)} files)`, 'write', undefined, false),
        warmRow('check + compile', 'total', 'totalCpu', true),
    ]));
    if (runs.every(r => r.phases)) {
        log('');
        log('Where check spends its time (warm; wall time per phase of the Langium build, median):');
        log(table(['phase', 'median', 'first'], phaseNames.map((name, k) => [name, ms(median(runs.map(r => r.phases[k]))), ms(first.phases[k])])));
    }
    log('');
    log(`Peak RSS: this process (warm runs) ${mib(selfRss)}; cold check ${mib(median(cold.rss.check))}, cold compile ${mib(median(cold.rss.compile))}.`);
    log(`Load average (1 min) at start ${loadStart.toFixed(2)}, at end ${loadEnd.toFixed(2)} on ${os.cpus().length} CPU(s)` +
        (Math.max(loadStart, loadEnd) > os.cpus().length * 0.75 ? ': the machine was busy, wall times are inflated; compare CPU times.' : '.'));
    if (values.keep) log(`Kept: project ${projectDir}, output ${outRoot}`);

    if (values.profile) {
        // One more cold compile under the V8 sampling profiler; the hot functions, ours first.
        const profDir = nodePath.join(outRoot, 'cpu-prof');
        await runNode(['--cpu-prof', '--cpu-prof-dir', profDir, cli, 'compile', projectDir, '--out', nodePath.join(outRoot, 'profiled')]);
        const file = fs.readdirSync(profDir).find(f => f.endsWith('.cpuprofile'));
        const profile = JSON.parse(fs.readFileSync(nodePath.join(profDir, file), 'utf8'));
        log('');
        log('CPU profile of one cold `followup compile` (node --cpu-prof):');
        log(summarizeProfile(profile, { top: 15 }));
        log('');
        log(summarizeProfile(profile, { top: 20, filter: 'packages/' }).split('\n').slice(1).join('\n'));
        if (values.keep) log(`Profile kept: ${nodePath.join(profDir, file)}`);
    }

    if (values.json) {
        process.stdout.write(JSON.stringify({
            node: process.version, cpus: os.cpus().length, project: stats,
            cold: { runs: coldRuns, startupMs: cold.startup, checkMs: cold.check, compileMs: cold.compile, cpuMs: cold.cpu, rssKiB: cold.rss },
            warm: { runs: warmRuns, first, samples: runs, phases: phaseNames },
            peakRssKiB: selfRss, loadAverage: { start: loadStart, end: loadEnd },
        }, null, 2) + '\n');
    }
} finally {
    if (!values.keep) {
        fs.rmSync(outRoot, { recursive: true, force: true });
        if (!values.dir) fs.rmSync(projectDir, { recursive: true, force: true });
    }
}
