// A new embedded store starts as a copy of a migrated template, not by running PGlite's initdb and
// every migration again (3-5 s of CPU on these machines). The template holds only the database the
// store uses: initdb's template0 and template1 (two thirds of its ~1,050 files, 15 of its 40 MB) are
// dropped, since an embedded store never runs CREATE DATABASE, and creating files is what a copy
// costs (0.4-0.9 s of system time for the whole template here, 0.05-0.4 s without them). The
// template is made once per machine, PGlite version and schema: in the system's temp folder, named
// after PGlite's version, the schema version and a digest of the migrations' SQL (a migration changed
// in place makes a new one). `followup test` keeps its in-memory template (a dumped data directory)
// under the same naming: packages/runtime/src/scenario/scenario-store.ts. Whoever makes a new template
// removes the ones of other tags (older schemas or PGlite versions, 25-40 MB each), which nothing else
// would ever remove.
import { PGlite } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrate } from './migrate.js';
import { latestSchemaVersion, migrations } from './migrations/index.js';

/** `pglite-<version>-schema-<n>-<digest of the migrations>`: what a template is valid for. */
export function templateTag(): string {
    return `pglite-${pgliteVersion()}-schema-${latestSchemaVersion}-${schemaDigest()}-one-db`;
}

/**
 * Drops initdb's template databases from a store made to be copied (see the head of this file); the
 * store's own database, `postgres`, is what PGlite connects to.
 */
export async function dropTemplateDatabases(db: PGlite): Promise<void> {
    for (const name of ['template0', 'template1']) {
        await db.exec(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
        await db.exec(`DROP DATABASE ${name}`);
    }
    await db.exec('CHECKPOINT');
}

/**
 * Fills `folder` (holding nothing but `keep`, e.g. its lock file) with a copy of the migrated template,
 * making the template first when this machine has none. Returns false, leaving the folder as it was,
 * when no template can be had (the temp folder is not writable, ...): the caller creates the database
 * the slow way.
 */
export async function copyStoreTemplate(folder: string, options: { keep?: readonly string[]; templateDir?: string; wrap: (db: PGlite) => Promise<Parameters<typeof migrate>[0]> }): Promise<boolean> {
    const entries = readdirSync(folder).filter((name) => !(options.keep ?? []).includes(name));
    if (entries.length > 0) return false;
    try {
        const template = join(options.templateDir ?? tmpdir(), `followup-store-${templateTag()}`);
        if (!existsSync(join(template, 'PG_VERSION'))) await makeTemplate(template, options.wrap);
        copyTree(template, folder);
        return true;
    } catch {
        // A half-copied folder would be a broken database: leave it as it was.
        for (const name of readdirSync(folder)) if (!(options.keep ?? []).includes(name)) rmSync(join(folder, name), { recursive: true, force: true });
        return false;
    }
}

async function makeTemplate(template: string, wrap: (db: PGlite) => Promise<Parameters<typeof migrate>[0]>): Promise<void> {
    const partial = `${template}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
    mkdirSync(dirname(template), { recursive: true });
    try {
        const db = await PGlite.create(partial);
        const store = await wrap(db);
        try {
            await migrate(store);
            await dropTemplateDatabases(db);
        } finally {
            await store.close();
        }
        try {
            renameSync(partial, template); // atomic: a concurrent reader sees a whole template or none
            removeStaleTemplates(dirname(template), 'followup-store-', template);
        } catch (error) {
            // Another process made it meanwhile: theirs stands.
            if (!existsSync(join(template, 'PG_VERSION'))) throw error;
        }
    } finally {
        rmSync(partial, { recursive: true, force: true });
    }
}

/** How old an unfinished template must be to count as abandoned (its maker died). */
const ABANDONED_MS = 60 * 60_000;

/**
 * Removes the templates in `folder` named `<prefix>...` other than `current` (a path in it): those of
 * other tags, and unfinished ones abandoned for an hour. Best effort: a template another process is
 * reading right now is removed all the same, and that process makes its store the slow way (see
 * copyStoreTemplate); errors are ignored.
 */
export function removeStaleTemplates(folder: string, prefix: string, current: string): void {
    const keep = current.slice(folder.length + 1);
    let names: string[];
    try {
        names = readdirSync(folder);
    } catch {
        return;
    }
    for (const name of names) {
        if (!name.startsWith(prefix) || name === keep) continue;
        const path = join(folder, name);
        try {
            if (name.endsWith('.partial') && Date.now() - statSync(path).mtimeMs < ABANDONED_MS) continue; // being made
            rmSync(path, { recursive: true, force: true });
        } catch {
            // gone meanwhile, or not ours to remove
        }
    }
}

/** Plain file copies (copy_file_range in the kernel): fs.cpSync's per-file checks cost several times more. */
function copyTree(from: string, to: string): void {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
        const source = join(from, entry.name);
        const target = join(to, entry.name);
        if (entry.isDirectory()) copyTree(source, target);
        else copyFileSync(source, target);
    }
}

/** The first 12 hex digits of a SHA-256 of every migration's SQL. */
export function schemaDigest(): string {
    const hash = createHash('sha256');
    for (const m of migrations) hash.update(`${m.version}\u0000${m.sql}\u0000`);
    return hash.digest('hex').slice(0, 12);
}

export function pgliteVersion(): string {
    try {
        const require = createRequire(import.meta.url);
        let dir = dirname(require.resolve('@electric-sql/pglite'));
        for (let i = 0; i < 4; i++, dir = dirname(dir)) {
            try {
                const manifest = require(join(dir, 'package.json')) as { name?: string; version?: string };
                if (manifest.name === '@electric-sql/pglite' && manifest.version) return manifest.version;
            } catch {
                // not there: one folder up
            }
        }
    } catch {
        // bundled: no package to read
    }
    return 'unknown';
}
