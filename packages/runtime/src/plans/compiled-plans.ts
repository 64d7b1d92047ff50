// Reads a `followup compile --out` folder for `run|serve|explain --plans <dir>`: the runtime executes it
// without the sources or the compiler. Nothing is executed unless the whole folder is what the compiler
// wrote: the manifest's format is this runtime's, its digest matches, every file it lists has the
// SHA-256 it lists (one changed byte is refused), and with a plan key, the signature is the key's.
// The plans' SQL runs with the store's privileges and their templates are data the renderer validates
// (render/message-renderer.ts), so a folder someone else could write must be signed (docs/architecture.md).
import type { IngestionPlans, Manifest, RenderPlan } from '@followup/compiler';
import { FollowupError } from '@followup/values';
import { createRenderer } from '../render/message-renderer.js';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** The plan format this runtime executes (equal to the compiler's `planFormat`: test/plans checks). */
export const supportedPlanFormat = 'followup.plan/2';

export class PlanFolderError extends FollowupError {
    constructor(message: string) {
        super(message, 'input');
    }
}

export interface CompiledPlans {
    dir: string;
    manifest: Manifest;
    rules: RenderPlan[];
    ingestion: IngestionPlans;
}

const recompile = 'compile the project again with followup compile --out';

export function loadCompiledPlans(dir: string, options: { planKey?: string } = {}): CompiledPlans {
    const where = (file: string) => nodePath.join(dir, file);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new PlanFolderError(`--plans ${dir}: no such folder`);
    if (!fs.existsSync(where('manifest.json'))) throw new PlanFolderError(`${where('manifest.json')}: not found; --plans takes a folder written by followup compile --out`);
    const manifest = parseJson(where('manifest.json'), fs.readFileSync(where('manifest.json'), 'utf8')) as Manifest;
    checkManifest(manifest, where('manifest.json'), options.planKey);

    const read = (file: string): string => {
        const path = where(file);
        if (!/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.')) throw new PlanFolderError(`${where('manifest.json')}: bad file name ${JSON.stringify(file)}`);
        const expected = manifest.files[file];
        if (expected === undefined) throw new PlanFolderError(`${where('manifest.json')}: ${file} is not among its files`);
        if (!fs.existsSync(path)) throw new PlanFolderError(`${path}: missing (the manifest lists it); ${recompile}`);
        const bytes = fs.readFileSync(path);
        if (sha256(bytes) !== expected) throw new PlanFolderError(`${path}: changed since it was compiled (its SHA-256 is not the manifest's); ${recompile}`);
        return bytes.toString('utf8');
    };
    // Every listed file is checked before any is trusted, each read and hashed once.
    const texts = new Map(Object.keys(manifest.files).map(file => [file, read(file)]));
    const text = (file: string): string => texts.get(file) ?? read(file);

    const rules = manifest.rules.map(entry => {
        const plan = parseJson(where(entry.plan), text(entry.plan)) as RenderPlan;
        checkPlan(plan, entry.name, where(entry.plan));
        checkTemplates(plan.templates, where(entry.plan), '');
        return plan;
    });
    const ingestion = parseJson(where(manifest.ingestion), text(manifest.ingestion)) as IngestionPlans;
    if (!isObject(ingestion) || !Array.isArray(ingestion.events)) throw new PlanFolderError(`${where(manifest.ingestion)}: not ingestion plans`);
    ingestion.events.forEach((event, i) => {
        if (!isObject(event) || !Array.isArray(event.transactional)) throw new PlanFolderError(`${where(manifest.ingestion)}: events[${i}] is not an event plan`);
        event.transactional.forEach((t, j) => checkTemplates(t.templates, where(manifest.ingestion), `events[${i}].transactional[${j}]`));
    });
    return { dir, manifest, rules, ingestion };
}

function checkManifest(manifest: Manifest, path: string, planKey: string | undefined): void {
    if (!isObject(manifest)) throw new PlanFolderError(`${path}: not a manifest`);
    if (manifest.format !== supportedPlanFormat) {
        throw new PlanFolderError(`${path}: plans of format ${JSON.stringify(manifest.format)}; this followup executes ${supportedPlanFormat}: ${recompile} of this version`);
    }
    if (manifest.dialect !== 'postgres') throw new PlanFolderError(`${path}: compiled for dialect ${JSON.stringify(manifest.dialect)}; the store needs postgres`);
    if (!isObject(manifest.files) || !Array.isArray(manifest.rules) || typeof manifest.ingestion !== 'string' || typeof manifest.digest !== 'string') {
        throw new PlanFolderError(`${path}: incomplete (files, rules, ingestion and digest are needed); ${recompile}`);
    }
    const { digest, signature, ...body } = manifest;
    if (sha256(JSON.stringify(body)) !== digest) throw new PlanFolderError(`${path}: changed since it was compiled (its digest does not match); ${recompile}`);
    if (planKey !== undefined) {
        if (typeof signature !== 'string') throw new PlanFolderError(`${path}: not signed, and FOLLOWUP_PLAN_KEY is set: compile with the same FOLLOWUP_PLAN_KEY`);
        const expected = Buffer.from('hmac-sha256:' + createHmac('sha256', planKey).update(digest).digest('hex'));
        const given = Buffer.from(signature);
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
            throw new PlanFolderError(`${path}: signed with another key than FOLLOWUP_PLAN_KEY`);
        }
    }
    for (const rule of manifest.rules) {
        if (!isObject(rule) || typeof rule.name !== 'string' || typeof rule.plan !== 'string') throw new PlanFolderError(`${path}: a rule entry without name or plan`);
    }
}

/** What the runtime reads of a plan before trusting its shape; the templates are validated by the renderer. */
function checkPlan(plan: RenderPlan, name: string, path: string): void {
    const problem = !isObject(plan) ? 'not an object'
        : plan.format !== supportedPlanFormat ? `format ${JSON.stringify(plan.format)}, not ${supportedPlanFormat}`
        : plan.rule !== name ? `rule ${JSON.stringify(plan.rule)}, but the manifest names it ${JSON.stringify(name)}`
        : !isObject(plan.queries) || !isQuery(plan.queries.selection) || !isQuery(plan.queries.recheck) ? 'no selection or recheck query'
        : !isObject(plan.templates) ? 'no templates'
        : !isObject(plan.trigger) || typeof plan.event !== 'string' || typeof plan.channel !== 'string' ? 'no trigger, event or channel'
        : undefined;
    if (problem) throw new PlanFolderError(`${path}: not a render plan (${problem}); ${recompile}`);
}

/** Every template program is validated when the folder is read, not when a rule first renders (render/message-renderer.ts). */
function checkTemplates(templates: RenderPlan['templates'], path: string, at: string): void {
    if (!isObject(templates)) throw new PlanFolderError(`${path}: ${at ? `${at}: ` : ''}templates is not an object; ${recompile}`);
    try {
        createRenderer(templates);
    } catch (error) {
        throw new PlanFolderError(`${path}: ${at ? `${at}: ` : ''}${(error as Error).message}`);
    }
}

function isQuery(q: unknown): boolean {
    return isObject(q) && typeof (q as { sql?: unknown }).sql === 'string' && Array.isArray((q as { parameters?: unknown }).parameters);
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(path: string, text: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new PlanFolderError(`${path}: not JSON (${(error as Error).message})`);
    }
}

function sha256(bytes: Uint8Array | string): string {
    return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}
