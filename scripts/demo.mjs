#!/usr/bin/env node
// The main job, as the README's first command runs it: the cart-abandonment example on a fresh
// embedded store. Imports two weeks of history, runs every rule as of 2026-11-23T10:00:00Z, and
// leaves the follow-ups it sent as .eml files in examples/cart-abandonment/.followup/outbox.
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

fs.rmSync(state, { recursive: true, force: true });
console.log(`A fresh embedded store in ${path.relative(repo, state)}/db; follow-ups go to ${path.relative(repo, state)}/outbox.`);
followup('import', path.join('examples/cart-abandonment/history.jsonl'), '--project', 'examples/cart-abandonment');
followup('run', 'examples/cart-abandonment', '--now', now);
followup('explain', 'examples/cart-abandonment', '--to', 'ana.silva@example.com', '--now', now);

const outbox = path.join(state, 'outbox');
const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter(f => !f.startsWith('.')).sort() : [];
console.log(`\n${files.length} message file(s) in ${path.relative(repo, outbox)}/:`);
for (const f of files) console.log(`  ${f}`);
const first = files.find(f => f.endsWith('.eml'));
if (first) {
    const text = fs.readFileSync(path.join(outbox, first), 'utf8');
    const head = text.split(/\r?\n\r?\n/)[0];
    console.log(`\nHeaders of ${first}:\n${head.split(/\r?\n/).filter(l => /^(From|To|Subject|Date|Message-ID):/i.test(l)).map(l => `  ${l}`).join('\n')}`);
}
