// Dispatch of transactional rows, two or more builds of the repository in turns: the way to see what a
// change to the claim, the settle or the triggers costs per message, apart from the machine's drift.
//
//   node bench/dispatch-ab.mjs [--engine postgres|pglite] [--rows 13000] [--rounds 6] [--transport null|folder|smtp] <repo> [<repo> ...]
//   e.g. git worktree add /tmp/before <commit> (link node_modules, `npm run build` there), then
//        node bench/dispatch-ab.mjs /tmp/before .
//
// Each measure is its own process with the build's runtime (its dist/): a new store (a PostgreSQL 15
// cluster of its own, or a PGlite folder; each build its own TMPDIR, for the new-store template),
// N transactional rows queued (an event, a delivery and an outbox row each; analysed), then one
// `dispatchOutbox` to the transport, timed. `null` answers at once and is not idempotent, so each
// batch's claim, recheck and settle are on the critical path (the database's share of a dispatch);
// `folder` is the outbox folder (one .eml per message, fsyncs grouped); `smtp` the SMTP transport (pool
// of 5) to a local sink that counts what it gets (bench/counting-smtp-sink.mjs, a worker thread). Prints each build's median
// messages/s, its ratio to the first build's, and every measure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { median, printHeaderAndExit, runNode, table } from './measure.mjs';

const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        engine: { type: 'string', default: 'postgres' },
        rows: { type: 'string', default: '13000' },
        rounds: { type: 'string', default: '6' },
        transport: { type: 'string', default: 'null' },
        measure: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help || positionals.length === 0) printHeaderAndExit(import.meta.url, 13);
const ROWS = Number(values.rows);
if (!['postgres', 'pglite'].includes(values.engine) || !['null', 'folder', 'smtp'].includes(values.transport) || !(ROWS > 0)) {
    process.stderr.write('bench/dispatch-ab: --engine postgres|pglite, --transport null|folder|smtp, --rows a positive number (--help)\n');
    process.exit(2);
}

if (values.measure) {
    // One measure, in this process: positionals[0] is the build.
    const repo = nodePath.resolve(positionals[0]);
    const runtime = await import(nodePath.join(repo, 'packages/runtime/dist/index.js'));
    const { startPostgres } = await import(nodePath.join(repo, 'bench/cart-store.mjs'));
    const pg = values.engine === 'postgres' ? await startPostgres() : undefined;
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-dispatch-ab-'));
    try {
        const store = await runtime.openStore(pg ? pg.url : nodePath.join(dir, 'db'));
        const now = new Date('2026-11-20T10:00:00Z').toISOString();
        await store.exec(`
            INSERT INTO events (id, type, occurred_at, payload) SELECT 'e' || i, 'cart', '${now}', '{}' FROM generate_series(1, ${ROWS}) i;
            INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
                SELECT 'd' || i, 'e' || i, 'transactional', 'email', 'a' || i || '@example.com', '${now}', 'queued' FROM generate_series(1, ${ROWS}) i;
            INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
                SELECT 'd' || i, NULL, 'email', 'a' || i || '@example.com',
                       jsonb_build_object('eventId', 'e' || i, 'subject', 'Hi', 'text', 'Hello there, this is a message.', 'headers', '{}'::jsonb), '${now}'
                FROM generate_series(1, ${ROWS}) i`);
        await store.exec('VACUUM ANALYZE events, deliveries, outbox');
        const sink = values.transport === 'smtp' ? await (await import('./counting-smtp-sink.mjs')).startCountingSink() : undefined;
        const transport = values.transport === 'null'
            ? { description: 'null', idempotent: false, async send() { return { status: 'sent' }; }, async close() {} }
            : sink ? runtime.createSmtpTransport(sink.url, { from: 'Shop <shop@example.com>', env: {} })
            : runtime.createOutboxFolderTransport(nodePath.join(dir, 'out'), { from: 'Shop <shop@example.com>' });
        const started = performance.now();
        const report = await runtime.dispatchOutbox(store, { transports: { email: transport }, plans: [], now: new Date(now), transactional: true });
        const ms = performance.now() - started;
        await transport.close?.();
        await store.close();
        if (report.total.sent !== ROWS) throw new Error(`sent ${report.total.sent} of ${ROWS}`);
        if (sink) {
            const received = await sink.count();
            await sink.close();
            if (received !== ROWS) throw new Error(`the SMTP sink received ${received} of ${ROWS}`);
        }
        process.stdout.write(JSON.stringify({ rate: ROWS / (ms / 1000) }) + '\n');
    } finally {
        await pg?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
    process.exit(0);
}

/** A TMPDIR per build (two schema versions must not share the new-store template), open to the postgres user. */
const buildTemp = (i) => {
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), `followup-bench-dispatch-ab-build${i}-`));
    fs.chmodSync(dir, 0o755);
    return dir;
};
const builds = positionals.map((p, i) => ({ label: p, repo: nodePath.resolve(p), tmp: buildTemp(i), rates: [] }));
for (const b of builds) {
    if (!fs.existsSync(nodePath.join(b.repo, 'packages/runtime/dist/index.js'))) {
        process.stderr.write(`bench/dispatch-ab: ${b.repo} is not built (npm run build there)\n`);
        process.exit(2);
    }
}
const self = new URL(import.meta.url).pathname;
const load = os.loadavg();
const ROUNDS = Math.max(1, Number(values.rounds));
try {
    for (let round = 1; round <= ROUNDS; round++) {
        // Every other round in the reverse order: a slower minute falls on all alike.
        for (const b of round % 2 ? builds : [...builds].reverse()) {
            const ran = await runNode([self, '--measure', '--engine', values.engine, '--rows', String(ROWS), '--transport', values.transport, b.repo], { env: { TMPDIR: b.tmp } });
            b.rates.push(JSON.parse(ran.out.trim().split('\n').at(-1)).rate);
        }
        process.stdout.write(`\r  round ${round}/${ROUNDS}   `);
    }
    const base = median(builds[0].rates);
    process.stdout.write(`\ndispatch of ${ROWS.toLocaleString('en-US')} transactional rows to the ${values.transport} transport, ${values.engine}, ${ROUNDS} rounds in turns (load ${load.map((l) => l.toFixed(2)).join(', ')} → ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}):\n`);
    process.stdout.write(table(['build', 'messages/s (median)', 'ratio to the first', 'every measure'], builds.map((b) => [
        b.label, Math.round(median(b.rates)).toLocaleString('en-US'), `${(median(b.rates) / base).toFixed(2)}×`, b.rates.map(Math.round).sort((x, y) => x - y).join(' '),
    ])) + '\n');
} finally {
    for (const b of builds) fs.rmSync(b.tmp, { recursive: true, force: true });
}
