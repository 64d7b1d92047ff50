// `followup run` on the imported demo store (or, with `--command import`, `followup import` of the demo
// history into a new store; with `--command check`, `followup check` of the example), two or more
// builds of the CLI in turns: the way to tell a change of a few
// percent from the machine's drift, which moves bench/startup.mjs's separate runs by as much (each round
// runs `node -e 0` and then every build once, so a slower minute falls on all alike).
//
//   node bench/startup-ab.mjs [--runs 11] [--command run|import|check] <bin> [<bin> ...]
//   e.g. git worktree add /tmp/before <commit> (build its bundle there), then
//        node bench/startup-ab.mjs /tmp/before/packages/cli/bin/followup.js packages/cli/bin/followup.js
//
// Each build gets its own copy of the example (its own plan cache, as at a second start) and its own
// demo store, imported by that build (a build never migrates another's store inside the measure); each
// run works on a fresh copy of it. The demo history is bench/startup.mjs's: the example's hand-written
// carts. Prints the median CPU (user + system) of each, its ratio to `node -e 0`, its median peak RSS,
// and every run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, printHeaderAndExit, runNode, table } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '11' }, command: { type: 'string', default: 'run' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || positionals.length === 0) printHeaderAndExit(import.meta.url, 12);
if (!['run', 'import', 'check'].includes(values.command)) { process.stderr.write(`bench/startup-ab: --command takes run, import or check, not '${values.command}'\n`); process.exit(2); }
const RUNS = Math.max(1, Number(values.runs));
const NOW = '2026-11-23T10:00:00Z';
const bins = positionals.map((b) => nodePath.resolve(b));
for (const bin of bins) if (!fs.existsSync(bin)) { process.stderr.write(`bench/startup-ab: ${bin} does not exist\n`); process.exit(2); }

const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-startup-ab-'));
const example = nodePath.join(repo, 'examples/cart-abandonment');
const history = nodePath.join(temp, 'demo-history.jsonl');
fs.writeFileSync(history, fs.readFileSync(nodePath.join(example, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !/-s\d/.test(l)).join('\n') + '\n');
const load = os.loadavg();
try {
    const builds = [];
    for (const [i, bin] of bins.entries()) {
        const project = nodePath.join(temp, `project-${i}`);
        fs.cpSync(example, project, { recursive: true, filter: (from) => nodePath.relative(example, from).split(nodePath.sep)[0] !== '.followup' });
        const store = nodePath.join(temp, `demo-store-${i}`);
        await runNode([bin, 'import', history, '--project', project, '--db', store], { cwd: temp });
        builds.push({ label: nodePath.relative(process.cwd(), bin), bin, project, store, cpu: [], rss: [] });
    }
    const node = [];
    for (let round = 0; round <= RUNS; round++) { // round 0 warms the file cache and the plan caches
        const cpu = (await runNode(['-e', '0'], { cwd: temp })).cpu;
        if (round > 0) node.push(cpu);
        for (const b of builds) {
            const copy = nodePath.join(temp, 'run-store');
            fs.rmSync(copy, { recursive: true, force: true });
            let ran;
            if (values.command === 'check') {
                ran = await runNode([b.bin, 'check', b.project], { cwd: temp });
                if (!/^No problems in /m.test(ran.out)) throw new Error(`${b.label}: check printed no summary:\n${ran.out}\n${ran.err}`);
            } else if (values.command === 'import') {
                ran = await runNode([b.bin, 'import', history, '--project', b.project, '--db', copy], { cwd: temp });
                if (!/^Imported /m.test(ran.out)) throw new Error(`${b.label}: import printed no summary:\n${ran.out}\n${ran.err}`);
            } else {
                fs.rmSync(nodePath.join(b.project, '.followup/outbox'), { recursive: true, force: true });
                fs.cpSync(b.store, copy, { recursive: true });
                ran = await runNode([b.bin, 'run', b.project, '--db', copy, '--now', NOW], { cwd: temp });
                if (!/Ran \d+ rules/.test(ran.out)) throw new Error(`${b.label}: run printed no summary:\n${ran.out}\n${ran.err}`);
            }
            if (round > 0) { b.cpu.push(ran.cpu); b.rss.push(ran.rss); }
        }
        process.stdout.write(`\r  round ${round}/${RUNS}${round === 0 ? ' (warm-up)' : ''}   `);
    }
    const base = median(node);
    const ms = (x) => `${Math.round(x)} ms`;
    const what = { import: 'followup import of the demo history into a new store', run: 'followup run on the demo store', check: 'followup check of the example' }[values.command];
    process.stdout.write(`\n${what}, ${RUNS} rounds in turns (load ${load.map((l) => l.toFixed(2)).join(', ')} → ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}):\n`);
    process.stdout.write(table(['build', 'CPU (median)', 'ratio to node -e 0', 'peak RSS', 'every run'], [
        ['node -e 0', ms(base), '1.00×', '', node.map(Math.round).sort((a, b) => a - b).join(' ')],
        ...builds.map((b) => [b.label, ms(median(b.cpu)), `${(median(b.cpu) / base).toFixed(2)}×`, `${(median(b.rss) / 1024).toFixed(0)} MiB`, b.cpu.map(Math.round).sort((x, y) => x - y).join(' ')]),
    ]) + '\n');
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
