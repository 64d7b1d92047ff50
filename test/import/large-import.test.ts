// A 200,000-line history through the real command: it streams (it runs in a JavaScript heap capped
// below the file's size) and reports its rate and peak memory. Run on the embedded store and on a
// PostgreSQL server; the numbers are printed, not asserted. (PGlite's peak RSS is mostly its
// WebAssembly PostgreSQL, outside the JavaScript heap; creating a database costs the most.)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedDatabases, sharedPostgres } from '../support/stores.js';
import { example, repo } from './support.js';

const bin = path.join(repo, 'packages/cli/bin/followup.js');
const preload = pathToFileURL(path.join(import.meta.dirname, 'fixtures/report-peak-rss.mjs')).href;
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-large-import-'));
afterAll(async () => {
    await releaseSharedDatabases();
    fs.rmSync(temp, { recursive: true, force: true });
});

/**
 * Writes `lines` lines of valid cartAbandonment history (5 lines per cart: event, delivery, delivered,
 * open or click, and a purchase or a bounce), streaming, and returns the file's size in bytes.
 */
async function generate(file: string, lines: number, prefix: string): Promise<number> {
    const out = fs.createWriteStream(file);
    const start = Date.parse('2026-10-01T00:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    for (let n = 0; n < lines; n++) {
        const cart = Math.floor(n / 5);
        const c = `${prefix}${cart}`;
        const t = start + cart * 13_000;
        let record: object;
        switch (n % 5) {
            case 0:
                record = {
                    kind: 'event', id: `${c}-e`, type: 'cartAbandonment', at: iso(t),
                    data: {
                        customerId: c, email: `${c}@example.com`, ...(cart % 3 === 0 ? { phone: '+33 6 12 34 56 78' } : {}),
                        firstName: 'Customer', cartTotal: (cart % 400) + 0.5, currency: cart % 7 === 0 ? 'USD' : 'EUR',
                        items: [{ sku: `SKU-${cart % 97}`, name: 'Merino hoodie', price: 89, quantity: 1 }, { sku: 'SOC-003', name: 'Socks', price: '17.50', quantity: 2 }],
                        cartUrl: `https://shop.example/cart/${c}`, loyaltyMember: cart % 4 === 0, abandonedAt: iso(t - 1_800_000),
                    },
                };
                break;
            case 1:
                record = { kind: 'delivery', id: `${c}-d`, event: `${c}-e`, message: 'transactional', channel: 'email', to: `${c}@example.com`, at: iso(t + 5000) };
                break;
            case 2:
                record = { kind: 'delivered', delivery: `${c}-d`, at: iso(t + 9000) };
                break;
            case 3:
                record = cart % 2 === 0
                    ? { kind: 'open', delivery: `${c}-d`, at: iso(t + 3_600_000) }
                    : { kind: 'click', delivery: `${c}-d`, at: iso(t + 3_700_000), url: `https://shop.example/cart/${c}`, link: 'cart' };
                break;
            default:
                record = cart % 50 === 0
                    ? { kind: 'bounce', delivery: `${c}-d`, at: iso(t + 60_000), hard: true }
                    : { kind: 'event', id: `${c}-p`, type: 'purchase', at: iso(t + 7_200_000), data: { customerId: c, email: `${c}@example.com`, orderId: `o${cart}`, total: 10, currency: 'EUR' } };
        }
        if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return fs.statSync(file).size;
}

interface Measured {
    code: number | null;
    stdout: string;
    stderr: string;
    seconds: number;
    peakRssMb: number;
    peakHeapMb: number;
}

/** Runs `followup import` in a child process with the peak-memory reporter preloaded. */
async function measure(args: string[], nodeOptions: string[] = []): Promise<Measured> {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeOptions, '--import', preload, bin, 'import', ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const [code] = (await once(child, 'close')) as [number | null];
    const seconds = (performance.now() - started) / 1000;
    const peak = /\nFOLLOWUP_PEAK_RSS_KB=(\d+) FOLLOWUP_PEAK_HEAP_KB=(\d+)\n/.exec(stderr);
    return {
        code, stdout, stderr: peak ? stderr.replace(peak[0], '') : stderr, seconds,
        peakRssMb: peak ? Number(peak[1]) / 1024 : NaN, peakHeapMb: peak ? Number(peak[2]) / 1024 : NaN,
    };
}

const LINES = 200_000;
const SMALL = 20_000;
/** The old generation's cap for the big import, in MB: below what holding the file (38 MB of text, several times that parsed) would take. */
const HEAP_CAP_MB = 64;

describe('followup import of a 200,000-line history', () => {
    for (const engine of ['pglite', 'postgres'] as const) {
        it(`streams it into ${engine} with bounded memory`, async () => {
            const big = path.join(temp, `${engine}-big.jsonl`);
            const small = path.join(temp, `${engine}-small.jsonl`);
            const bigBytes = await generate(big, LINES, `${engine[0]}b`);
            await generate(small, SMALL, `${engine[0]}s`);
            const target = engine === 'pglite' ? path.join(temp, 'db') : (await sharedPostgres()).url;
            // The small file first: it creates the store (which, on PGlite, takes more memory than importing).
            const first = await measure([small, '--project', example, '--db', target]);
            expect(first.stderr).toMatch(/^(created index followup_events_purchase_customerid_\w+ on events .* s\n)?$/); // once per store
            expect(first.code).toBe(0);
            // A JavaScript heap capped far below the file's size: a command holding the file would die.
            const run = await measure([big, '--project', example, '--db', target, '--json'], [`--max-old-space-size=${HEAP_CAP_MB}`]);
            expect(run.stderr).toBe('');
            expect(run.code).toBe(0);
            const result = JSON.parse(run.stdout) as { lines: number; events: number; deliveries: number; tracking: number; suppressions: number; seconds: number };
            expect(result).toMatchObject({ lines: LINES, events: 80_000 - 800, deliveries: 40_000, tracking: 80_800, suppressions: 800 });
            const rate = Math.round(LINES / result.seconds);
            const mb = (n: number) => `${n.toFixed(0)} MB`;
            console.log(`${engine}: ${LINES.toLocaleString('en-US')} lines (${mb(bigBytes / 2 ** 20)}) in ${result.seconds} s ` +
                `(${rate.toLocaleString('en-US')} lines/s; whole process ${run.seconds.toFixed(1)} s), ` +
                `peak RSS ${mb(run.peakRssMb)}, peak JS heap ${mb(run.peakHeapMb)}; ` +
                `${SMALL.toLocaleString('en-US')} lines: peak RSS ${mb(first.peakRssMb)}, peak JS heap ${mb(first.peakHeapMb)}`);
            expect(run.peakHeapMb).toBeLessThan(HEAP_CAP_MB);
            fs.rmSync(big);
        }, 900_000);
    }
});
