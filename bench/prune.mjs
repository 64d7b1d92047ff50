// `followup prune` at scale: a store of N original cartAbandonment deliveries (bench/cart-store.mjs:
// spread over the 50 days before now, 35% opened), where the mission rule (3 days) has decided every
// cart it was due for (the 65% not opened: a decision, a follow-up delivery sent 3 days after the cart,
// a sent outbox row; one runs row per day), and its watermark is now. Then `pruneStore` (what
// `followup prune` runs) deletes everything older than `--keep-days` before now (default 10: ~80% of
// the store), in its batches; the rows per second are all rows deleted (every table) over the time.
// A dry run first (the same statements in one rolled-back transaction) is timed too, unless --no-dry-run.
//
//   npm run build && node bench/prune.mjs [--deliveries 1000000] [--pglite-deliveries 100000]
//                                        [--engines postgres,pglite] [--keep-days 10] [--batch 5000] [--no-dry-run] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedCarts, seedCartsSql, startPostgres } from './cart-store.mjs';
import { printHeaderAndExit, requireBuilt } from './measure.mjs';

const here = nodePath.dirname(fileURLToPath(import.meta.url));
const repo = nodePath.resolve(here, '..');
const { values } = parseArgs({
    options: {
        deliveries: { type: 'string', default: '1000000' },
        'pglite-deliveries': { type: 'string', default: '100000' },
        engines: { type: 'string', default: 'postgres,pglite' },
        'keep-days': { type: 'string', default: '10' },
        batch: { type: 'string', default: '5000' },
        'no-dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 10);
requireBuilt('prune');

const { loadProject } = await import('@followup/language');
const { compilePlans } = await import('@followup/compiler');
const { openStore, pruneStore, storeTables } = await import('@followup/runtime');

const int = n => Math.round(n).toLocaleString('en-US');
const secs = ms => `${(ms / 1000).toFixed(1)} s`;
const log = (...a) => { if (!values.json) process.stdout.write(a.join(' ') + '\n'); };
const DAY = 86_400_000;
const NOW = new Date('2026-11-22T00:00:00Z');
const MISSION = 'cartAbandonment_followup_email';
const plans = compilePlans(await loadProject([nodePath.join(repo, 'examples/cart-abandonment')])).filter(p => p.rule === MISSION);
const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-prune-'));

/** What the mission rule would have recorded by NOW: one run per day, a decision per unopened cart due, its follow-up sent. */
async function seedDecisions(store) {
    const t0 = performance.now();
    await store.query(`INSERT INTO runs (rule, window_start, now, finished_at, selected, sent)
        SELECT $1, d - interval '1 day', d, d, 0, 0 FROM generate_series($2::timestamptz - interval '50 days', $2::timestamptz, interval '1 day') AS d`, [MISSION, NOW]);
    await store.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule)
        SELECT $1 || ':' || d.event_id, d.event_id, 'followup', 'email', d.recipient, date_trunc('day', d.sent_at + interval '3 days') + interval '1 day', 'sent', $1
        FROM deliveries d WHERE d.rule IS NULL AND d.sent_at + interval '3 days' <= $2
          AND NOT EXISTS (SELECT 1 FROM tracking t WHERE t.delivery_id = d.id)`, [MISSION, NOW]);
    await store.query(`INSERT INTO outbox (delivery_id, rule, channel, recipient, content, status, created_at)
        SELECT f.id, $1, 'email', f.recipient, '{"subject":"s"}'::jsonb, 'sent', f.sent_at FROM deliveries f WHERE f.rule = $1`, [MISSION]);
    await store.query(`INSERT INTO decisions (rule, event_id, trigger_delivery_id, outcome, decided_at, run_id, followup_delivery_id)
        SELECT $1, f.event_id, 'd-' || f.event_id, 'send', f.sent_at, r.id, f.id
        FROM deliveries f JOIN runs r ON r.rule = $1 AND r.now = f.sent_at WHERE f.rule = $1`, [MISSION]);
    await store.query(`INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2)`, [MISSION, NOW]);
    await store.exec('ANALYZE');
    return performance.now() - t0;
}

async function rowCounts(store) {
    const out = {};
    for (const table of storeTables) out[table] = (await store.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    return out;
}

const total = counts => Object.values(counts).reduce((a, b) => a + b, 0);

async function benchEngine(engine, n) {
    log(`\n=== ${engine}: ${int(n)} original deliveries over 50 days; prune what is older than ${values['keep-days']} days ===`);
    const server = engine === 'postgres' ? await startPostgres() : undefined;
    const store = await openStore(server ? server.url : nodePath.join(temp, 'pglite'));
    try {
        const progress = (done, s) => { if (!values.json) process.stdout.write(`\r  loaded ${int(done)} / ${int(n)} carts (${int(done / s)}/s)   `); };
        if (engine === 'postgres') await seedCartsSql(store, { n, now: NOW, onProgress: progress });
        else await seedCarts(store, n, { now: NOW, onProgress: progress });
        const decisionsMs = await seedDecisions(store);
        const before = await rowCounts(store);
        log(`\n  decisions seeded in ${secs(decisionsMs)}; the store: ${Object.entries(before).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
        const options = { before: new Date(NOW.getTime() - Number(values['keep-days']) * DAY), now: NOW, batchSize: Number(values.batch) };
        let dry;
        if (!values['no-dry-run']) {
            const t = performance.now();
            dry = await pruneStore(store, plans, { ...options, dryRun: true });
            dry.ms = performance.now() - t;
            log(`  dry run: ${int(total(dry.counts))} rows counted in ${secs(dry.ms)} (${int(total(dry.counts) / (dry.ms / 1000))} rows/s), nothing deleted`);
        }
        const t = performance.now();
        let last = t;
        const report = await pruneStore(store, plans, {
            ...options,
            onProgress: ({ table, counts, batches }) => {
                const at = performance.now();
                if (!values.json && at - last > 1000) { last = at; process.stdout.write(`\r  pruning ${table}: ${int(total(counts))} rows, ${batches} batches (${secs(at - t)})   `); }
            },
        });
        const ms = performance.now() - t;
        const after = await rowCounts(store);
        const deleted = total(report.counts);
        log(`\r  pruned ${int(deleted)} rows in ${secs(ms)} = ${int(deleted / (ms / 1000))} rows/s, ${int(report.counts.events / (ms / 1000))} events/s, ${report.batches} batches of up to ${values.batch} events`);
        log(`  deleted: ${Object.entries(report.counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
        log(`  left: ${Object.entries(after).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
        if (dry && JSON.stringify(dry.counts) !== JSON.stringify(report.counts)) log('  WARNING: the dry run counted otherwise');
        return { engine, deliveries: n, ms, rows: deleted, rowsPerSecond: deleted / (ms / 1000), counts: report.counts, dryRunMs: dry?.ms, before, after };
    } finally {
        await store.close();
        await server?.stop();
    }
}

const loadStart = os.loadavg();
log(`followup prune benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadStart.map(l => l.toFixed(2)).join(' ')}`);
const results = [];
try {
    for (const engine of values.engines.split(',').map(e => e.trim()).filter(Boolean)) {
        results.push(await benchEngine(engine, Number(engine === 'pglite' ? values['pglite-deliveries'] : values.deliveries)));
    }
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
const loadEnd = os.loadavg();
log(`\nLoad average at start ${loadStart.map(l => l.toFixed(2)).join(' ')}, at end ${loadEnd.map(l => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPU(s).`);
if (values.json) process.stdout.write(JSON.stringify({ node: process.version, results, loadAverage: { start: loadStart, end: loadEnd } }, null, 2) + '\n');
