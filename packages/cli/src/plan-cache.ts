// The project folder's compiled plans, kept in <project>/.followup/cache/plans.json so that `run`,
// `serve`, `explain` and `import` given an unchanged project skip Langium and the compiler (~0.4 s of
// CPU at every start, bench/startup.mjs). An entry is used only when it was written by this very
// build of followup (the bundle's content hash, bundle.mjs) for this folder, the folder's .followup
// files are the ones listed, and every listed source (.followup and template files) has the SHA-256
// listed. Anything else, or anything unreadable, compiles again. Only projects without diagnostics are
// kept, so that a warning is printed at every start as before. FOLLOWUP_PLAN_CACHE=off turns it off.
import type { IngestionPlans, RenderPlan } from '@followup/compiler';
import { findFollowupFiles } from '@followup/language/project-files';
import type { EventSchema, FieldType, ImportSchemas, SchemaField } from '@followup/runtime';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

const cacheFormat = 'followup.plan-cache/1';

/** What a project folder compiles to, for the commands that execute it. */
export interface CompiledProject {
    root: string;
    rules: RenderPlan[];
    ingestion: IngestionPlans;
    /** The declarations `import` checks records against (without followup.config.json's phone region). */
    schemas: ImportSchemas;
}

interface CacheEntry {
    format: typeof cacheFormat;
    build: string;
    root: string;
    /** The project's .followup files, relative to the root, in walk order. */
    followupFiles: string[];
    /** Every source read to compile: relative path → `sha256:<hex>`. */
    sources: Record<string, string>;
    rules: RenderPlan[];
    ingestion: IngestionPlans;
    schemas: StoredSchemas;
}

/** The build's identity: set by the bundle's entry (scripts/bundle.mjs); without it (unbundled) nothing is cached. */
function buildId(): string | undefined {
    const url = (globalThis as Record<symbol, unknown>)[Symbol.for('followup.build')];
    if (!(url instanceof URL)) return undefined;
    try {
        return fs.readFileSync(url, 'utf8').trim() || undefined;
    } catch {
        return undefined;
    }
}

function enabled(env: NodeJS.ProcessEnv): boolean {
    return env['FOLLOWUP_PLAN_CACHE'] !== 'off';
}

/** A project is cached when it is given as one folder (not a list of files). */
function cacheableRoot(inputs: string[]): string | undefined {
    if (inputs.length !== 1) return undefined;
    const root = nodePath.resolve(inputs[0]!);
    try {
        return fs.statSync(root).isDirectory() ? root : undefined;
    } catch {
        return undefined;
    }
}

const cachePath = (root: string) => nodePath.join(root, '.followup', 'cache', 'plans.json');
const relative = (root: string, file: string) => nodePath.relative(root, file).split(nodePath.sep).join('/');
const sha256 = (bytes: string | Uint8Array) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');

/** The cached compilation of the project in `inputs`, when every source is as it was compiled; else undefined. */
export function readPlanCache(inputs: string[], env: NodeJS.ProcessEnv): CompiledProject | undefined {
    const root = cacheableRoot(inputs);
    const build = buildId();
    if (root === undefined || build === undefined || !enabled(env)) return undefined;
    try {
        const entry = JSON.parse(fs.readFileSync(cachePath(root), 'utf8')) as CacheEntry;
        if (entry.format !== cacheFormat || entry.build !== build || entry.root !== root) return undefined;
        const now = findFollowupFiles([root]).files.map(f => relative(root, f));
        if (now.length !== entry.followupFiles.length || now.some((f, i) => f !== entry.followupFiles[i])) return undefined;
        for (const [file, hash] of Object.entries(entry.sources)) {
            if (sha256(fs.readFileSync(nodePath.join(root, file))) !== hash) return undefined;
        }
        return { root, rules: entry.rules, ingestion: entry.ingestion, schemas: fromStored(entry.schemas) };
    } catch {
        return undefined;
    }
}

