// What the benchmarks on a large store share (bench/run.mjs, bench/simulate.mjs): a throw-away
// PostgreSQL 15 cluster, and a history of N abandoned carts with their transactional emails and opens.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const DAY = 86_400_000;

const names = ['Shoes', 'Socks', 'Jacket', 'Scarf', 'Hat', 'Gloves', 'Belt'];
export function cartPayload(i, at) {
    const items = [0, 1, 2].map(k => ({ sku: `sku-${(i + k) % 997}`, name: names[(i + k) % names.length], price: 10 + ((i * (k + 3)) % 90), quantity: 1 + ((i + k) % 3) }));
    return JSON.stringify({
        customerId: `c${i}`, email: `user${i}@example.com`, firstName: `User${i}`, cartTotal: items.reduce((s, it) => s + it.price * it.quantity, 0),
        currency: 'EUR', items, cartUrl: `https://shop.example/cart/${i}`, loyaltyMember: i % 2 === 0, abandonedAt: at,
    });
}

/**
 * N original cartAbandonment email deliveries (`d-cart-<i>`, event `cart-<i>`), sent uniformly over the
 * `span` before `now` (so a one-day window holds n / 50 with the default 50 days), 35% of them opened
 * two hours after; then ANALYZE. `onProgress(done)` after each chunk.
 */
