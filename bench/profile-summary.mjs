// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time and
// the most inclusive (total) time, with their source location.
//
//   node --cpu-prof --cpu-prof-dir /tmp/prof packages/cli/bin/followup.js compile <project> --out /tmp/out
//   node bench/profile-summary.mjs /tmp/prof/*.cpuprofile [--top 25] [--filter packages/]
//
// `node bench/compile.mjs --profile` does both for the cold compile.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Self and inclusive time per function (merged over call sites), in microseconds. */
export function profileTimes(profile) {
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Each sample's time is the delta to the next sample, attributed to the sampled node.
    const selfUs = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
        const id = profile.samples[i];
        selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    }
    const label = n => {
        const f = n.callFrame;
        const url = f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/packages\//, 'packages/');
        return `${f.functionName || '(anonymous)'}  ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
    };
    const self = new Map();
    const inclusive = new Map();
    for (const [id, us] of selfUs) {
        const key = label(byId.get(id));
        self.set(key, (self.get(key) ?? 0) + us);
        const seen = new Set();
        for (let n = id; n !== undefined; n = parent.get(n)) {
            const k = label(byId.get(n));
            if (seen.has(k)) continue; // recursion counts once
            seen.add(k);
            inclusive.set(k, (inclusive.get(k) ?? 0) + us);
        }
    }
    const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
    return { total, self, inclusive };
}

export function summarizeProfile(profile, { top = 25, filter } = {}) {
    const { total, self, inclusive } = profileTimes(profile);
    const lines = [`Profile: ${(total / 1000).toFixed(0)} ms sampled${filter ? ` (showing functions matching '${filter}')` : ''}`];
    const show = (title, map) => {
        lines.push('', title);
        const rows = [...map].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
        for (const [k, us] of rows) lines.push(`${(us / 1000).toFixed(0).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${k.length > 160 ? k.slice(0, 157) + '...' : k}`);
    };
    show('Self time', self);
    show('Inclusive time', inclusive);
    return lines.join('\n');
}

function main() {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
    });
    if (positionals.length !== 1) {
        process.stderr.write('Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--filter <text in name or path>]\n');
        process.exit(2);
    }
    const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
    process.stdout.write(summarizeProfile(profile, { top: Number(values.top), filter: values.filter }) + '\n');
}

if (process.argv[1] && nodePath.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
