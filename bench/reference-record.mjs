// The recording reference of ../shared/PERFORMANCE.md, measured in the same bench run: an expert's
// "decisions + outbox rows (~2 KB rendered payload each)" written as `unnest()` arrays, batches of 1,000
// rows a statement (PERFORMANCE.md: 11,600 /s on PostgreSQL 15, 9,300–10,000 /s on PGlite).
// bench/run.mjs prints it beside its own follow-ups/s, on the same store in the same run, as
// information: what the machine does at that moment (PERFORMANCE.md's figures are another machine's,
// and cannot scale ours: bench/README.md, tenth session of 2026-12-07).
//
// It runs in a fresh process opened as bench/record-run.mjs opens the store (the CLI's WebAssembly
// tiering budget on PGlite), `repeats` times in that process, as the follow-ups are timed; each time
// into two tables of its own (created at start, dropped at the end), emptied before each repetition.
//
//   node bench/reference-record.mjs <store folder or postgres:// URL> <rows> [repeats]
//
// Prints one JSON line: { runs: [{ ms, rows, perSecond }], payloadBytes }.
import { performance } from 'node:perf_hooks';
import { setTieringBudgetForStore } from '../packages/cli/dist/wasm-tiering.js';

const [target, rowsArg, repeats = '5'] = process.argv.slice(2);
if (!rowsArg) {
    process.stderr.write('usage: node bench/reference-record.mjs <store> <rows> [repeats]\n');
    process.exit(2);
}
const ROWS = Number(rowsArg);
const BATCH = 1000;
const server = /^postgres(ql)?:\/\//.test(target);
if (!server) setTieringBudgetForStore(target);
const { openStore } = await import('@followup/runtime');

// ~2 KB of rendered HTML a row, different for each row (as rendered messages are).
const paragraph = 'you left 3 items in your cart at Shop. They are still waiting for you, and the prices are held until Sunday. ';
const html = i => `<!doctype html><html><body><p>Hi customer ${i},</p><p>${paragraph.repeat(17)}</p><p><a href="https://shop.example/cart/${i}">Back to your cart</a></p></body></html>`;

const store = await openStore(target);
const runs = [];
try {
    await store.exec(`DROP TABLE IF EXISTS bench_ref_outbox, bench_ref_decisions;
        CREATE TABLE bench_ref_decisions (rule text NOT NULL, delivery_id text NOT NULL, outcome text NOT NULL, decided_at timestamptz NOT NULL, PRIMARY KEY (rule, delivery_id));
        CREATE TABLE bench_ref_outbox (id bigserial PRIMARY KEY, delivery_id text NOT NULL UNIQUE, recipient text NOT NULL, subject text NOT NULL, html text NOT NULL, status text NOT NULL DEFAULT 'pending')`);
    for (let r = 0; r < Number(repeats); r++) {
        await store.exec('TRUNCATE bench_ref_outbox, bench_ref_decisions');
        const now = new Date().toISOString();
        const t0 = performance.now();
        await store.transaction(async (tx) => {
            for (let from = 0; from < ROWS; from += BATCH) {
                const ids = [];
                const recipients = [];
                const bodies = [];
                for (let i = from; i < Math.min(ROWS, from + BATCH); i++) {
                    ids.push(`ref-${i}`);
                    recipients.push(`customer${i}@example.com`);
                    bodies.push(html(i));
                }
                await tx.query(`WITH o AS (
                        INSERT INTO bench_ref_outbox (delivery_id, recipient, subject, html)
                        SELECT id, recipient, 'You left something in your cart', html FROM unnest($1::text[], $2::text[], $3::text[]) AS f(id, recipient, html))
                    INSERT INTO bench_ref_decisions (rule, delivery_id, outcome, decided_at) SELECT 'r', id, 'send', $4 FROM unnest($1::text[]) AS f(id)`,
                    [ids, recipients, bodies, now]);
            }
        });
        const ms = performance.now() - t0;
        runs.push({ ms, rows: ROWS, perSecond: ROWS / (ms / 1000) });
    }
    process.stdout.write(`${JSON.stringify({ runs, payloadBytes: html(ROWS - 1).length })}\n`);
} finally {
    await store.exec('DROP TABLE IF EXISTS bench_ref_outbox, bench_ref_decisions').catch(() => {});
    await store.close();
}
