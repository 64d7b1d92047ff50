// The editor's latencies on a large workspace: the built language server (`followup lsp --stdio`)
// as VS Code runs it, over LSP JSON-RPC on stdio, on a generated workspace of 200 files / ~20,000
// lines (generate-workspace.mjs). Measures, with one rules file open:
//
// - diagnostics: from a didChange to the publishDiagnostics for that file (the edit alternately adds
//   and removes an unknown field, so each result is checked: 1 error, then none);
// - completion and hover: the round trip of a request (positions cycle over conditions, `when`,
//   `send` and field names of the open file).
//
// Median and p95 of --iterations each (default 100), against the targets: p95 under 100 ms for
// completion and hover, under 300 ms for diagnostics after an edit.
//
//   npm run build && npm run bench:lsp
//   node bench/lsp/run.mjs [--iterations 100] [--files 200] [--dir <empty folder>] [--keep] [--json]
//                          [--profile] [--requests-only]   (a CPU profile of the server; without the edits)
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node.js';
import { generateWorkspace } from './generate-workspace.mjs';

const repo = nodePath.resolve(fileURLToPath(import.meta.url), '../../..');
const targets = { diagnostics: 300, completion: 100, hover: 100 };

const { values } = parseArgs({
    options: {
        iterations: { type: 'string', default: '100' }, files: { type: 'string', default: '200' }, dir: { type: 'string' },
        keep: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false },
        'requests-only': { type: 'boolean', default: false },
    },
});
const iterations = Number(values.iterations);
const log = (...a) => { if (!values.json) console.log(...a); };

// ------------------------------------------------------------------ the workspace

const dir = values.dir ? nodePath.resolve(values.dir) : fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-lsp-'));
const stats = generateWorkspace(dir, { files: Number(values.files) });
log(`Workspace ${dir}: ${stats.files} .followup files, ${stats.lines} lines (${stats.events} events, ${stats.messages} messages, ${stats.rules} rules), ${stats.templateFiles} template files`);

function followupFiles(folder, out = []) {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const full = nodePath.join(folder, entry.name);
        if (entry.isDirectory()) followupFiles(full, out);
        else if (entry.name.endsWith('.followup')) out.push(full);
    }
    return out;
}
const allFiles = followupFiles(dir);
// The open file: the largest rules file (the most conditions to complete and hover in).
const target = allFiles.filter(f => f.includes(`${nodePath.sep}rules${nodePath.sep}`)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
const targetUri = pathToFileURL(target).toString();
const original = fs.readFileSync(target, 'utf8');
// The edit: an unknown field in the first long rule's conditions (FU101), then back.
const broken = original.replace(/\n {2}then send/, '\n   and benchUnknownField = 1\n  then send');
if (broken === original) throw new Error(`no long rule in ${target}`);

// ------------------------------------------------------------------ the server

const serverArgs = [...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', nodePath.join(dir, '.profile')] : []), nodePath.join(repo, 'packages/cli/bin/followup.js'), 'lsp', '--stdio'];
const server = spawn(process.execPath, serverArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
let serverErrors = '';
server.stderr.on('data', d => { serverErrors += d; });
const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
const published = [];
const waiters = [];
connection.onNotification('textDocument/publishDiagnostics', p => {
    const entry = { at: performance.now(), uri: p.uri, count: p.diagnostics.filter(d => d.severity === 1).length };
    published.push(entry);
    for (const w of [...waiters]) if (w.match(entry)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(entry); }
});
connection.listen();

function nextPublish(match, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => { if (waiters.includes(waiter)) { waiters.splice(waiters.indexOf(waiter), 1); reject(new Error('timed out waiting for diagnostics')); } }, timeoutMs);
    });
}
const sleep = ms => new Promise(r => setTimeout(r, ms));
/** Until no diagnostics arrived for `ms` (a rebuild of the files that depend on an edit has finished). */
async function quiet(ms = 150) {
    for (;;) {
        const last = published[published.length - 1]?.at ?? 0;
        const wait = last + ms - performance.now();
        if (wait <= 0) return;
        await sleep(wait);
    }
}

const started = performance.now();
await connection.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {},
    workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'bench' }],
});
await connection.sendNotification('initialized', {});
// The first build indexes and links every file (without validating them: Langium validates the open
// ones); opening the target right away, its diagnostics arrive once that build is done.
const opened = nextPublish(p => p.uri === targetUri, 300_000);
await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: targetUri, languageId: 'followup', version: 1, text: original } });
const openedEntry = await opened;
const firstBuild = performance.now() - started;
log(`Server ready: workspace built and the open file checked ${firstBuild.toFixed(0)} ms after initialize (${openedEntry.count} errors)`);
await quiet();

// ------------------------------------------------------------------ measurements

const diagnostics = [];
let wrong = 0;
let version = 1;
for (let i = 0; i < (values['requests-only'] ? 0 : iterations); i++) {
    const text = i % 2 === 0 ? broken : original;
    const expected = i % 2 === 0 ? 1 : 0;
    const result = nextPublish(p => p.uri === targetUri);
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri: targetUri, version: ++version }, contentChanges: [{ text }] });
    const entry = await result;
    diagnostics.push(entry.at - t0);
    if (entry.count !== expected) wrong++;
    await quiet();
}
// Leave the file as it was on disk for the requests.
if (!values['requests-only'] && iterations % 2 === 1) {
    const result = nextPublish(p => p.uri === targetUri);
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri: targetUri, version: ++version }, contentChanges: [{ text: original }] });
    await result;
    await quiet();
}