export async function seedCarts(store, n, { now, span = 50 * DAY, chunk = 50_000, onProgress } = {}) {
    const sentAt = (i) => new Date(now.getTime() - span + Math.floor(((i + 1) * span) / n));
    const t0 = performance.now();
    for (let start = 0; start < n; start += chunk) {
        const ids = [], ats = [], payloads = [], openIds = [], openAts = [];
        for (let i = start; i < Math.min(n, start + chunk); i++) {
            const at = sentAt(i).toISOString();
            ids.push(`cart-${i}`); ats.push(at); payloads.push(cartPayload(i, at));
            if ((i * 7919) % 100 < 35) { openIds.push(`d-cart-${i}`); openAts.push(new Date(sentAt(i).getTime() + 2 * 3600_000).toISOString()); }
        }
        await store.transaction(async tx => {
            await tx.query(`INSERT INTO events (id, type, occurred_at, payload)
                SELECT id, 'cartAbandonment', at, payload::jsonb FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS r(id, at, payload)`, [ids, ats, payloads]);
            // Each cart has one original: written with its flags set (schema v9), as import does.
            await tx.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, first_original, first_of_channel)
                SELECT 'd-' || id, id, 'transactional', 'email', 'user' || substr(id, 6) || '@example.com', at, true, true
                FROM unnest($1::text[], $2::timestamptz[]) AS r(id, at)`, [ids, ats]);
            await tx.query(`INSERT INTO tracking (delivery_id, kind, at)
                SELECT id, 'open', at FROM unnest($1::text[], $2::timestamptz[]) AS r(id, at)`, [openIds, openAts]);
        });
        onProgress?.(Math.min(n, start + chunk), (performance.now() - t0) / 1000);
    }
    const t1 = performance.now();
    await store.exec('ANALYZE events, deliveries, tracking, decisions, suppressions, profiles');
    return { loadMs: t1 - t0, analyzeMs: performance.now() - t1 };
}

function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
    });
}
/**
 * A throw-away PostgreSQL 15 cluster (as test/support/postgres.ts): stock planner settings, durability
 * off; `settings` (`name=value` strings, such as `max_parallel_workers_per_gather=1`) are given to the
 * server at start.
 */
export async function startPostgres({ settings = [] } = {}) {
    const bin = ['/usr/lib/postgresql/15/bin', spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout?.trim()]
        .find(d => d && fs.existsSync(nodePath.join(d, 'initdb')) && fs.existsSync(nodePath.join(d, 'pg_ctl')));
    if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install -y postgresql-15)');
    const folder = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-bench-pg-'));
    const data = nodePath.join(folder, 'data');
    const logFile = nodePath.join(folder, 'server.log');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
        const [uid, gid] = await Promise.all(['-u', '-g'].map(async f => Number((await run('id', [f, 'postgres'])).stdout)));
        fs.chownSync(folder, uid, gid);
    }
    const pgBin = (name, args) => (asRoot ? run('runuser', ['-u', 'postgres', '--', nodePath.join(bin, name), ...args]) : run(nodePath.join(bin, name), args));
    let started = false;
    const stopNow = () => {
        if (!started) return;
        const args = ['-D', data, 'stop', '-m', 'immediate'];
        if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', nodePath.join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
        else spawnSync(nodePath.join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
        started = false;
        fs.rmSync(folder, { recursive: true, force: true });
    };
    process.once('exit', stopNow);
    await pgBin('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    let port;
    for (let attempt = 1; !started; attempt++) {
        port = await freePort();
        // Stock planner settings; only durability is off (fsync, full_page_writes, synchronous_commit), as in the tests.
        const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off` +
            settings.map(s => ` -c ${s}`).join('');
        try { await pgBin('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']); started = true; } catch (error) {
            if (attempt >= 3) throw new Error(`pg_ctl start failed: ${error.message}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
        }
    }
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE followup_bench');
    const { rows } = await admin.query('SHOW server_version');
    await admin.end();
    const stop = async () => {
        if (!started) return;
        process.removeListener('exit', stopNow);
        await pgBin('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w']).catch(() => {});
        started = false;
        fs.rmSync(folder, { recursive: true, force: true });
    };
    return { url: `postgres://postgres@127.0.0.1:${port}/followup_bench`, version: rows[0].server_version, stop };
}

/**
 * The chunks of `[from, to)` in the order a store that grew over time would have written them: the
 * older carts (`i >= n`, further back as `i` grows) from the oldest down, then the first `n` (later as
 * `i` grows) up. Each chunk is `[first, last, step]` for generate_series, in ascending time. Written
 * newest first, the older history went into the B-trees backwards (every insert at the left edge, so
 * half-full pages: 1.7x the pages of `deliveries(sent_at)` at 10M) and into the heap against time: a
 * store no shop has, which made the 10M store's selections dearer than its size does.
 */
function chronologicalChunks(n, from, to, chunk) {
    const out = [];
    for (let end = to; end > Math.max(from, n); end -= chunk) out.push([end - 1, Math.max(from, n, end - chunk), -1]);
    for (let start = from; start < Math.min(to, n); start += chunk) out.push([start, Math.min(to, n, start + chunk) - 1, 1]);
    return out;
}

/**
 * The same history as `seedCarts`, generated by the database itself (INSERT ... SELECT FROM
 * generate_series: nothing travels from JavaScript), for the carts `from` to `to - 1` of a store whose
 * first `n` carts are spread over the `span` before `now`; carts from `n` on go further back at the
 * same density (the store grows older, the due window holds as many). Then `others` purchases
 * (`purchase-<j>`), each of another customer (`c<k>`, k a permutation of the carts' customers), spread
 * at the same density over the same days: 'other events' that a `since` rule looks through. Both
 * are written in time order, oldest first (`chronologicalChunks`). With `customers` (C), cart i is
 * customer `c<i mod C>`'s: repeat customers (bench/since-repeat.mjs).
 */
export async function seedCartsSql(store, { n, from = 0, to = n, now, span = 50 * DAY, chunk = 200_000, customers = null, onProgress }) {
    const t0 = performance.now();
    const sentAt = `CASE WHEN i < $4 THEN $3::bigint - $5::bigint + ((i + 1) * $5::bigint) / $4
                         ELSE $3::bigint - $5::bigint - ((i - $4 + 1) * $5::bigint) / $4 END`;
    let done = 0;
    for (const [first, last, step] of chronologicalChunks(n, from, to, chunk)) {
        const params = [first, last, now.getTime(), n, span, step, customers];
        await store.transaction(async tx => {
            await tx.query(`INSERT INTO events (id, type, occurred_at, payload)
                SELECT 'cart-' || i, 'cartAbandonment', at, jsonb_build_object(
                    'customerId', 'c' || coalesce(i % $7::bigint, i), 'email', 'user' || i || '@example.com', 'firstName', 'User' || i,
                    'cartTotal', (10 + (i * 3) % 90) * (1 + i % 3) + (10 + (i * 4) % 90) * (1 + (i + 1) % 3) + (10 + (i * 5) % 90) * (1 + (i + 2) % 3),
                    'currency', 'EUR',
                    'items', jsonb_build_array(
                        jsonb_build_object('sku', 'sku-' || (i % 997), 'name', (ARRAY['Shoes','Socks','Jacket','Scarf','Hat','Gloves','Belt'])[i % 7 + 1], 'price', 10 + (i * 3) % 90, 'quantity', 1 + i % 3),
                        jsonb_build_object('sku', 'sku-' || ((i + 1) % 997), 'name', (ARRAY['Shoes','Socks','Jacket','Scarf','Hat','Gloves','Belt'])[(i + 1) % 7 + 1], 'price', 10 + (i * 4) % 90, 'quantity', 1 + (i + 1) % 3),
                        jsonb_build_object('sku', 'sku-' || ((i + 2) % 997), 'name', (ARRAY['Shoes','Socks','Jacket','Scarf','Hat','Gloves','Belt'])[(i + 2) % 7 + 1], 'price', 10 + (i * 5) % 90, 'quantity', 1 + (i + 2) % 3)),
                    'cartUrl', 'https://shop.example/cart/' || i, 'loyaltyMember', i % 2 = 0,
                    'abandonedAt', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                FROM generate_series($1::bigint, $2::bigint, $6::bigint) AS i,
                     LATERAL (SELECT 'epoch'::timestamptz + interval '1 millisecond' * (${sentAt}) AS at) t`, params);
            // Each cart has one original: written with its flags set (schema v9), as import does; the
            // triggers' recount then has nothing to rewrite.
            await tx.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, first_original, first_of_channel)
                SELECT 'd-cart-' || i, 'cart-' || i, 'transactional', 'email', 'user' || i || '@example.com', 'epoch'::timestamptz + interval '1 millisecond' * (${sentAt}), true, true
                FROM generate_series($1::bigint, $2::bigint, $6::bigint) AS i`, params.slice(0, 6));
            await tx.query(`INSERT INTO tracking (delivery_id, kind, at)
                SELECT 'd-cart-' || i, 'open', 'epoch'::timestamptz + interval '1 millisecond' * (${sentAt}) + interval '2 hours'
                FROM generate_series($1::bigint, $2::bigint, $6::bigint) AS i WHERE (i * 7919) % 100 < 35`, params.slice(0, 6));
        });
        done += Math.abs(last - first) + 1;
        onProgress?.(done, (performance.now() - t0) / 1000);
    }
    return { loadMs: performance.now() - t0 };
}

/**
 * Purchases `from` to `to - 1` (see seedCartsSql): purchase j is customer k's, k = j·7919 mod n within
 * its span of n; with `customers` (C), k = j·7919 mod C.
 */
export async function seedPurchasesSql(store, { n, from = 0, to = n, now, span = 50 * DAY, chunk = 200_000, customers = null }) {
    const t0 = performance.now();
    for (const [first, last, step] of chronologicalChunks(n, from, to, chunk)) {
        await store.query(`INSERT INTO events (id, type, occurred_at, payload)
            SELECT 'purchase-' || j, 'purchase', 'epoch'::timestamptz + interval '1 millisecond' * (CASE WHEN j < $4
                       THEN $3::bigint - $5::bigint + ((j + 1) * $5::bigint) / $4
                       ELSE $3::bigint - $5::bigint - ((j - $4 + 1) * $5::bigint) / $4 END),
                   jsonb_build_object('customerId', 'c' || k, 'email', 'user' || k || '@example.com', 'orderId', 'o' || j, 'total', 50, 'currency', 'EUR')
            FROM generate_series($1::bigint, $2::bigint, $6::bigint) AS j,
                 LATERAL (SELECT coalesce((j * 7919) % $7::bigint, (j / $4) * $4 + (j * 7919) % $4) AS k) c`, [first, last, now.getTime(), n, span, step, customers]);
    }
    return { loadMs: performance.now() - t0 };
}

/**
 * What an expert writes by hand against this store (bench/run.mjs, bench/since-repeat.mjs): the due
 * window of the carts' originals sent 3 days ago, with now as `$1` (and the rule as `$2`), and the
 * `since` rule's query with the index an expert would create for it.
 */
export const EXPERT_WINDOW = `FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.sent_at >  $1::timestamptz - interval '4 days'
  AND d.sent_at <= $1::timestamptz - interval '3 days'
  AND d.channel = 'email' AND d.status = 'sent' AND d.rule IS NULL AND e.type = 'cartAbandonment'`;
export const SINCE_EXPERT = `SELECT d.id AS delivery_id, d.recipient, e.payload
${EXPERT_WINDOW}
  AND NOT EXISTS (SELECT 1 FROM events p WHERE p.type = 'purchase' AND p.payload ->> 'customerId' = e.payload ->> 'customerId'
                  AND p.occurred_at > d.sent_at AND p.occurred_at <= $1::timestamptz)
  AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = $2 AND x.event_id = d.event_id)`;
export const SINCE_EXPERT_INDEX = `CREATE INDEX bench_expert_purchase_customer ON events (type, (payload ->> 'customerId'), occurred_at)`;
