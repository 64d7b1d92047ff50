// What the benchmarks share: medians, markdown tables, and a child `node` process measured to its end.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const probe = nodePath.join(nodePath.dirname(fileURLToPath(import.meta.url)), 'rss-probe.mjs');

export const median = xs => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A markdown table: the first column left-aligned, the others right-aligned. */
export function table(header, rows) {
    const all = [header, ...rows];
    const widths = header.map((_, c) => Math.max(...all.map(r => String(r[c]).length)));
    const line = r => '| ' + r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join(' | ') + ' |';
    return [line(header), '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}

/**
 * Runs `node --import rss-probe.mjs <args>` to its end: wall time from spawn to exit, its CPU time
 * (user + system) and peak RSS, and what it printed. Rejects when it exits with another code than 0.
 */
export function runNode(args, { cwd, env = {} } = {}) {
    const usageFile = nodePath.join(os.tmpdir(), `followup-bench-usage-${process.pid}-${Math.random().toString(36).slice(2)}`);
    return new Promise((resolve, reject) => {
        const start = performance.now();
        const child = spawn(process.execPath, ['--import', probe, ...args], {
            cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FOLLOWUP_BENCH_RSS_FILE: usageFile, NO_COLOR: '1', ...env },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', d => { out += d; });
        child.stderr.on('data', d => { err += d; });
        child.on('error', reject);
        child.on('close', code => {
            const wall = performance.now() - start;
            let usage = {};
            try { usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')); fs.rmSync(usageFile); } catch { /* unknown */ }
            if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}\n${out.slice(-2000)}\n${err.slice(-2000)}`));
            else resolve({ wall, rss: usage.maxRssKiB, cpu: usage.cpuMs, out, err });
        });
    });
}

/** `--help` of a benchmark: the first `lines` lines of its header comment (its usage), then exit 0. */
export function printHeaderAndExit(moduleUrl, lines) {
    process.stdout.write(fs.readFileSync(fileURLToPath(moduleUrl), 'utf8').split('\n').slice(0, lines).map(l => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    process.exit(0);
}

/** Exits 2 with a hint unless the workspace packages are built (the benchmarks import their dist/). */
export function requireBuilt(bench, packages = ['runtime']) {
    const repo = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
    if (packages.every(pkg => fs.existsSync(nodePath.join(repo, `packages/${pkg}/dist/index.js`)))) return;
    process.stderr.write(`bench/${bench}: the packages are not built; run \`npm run build\` first.\n`);
    process.exit(2);
}