function quantileOf(xs, q) {
    if (xs.length === 0) return NaN;
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const quantile = quantileOf;

function positionAt(text, offset) {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
}
const offsetsAfter = (pattern, shift = 0) => [...original.matchAll(pattern)].map(m => m.index + m[0].length + shift);
const completionContexts = {
    condition: offsetsAfter(/\n {3}and /g), // the event's fields
    when: offsetsAfter(/\n {2}when /g), // events and rules
    send: offsetsAfter(/then send /g), // the event's messages
    dot: offsetsAfter(/\n {3}and [a-zA-Z]+(?:\[\d+\])?\./g), // a record's (or a list element's) fields
};
// Interleaved, so that each context gets its share of the samples.
const completionPoints = [];
for (let i = 0; completionPoints.length < Object.values(completionContexts).flat().length; i++) {
    for (const list of Object.values(completionContexts)) if (i < list.length) completionPoints.push(list[i]);
}
const contextOf = new Map(Object.entries(completionContexts).flatMap(([name, list]) => list.map(o => [o, name])));
const hoverPoints = [
    ...offsetsAfter(/\n {2}when /g, 2), // an event or a rule
    ...[...original.matchAll(/\n {3}and ([A-Za-z]+)(?:\[\d+\])?(?:\.[A-Za-z]+)? (?:[<>=!]|in |not in |contains |starts |is )/g)]
        .map(m => m.index + m[0].indexOf(m[1]) + 2), // a field compared
];

async function timeRequests(method, points, params) {
    const times = [];
    const byPoint = [];
    let empty = 0;
    for (let i = 0; i < iterations; i++) {
        const point = points[i % points.length];
        const position = positionAt(original, point);
        const t0 = performance.now();
        const result = await connection.sendRequest(method, { textDocument: { uri: targetUri }, position, ...params });
        times.push(performance.now() - t0);
        byPoint.push(point);
        const items = result && (Array.isArray(result) ? result : result.items ?? [result.contents]);
        if (!items || items.length === 0) empty++;
    }
    return { times, empty, byPoint };
}
const completion = await timeRequests('textDocument/completion', completionPoints, {});
const completionByContext = Object.keys(completionContexts).map(name => {
    const times = completion.times.filter((_, i) => contextOf.get(completion.byPoint[i]) === name);
    return `${name} ${times.length}× median ${quantileOf(times, 0.5).toFixed(1)} / p95 ${quantileOf(times, 0.95).toFixed(1)} ms`;
});
const hover = await timeRequests('textDocument/hover', hoverPoints, {});

let rssMb;
try { rssMb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(server.pid)]).toString().trim()) / 1024; } catch { /* no ps */ }

await connection.sendRequest('shutdown').catch(() => undefined);
await connection.sendNotification('exit').catch(() => undefined);
await sleep(values.profile ? 2000 : 200);
connection.dispose();
server.kill();

// ------------------------------------------------------------------ report

const summary = (name, times, note) => ({ name, n: times.length, median: quantile(times, 0.5), p95: quantile(times, 0.95), max: Math.max(...times), target: targets[name], note });
const rows = [
    ...(diagnostics.length ? [summary('diagnostics', diagnostics, wrong ? `${wrong} results did not match the edit` : 'every result matched the edit')] : []),
    summary('completion', completion.times, `${completion.empty} empty answers`),
    summary('hover', hover.times, `${hover.empty} empty answers`),
];
const load = os.loadavg().map(l => l.toFixed(1)).join(' ');
if (values.json) {
    console.log(JSON.stringify({ workspace: stats, firstBuildMs: firstBuild, rssMb, load, rows, completionByContext, samples: { diagnostics, completion: completion.times, hover: hover.times } }, null, 2));
} else {
    console.log(`\nOpen file: ${nodePath.relative(dir, target)} (${original.split('\n').length} lines); ${iterations} samples each; load average ${load} on ${os.cpus().length} CPUs`);
    console.log('| measure | median | p95 | max | target (p95) | |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const r of rows) {
        console.log(`| ${r.name} | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.max.toFixed(1)} ms | < ${r.target} ms | ${r.p95 < r.target ? 'met' : '**missed**'} (${r.note}) |`);
    }
    console.log(`Completion by context: ${completionByContext.join('; ')}`);
    console.log(`First build (initialize → the open file's diagnostics): ${firstBuild.toFixed(0)} ms; server RSS at the end: ${rssMb ? rssMb.toFixed(0) + ' MB' : 'n/a'}`);
    if (values.profile) console.log(`CPU profile of the server in ${nodePath.join(dir, '.profile')} (node bench/profile-summary.mjs <file> --filter packages/)`);
}
if (serverErrors.trim()) process.stderr.write(`server stderr:\n${serverErrors}\n`);
if (!values.keep && !values.dir && !values.profile) fs.rmSync(dir, { recursive: true, force: true });
