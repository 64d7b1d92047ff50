#!/usr/bin/env node
// The main job, as the README's first command runs it: the cart-abandonment example on a fresh
// embedded store. Imports two weeks of history, runs every rule as of 2026-11-23T10:00:00Z, and
// leaves the follow-ups it sent as .eml files in examples/cart-abandonment/.followup/outbox. Then a
// week passes: the purchases of that week are imported, and `followup report` says whether the last
// chance bigCartLastChance sends made people buy, against the 10% it held out (docs/measuring.md).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = path.join(repo, 'examples/cart-abandonment');
const state = path.join(project, '.followup');
const now = process.env.FOLLOWUP_NOW ?? '2026-11-23T10:00:00Z';
const bin = path.join(repo, 'packages/cli/bin/followup.js');

function followup(...args) {
    console.log(`\n$ followup ${args.map(a => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The same, showing the first `head` lines of its output and the last one (a run sends thousands). */
function followupBrief(head, ...args) {
    console.log(`\n$ followup ${args.join(' ')}`);
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) process.exit(result.status ?? 1);
    const lines = result.stdout.trimEnd().split('\n');
    if (lines.length <= head + 1) console.log(lines.join('\n'));
    else console.log([...lines.slice(0, head), `  ... ${lines.length - head - 1} more lines ...`, lines.at(-1)].join('\n'));
}

fs.rmSync(state, { recursive: true, force: true });
console.log(`A fresh embedded store in ${path.relative(repo, state)}/db; follow-ups go to ${path.relative(repo, state)}/outbox.`);
followup('import', path.join('examples/cart-abandonment/history.jsonl'), '--project', 'examples/cart-abandonment');
followupBrief(12, 'run', 'examples/cart-abandonment', '--now', now);
followup('explain', 'examples/cart-abandonment', '--to', 'ana.silva@example.com', '--now', now);

const outbox = path.join(state, 'outbox');
const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter(f => !f.startsWith('.')).sort() : [];
console.log(`\n${files.length} message file(s) in ${path.relative(repo, outbox)}/, among them:`);
for (const f of files.filter(f => !f.startsWith('bigCartLastChance')).concat(files.filter(f => f.startsWith('bigCartLastChance')).slice(0, 3))) console.log(`  ${f}`);
const first = files.find(f => f.endsWith('.eml'));
if (first) {
    const text = fs.readFileSync(path.join(outbox, first), 'utf8');
    const head = text.split(/\r?\n\r?\n/)[0];
    console.log(`\nHeaders of ${first}:\n${head.split(/\r?\n/).filter(l => /^(From|To|Subject|Date|Message-ID):/i.test(l)).map(l => `  ${l}`).join('\n')}`);
}

// A week later: the shop's purchases of that week arrive. Did the last chance make people buy?
const weekLater = process.env.FOLLOWUP_REPORT_NOW ?? '2026-11-30T10:00:00Z';
console.log('\nA week later, the purchases of the week arrive.');
followup('import', path.join('examples/cart-abandonment/week-after.jsonl'), '--project', 'examples/cart-abandonment');
followup('report', 'examples/cart-abandonment', '--rule', 'bigCartLastChance', '--now', weekLater);
const page = path.join(state, 'report.html');
followup('report', 'examples/cart-abandonment', '--now', weekLater, '--html', path.relative(repo, page));