/**
 * Keeps `compiled` for the next start. `sources` are what it was compiled from (the compiler's
 * `projectSources`: the .followup files as compiled, then the template files), by relative path;
 * `followupFiles` the project's .followup files in its order. Failing to write (a read-only folder)
 * only loses the cache.
 */
export function writePlanCache(
    compiled: CompiledProject, sources: ReadonlyArray<{ path: string; text: string }>, followupFiles: readonly string[], env: NodeJS.ProcessEnv,
): void {
    const root = compiled.root;
    const build = buildId();
    if (build === undefined || !enabled(env)) return;
    const path = cachePath(root);
    const temp = `${path}.${process.pid}.tmp`;
    try {
        const entry: CacheEntry = {
            format: cacheFormat, build, root, followupFiles: followupFiles.map(f => relative(root, f)),
            sources: Object.fromEntries(sources.map(s => [s.path, sha256(s.text)])),
            rules: compiled.rules, ingestion: compiled.ingestion, schemas: toStored(compiled.schemas),
        };
        fs.mkdirSync(nodePath.dirname(path), { recursive: true });
        fs.writeFileSync(temp, JSON.stringify(entry));
        fs.renameSync(temp, path);
    } catch {
        fs.rmSync(temp, { force: true });
    }
}

// Import's schemas hold record types as functions (their fields resolved lazily, so a record may
// contain itself); stored, each record is written once by name and referred to by name.
type StoredType =
    | { kind: 'primitive'; name: string }
    | { kind: 'list'; element: StoredType }
    | { kind: 'record'; name: string }
    | { kind: 'unknown' };
interface StoredField { name: string; type: StoredType; optional: boolean }
interface StoredSchemas {
    events: { name: string; kind?: 'event' | 'profile'; key?: string; fields: StoredField[] }[];
    profile?: { name: string; kind?: 'event' | 'profile'; key?: string; fields: StoredField[] };
    records: Record<string, StoredField[]>;
}

function toStored(schemas: ImportSchemas): StoredSchemas {
    const records: Record<string, StoredField[]> = {};
    const type = (t: FieldType): StoredType => {
        if (t.kind === 'list') return { kind: 'list', element: type(t.element) };
        if (t.kind === 'record') {
            if (!(t.name in records)) {
                records[t.name] = []; // marked first, so that a record that contains itself stops here
                records[t.name] = t.fields().map(field);
            }
            return { kind: 'record', name: t.name };
        }
        return t.kind === 'primitive' ? { kind: 'primitive', name: t.name } : { kind: 'unknown' };
    };
    const field = (f: SchemaField): StoredField => ({ name: f.name, type: type(f.type), optional: f.optional });
    const schema = (s: EventSchema) => ({
        name: s.name, ...(s.kind ? { kind: s.kind } : {}), ...(s.key !== undefined ? { key: s.key } : {}), fields: s.fields.map(field),
    });
    return { events: schemas.events.map(schema), ...(schemas.profile ? { profile: schema(schemas.profile) } : {}), records };
}

function fromStored(stored: StoredSchemas): ImportSchemas {
    const type = (t: StoredType): FieldType => {
        if (t.kind === 'list') return { kind: 'list', element: type(t.element) };
        if (t.kind === 'record') {
            const fields = stored.records[t.name] ?? [];
            return { kind: 'record', name: t.name, fields: () => fields.map(field) };
        }
        return t.kind === 'primitive' ? { kind: 'primitive', name: t.name as Extract<FieldType, { kind: 'primitive' }>['name'] } : { kind: 'unknown' };
    };
    const field = (f: StoredField): SchemaField => ({ name: f.name, type: type(f.type), optional: f.optional });
    const schema = (s: StoredSchemas['events'][number]): EventSchema => ({
        name: s.name, ...(s.kind ? { kind: s.kind } : {}), ...(s.key !== undefined ? { key: s.key } : {}), fields: s.fields.map(field),
    });
    return { events: stored.events.map(schema), ...(stored.profile ? { profile: schema(stored.profile) } : {}) };
}
