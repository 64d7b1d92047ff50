// Shared by bench/serve.mjs and test/serve/load.test.ts: a throwaway PostgreSQL, `followup serve`
// as a child process, and an autocannon load of cart events that records every id acknowledged (202).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

const run = promisify(execFile);
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(repo, 'packages/cli/bin/followup.js');
export const API_KEY = 'bench-api-key-0f9e8d7c6b5a';

/** A PostgreSQL 15 cluster in a temp folder (Debian's binaries; as root, run as `postgres`), as test/support/postgres.ts does. */
export async function startPostgres({ durable = true } = {}) {
    const bin = ['/usr/lib/postgresql/15/bin', spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout?.trim()]
        .find((dir) => dir && existsSync(join(dir, 'initdb')));
    if (!bin) throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql-15');
    const folder = await mkdtemp(join(tmpdir(), 'followup-bench-pg-'));
    const data = join(folder, 'data');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
        const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout)));
        await chown(folder, uid, gid);
    }
    const pgBin = (name, args) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args));
    await pgBin('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    // Durable commits by default (fsync on): what is acknowledged must survive a crash of the machine,
    // and the bench measures that cost. durable: false turns fsync off (as the tests do).
    const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c max_connections=200` +
        (durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off');
    await pgBin('pg_ctl', ['-D', data, '-l', join(folder, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    const server = `postgres://postgres@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE followup_bench');
    await admin.end();
    let stopped = false;
    const stopNow = () => {
        if (stopped) return;
        const args = ['-D', data, 'stop', '-m', 'immediate'];
        if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
        else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
        spawnSync('rm', ['-rf', folder], { stdio: 'ignore' });
    };
    process.once('exit', stopNow);
    return {
        url: `${server}/followup_bench`,
        async stop() {
            if (stopped) return;
            stopped = true;
            process.removeListener('exit', stopNow);
            await pgBin('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w']).catch(() => {});
            await rm(folder, { recursive: true, force: true });
        },
    };
}

/** The cart-abandonment example in a temp folder, its emails going to `transport` (default: an outbox folder). */
export async function benchProject(transport) {
    const dir = await mkdtemp(join(tmpdir(), 'followup-bench-project-'));
    const example = join(repo, 'examples/cart-abandonment');
    await cp(example, dir, { recursive: true, filter: (from) => relative(example, from).split(sep)[0] !== '.followup' });
    if (transport) await writeFile(join(dir, 'followup.config.json'), JSON.stringify({ from: 'Shop <shop@example.com>', transports: { email: transport } }));
    return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts `followup serve` (with `ingestOnly`: `--no-send`) and resolves once it listens. */
export function startServe(project, db, env = {}, { ingestOnly = false } = {}) {
    // BENCH_NODE_ARGS: extra node flags for serve (`--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const command = [bin, 'serve', project, '--db', db, '--port', '0', ...(ingestOnly ? ['--no-send'] : [])];
    const child = spawn(process.execPath, [...nodeArgs, ...command], {
        env: { ...process.env, FOLLOWUP_API_KEYS: API_KEY, FOLLOWUP_SECRET: 'bench-secret-0123456789abcdef', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const url = new Promise((resolve, reject) => {
        child.stdout.on('data', () => {
            const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
            if (line) resolve(JSON.parse(line).url);
        });
        exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${out}\n${err}`)));
    });
    return { child, url, exited, stdout: () => out, stderr: () => err };
}

/**
 * Posts cart events for `seconds` over `connections` keep-alive connections; each body has a unique
 * id. Resolves with autocannon's result and the ids acknowledged with a 202.
 */
export function loadEvents(url, { seconds, connections, prefix, onStarted, rate }) {
    const acknowledged = [];
    let next = 0;
    const instance = autocannon({
        url,
        connections,
        duration: seconds,
        // Each connection waits for its answer before the next request: a fixed concurrency.
        pipelining: 1,
        // With a rate, at most that many requests per second over all connections (offered load).
        ...(rate ? { overallRate: rate } : {}),
        timeout: 10,
        requests: [{
            method: 'POST',
            path: '/v1/events/cartAbandonment',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
            setupRequest(request) {
                const n = next++;
                return { ...request, body: JSON.stringify({ id: `${prefix}-${n}`, data: cart(n) }) };
            },
            onResponse(status, body) {
                if (status === 202) acknowledged.push(JSON.parse(body).event);
            },
        }],
    });
    onStarted?.(instance);
    return new Promise((resolve, reject) => {
        instance.on('done', (result) => resolve({ result, acknowledged }));
        instance.on('error', reject);
    });
}

function cart(n) {
    return {
        customerId: `c${n}`, email: `user${n}@example.com`, firstName: `User${n}`, cartTotal: 120.5, currency: 'EUR',
        items: [{ sku: 'sku-1', name: 'Shoe', price: '60.25', quantity: 2 }, { sku: 'sku-2', name: 'Sock', price: '4.99', quantity: 3 }],
        cartUrl: `https://shop.example/cart/${n}`, loyaltyMember: n % 2 === 0, abandonedAt: '2026-11-20T09:55:00Z',
    };
}

/** Which of `ids` are missing from the store: events, or their queued transactional message; and how many of those messages were sent. */
export async function missingFromStore(dbUrl, ids) {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
        const { rows } = await client.query(
            `SELECT i.id, e.id IS NOT NULL AS event, o.delivery_id IS NOT NULL AS outbox, o.status
             FROM unnest($1::text[]) AS i(id)
             LEFT JOIN events e ON e.id = i.id
             LEFT JOIN outbox o ON o.delivery_id = 'transactional.email:' || i.id`,
            [ids],
        );
        const statuses = {};
        for (const r of rows) if (r.outbox) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        return { events: rows.filter((r) => !r.event).map((r) => r.id), messages: rows.filter((r) => !r.outbox).map((r) => r.id), sent: statuses.sent ?? 0, statuses };
    } finally {
        await client.end();
    }
}

function freePort() {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}
