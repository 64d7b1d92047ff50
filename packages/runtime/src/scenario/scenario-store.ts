// The store scenario tests run on: one embedded PostgreSQL (PGlite) in memory per `followup test`,
// started from a migrated template and emptied between tests.
//
// Creating a PGlite database runs initdb (about 3-5 s on these machines); loading a data directory
// dumped after initdb and the migrations takes about 1 s. So the first `followup test` dumps a
// migrated template into the temp folder (named after PGlite's version, the schema version and a digest
// of the migrations' SQL, so that a changed migration makes a new one), and
// every later one loads it. Between two tests every table is emptied, which keeps each test isolated
// while it runs the real executor with real commits (a transaction rolled back per test would not do:
// the executor and the import commit their own). A test leaves a few dozen rows, which DELETE removes
// in about a millisecond where TRUNCATE takes 15-20 ms (new files for every table and index); every
// hundredth time it is a TRUNCATE, which also gives the dead rows' space back (PGlite has no autovacuum).
import type { PGlite } from '@electric-sql/pglite';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { currentSchemaVersion, migrate } from '../store/migrate.js';
import { latestSchemaVersion, storeTables } from '../store/migrations/index.js';
import { StorePglite } from '../store/pglite-array-types.js';
import { dropTemplateDatabases, removeStaleTemplates, templateTag } from '../store/pglite-template.js';
import { SMALL_STORE_SHARED_BUFFERS } from '../store/open.js';
import { PgliteStore, pgliteStartParams, TIMESTAMP_PARSERS } from '../store/pglite.js';
import type { Store, StoreTx } from '../store/store.js';

export interface ScenarioStoreOptions {
    /** Where the migrated template is kept (default: the system's temp folder). */
    templateDir?: string;
}

export interface ScenarioStore {
    store: Store;
    /** `template` when it was loaded from the dumped template, `created` when it had to be made (and dumped). */
    origin: 'template' | 'created';
}

/**
 * Timestamps without a zone mean UTC, as in every other store (store/pglite.ts), set at PostgreSQL's
 * start; a scenario's store is small: the shared buffers of a short command on a small store (store/open.ts).
 */
const SCENARIO_STORE = { parsers: TIMESTAMP_PARSERS, startParams: pgliteStartParams({ settings: { TimeZone: 'UTC' }, sharedBuffers: SMALL_STORE_SHARED_BUFFERS }) };

/** An empty, migrated embedded store in memory. */
export async function openScenarioStore(options: ScenarioStoreOptions = {}): Promise<ScenarioStore> {
    const file = join(options.templateDir ?? tmpdir(), `followup-test-store-${templateTag()}.tar.gz`);
    const loaded = await loadTemplate(file);
    if (loaded) return { store: loaded, origin: 'template' };
    const db = await StorePglite.open(SCENARIO_STORE);
    const store = asStore(db);
    await migrate(store);
    await dropTemplateDatabases(db);
    await saveTemplate(db, file);
    removeStaleTemplates(dirname(file), 'followup-test-store-', file);
    return { store, origin: 'created' };
}

const emptied = new WeakMap<StoreTx, number>();

/** Empties every table of the store: for a store made for tests only. */
export async function emptyStore(store: StoreTx): Promise<void> {
    const n = (emptied.get(store) ?? 0) + 1;
    emptied.set(store, n);
    if (n % 100 === 0) await store.exec(`TRUNCATE ${storeTables.join(', ')} RESTART IDENTITY`);
    // Children first: the foreign keys point backwards in storeTables.
    else await store.exec([...storeTables].reverse().map(table => `DELETE FROM ${table};`).join('\n'));
}

function asStore(db: PGlite): Store {
    return new PgliteStore(db, async () => {});
}

async function loadTemplate(file: string): Promise<Store | undefined> {
    let bytes: Buffer;
    try {
        bytes = await readFile(file);
    } catch {
        return undefined;
    }
    let db: PGlite | undefined;
    try {
        db = await StorePglite.open({ ...SCENARIO_STORE, loadDataDir: new Blob([new Uint8Array(bytes)]) });
        const store = asStore(db);
        if ((await currentSchemaVersion(store)) === latestSchemaVersion) return store;
        await store.close();
    } catch {
        await db?.close().catch(() => {});
    }
    return undefined; // unreadable or stale: made again
}

async function saveTemplate(db: PGlite, file: string): Promise<void> {
    try {
        // Compressed (4.5 MB): the 40 MB uncompressed one loads no faster and doubles the peak memory (measured).
        const dump = await db.dumpDataDir('gzip');
        await mkdir(dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.partial`;
        await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
        await rename(partial, file); // atomic: a concurrent reader sees the whole file or none
    } catch {
        // A template that cannot be written only costs the next run its creation time.
    }
}
