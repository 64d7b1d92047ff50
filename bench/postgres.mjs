// A throwaway PostgreSQL 15 server for the benchmarks (as test/support/postgres.ts starts one for the
// tests): initdb in a temp folder, stock planner settings, durability off; stopped (and removed) by
// `stop()` or when the process exits. Runs the server as the `postgres` user when we are root.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
    });
}
/** Starts a server with a database `followup_bench`: `{ url, version, stop }`. */
export async function startPostgres() {
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
        const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
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
