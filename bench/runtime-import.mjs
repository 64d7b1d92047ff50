// How long importing the built runtime takes in a fresh node: `await import('@followup/runtime')`
// timed with performance.now() inside the child, median of --runs processes. What `followup run` and
// `serve` pay before their first statement, and what loading Langium and Chevrotain used to add.
//
//   npm run build && node bench/runtime-import.mjs
//   node bench/runtime-import.mjs [--runs 5] [--entry <dist/index.js> ...] [--json]
//
// Several --entry (another checkout's packages/runtime/dist/index.js, say) are run in turns, so that
// a change of the machine's load falls on all of them alike.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median, table } from './measure.mjs';

const repo = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
    options: {
        runs: { type: 'string', default: '5' },
        entry: { type: 'string', multiple: true, default: [nodePath.join(repo, 'packages/runtime/dist/index.js')] },
        json: { type: 'boolean', default: false },
    },
});

const runs = Number(values.runs);
const entries = values.entry.map(e => nodePath.resolve(e));
const loadStart = os.loadavg();

/** Milliseconds of `await import(entry)` in a fresh process. */
function importTime(entry) {
    const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(entry).href)}); console.log(performance.now() - t);`;
    return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

const samples = new Map(entries.map(e => [e, []]));
for (let i = 0; i < runs; i++) for (const entry of entries) samples.get(entry).push(importTime(entry));
const loadEnd = os.loadavg();

if (values.json) {
    console.log(JSON.stringify({ runs, loadStart, loadEnd, cpus: os.cpus().length, samples: Object.fromEntries(samples) }, null, 2));
} else {
    const ms = x => x.toFixed(0);
    console.log(table(['entry', 'median ms', 'min', 'max'], [...samples].map(([entry, xs]) => [
        nodePath.relative(process.cwd(), entry), ms(median(xs)), ms(Math.min(...xs)), ms(Math.max(...xs)),
    ])));
    console.log(`\n${runs} runs each, node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadStart.map(l => l.toFixed(2)).join(' ')} at start, ${loadEnd.map(l => l.toFixed(2)).join(' ')} at end`);
}
