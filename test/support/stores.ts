/**
 * Run the same tests on both store engines: an embedded PGlite in a temp folder, and a database on a
 * real PostgreSQL 15 server shared by the test file (started on first use, stopped after the file).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type Store, type StoreEngine } from '../../packages/runtime/src/index.js';
import { startPostgres, withClient, type PostgresServer } from './postgres.js';

export interface EngineContext {
    readonly engine: StoreEngine;
    /** The block's store, opened and migrated in beforeAll, closed in afterAll. */
    readonly store: Store;
    /** The target `store` was opened with. */
    readonly target: string;
    /**
     * A target for another, empty database of the same engine (a new temp folder, or a new database
     * on the shared server), not yet opened: whoever opens it closes it. Removed after the block.
     */
    freshTarget(): Promise<string>;
}

let sharedServer: Promise<PostgresServer> | undefined;
let pgliteTemplate: Promise<string> | undefined;

/** The test file's PostgreSQL server, started on first use. */
export function sharedPostgres(): Promise<PostgresServer> {
    sharedServer ??= startPostgres();
    return sharedServer;
}

/**
 * An empty PGlite folder (initdb done, not migrated) that fresh targets copy: creating a PGlite
 * database takes 5-9 s, copying one and opening it about 1.5 s.
 */
function emptyPgliteFolder(): Promise<string> {
    pgliteTemplate ??= (async () => {
        const folder = await mkdtemp(join(tmpdir(), 'followup-pglite-template-'));
        await (await openStore(folder, { migrate: false })).close();
        return folder;
    })();
    return pgliteTemplate;
}

/** Stops the shared server and removes the PGlite template (after the file, or the calling describe). */
export async function releaseSharedDatabases(): Promise<void> {
    const [server, template] = [sharedServer, pgliteTemplate];
    sharedServer = pgliteTemplate = undefined;
    if (server) await (await server.catch(() => undefined))?.stop();
    const folder = template && (await template.catch(() => undefined));
    if (folder) await rm(folder, { recursive: true, force: true });
}

/** Runs the block `fn` declares twice: `name [pglite]` and `name [postgres]`. */
export function forEachEngine(name: string, fn: (ctx: EngineContext) => void): void {
    // Registered on the caller's suite (the file, usually), so it runs after both blocks.
    afterAll(releaseSharedDatabases);
    for (const engine of ['pglite', 'postgres'] as const) {
        describe(`${name} [${engine}]`, () => {
            const cleanups: (() => Promise<unknown>)[] = [];
            let opened: { store: Store; target: string } | undefined;
            const current = () => {
                if (!opened) throw new Error('the store opens in beforeAll: use ctx.store inside hooks and tests');
                return opened;
            };
            const ctx: EngineContext = {
                engine,
                get store() {
                    return current().store;
                },
                get target() {
                    return current().target;
                },
                freshTarget: () => freshTarget(engine, cleanups),
            };
            beforeAll(async () => {
                const target = await ctx.freshTarget();
                opened = { store: await openStore(target), target };
            });
            afterAll(async () => {
                await opened?.store.close();
                for (const cleanup of cleanups.reverse()) await cleanup();
            });
            fn(ctx);
        });
    }
}

async function freshTarget(engine: StoreEngine, cleanups: (() => Promise<unknown>)[]): Promise<string> {
    if (engine === 'pglite') {
        const folder = await mkdtemp(join(tmpdir(), 'followup-pglite-'));
        cleanups.push(() => rm(folder, { recursive: true, force: true }));
        await cp(await emptyPgliteFolder(), folder, { recursive: true });
        return folder;
    }
    return freshPostgresTarget();
}

/** A new, empty database on the file's shared PostgreSQL server (which goes after the file, with it). */
export async function freshPostgresTarget(): Promise<string> {
    const { url } = await sharedPostgres();
    const database = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    await withClient(url, (client) => client.query(`CREATE DATABASE ${database}`));
    const target = new URL(url);
    target.pathname = `/${database}`;
    return target.toString();
}
