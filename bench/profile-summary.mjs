// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time and
// the most inclusive (total) time, with their source location.
//
//   node --cpu-prof --cpu-prof-dir /tmp/prof packages/cli/bin/followup.js compile <project> --out /tmp/out
//   node bench/profile-summary.mjs /tmp/prof/*.cpuprofile [--top 25] [--filter followup]
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
});
if (positionals.length !== 1) {
    process.stderr.write('Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--filter <text in url>]\n');
    process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the deltas between samples, attributed to the sampled node.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = n => {
    const f = n.callFrame;
    const url = f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/packages\//, 'packages/');
    return `${f.functionName || '(anonymous)'}  ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
};

// Self time per function (merged over call sites).
const self = new Map();
for (const [id, us] of selfUs) {
    const key = label(byId.get(id));
    self.set(key, (self.get(key) ?? 0) + us);
}
// Inclusive time per function: each sample counts once for every distinct function on its stack.
const inclusive = new Map();
for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
        const key = label(byId.get(n));
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
}

const show = (title, map) => {
    process.stdout.write(`\n${title}\n`);
    const rows = [...map].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, us] of rows) {
        process.stdout.write(`${(us / 1000).toFixed(0).padStart(8)} ms ${(100 * us / totalUs).toFixed(1).padStart(5)}%  ${k}\n`);
    }
};
process.stdout.write(`Profile: ${(totalUs / 1000).toFixed(0)} ms sampled\n`);
show('Self time', self);
show('Inclusive time', inclusive);
