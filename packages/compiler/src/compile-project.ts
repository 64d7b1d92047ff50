// A checked project → one compiled rule per rule: IR, SQL, render plan. Then, deterministically, files.
import { compareText, FollowupError } from '@followup/values';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isPolicy, isRule, type LoadedProject, type Message, type Policy, type Rule } from '@followup/language';
import type { RuleIR } from './ir/rule-ir.js';
import { lowerRule } from './lower/lower-rule.js';
import { compilerVersion, manifestDigest, manifestSignature, sha256, sourcesHash, type Manifest } from './plan/manifest.js';
import { buildRenderPlan, compileMessageTemplates, planFormat, type RenderPlan } from './plan/render-plan.js';
import { compileIngestionPlans, type IngestionPlans } from './schema/event-plan.js';
import type { DerivedIndex } from './sql/derived-indexes.js';
import type { Dialect } from './sql/dialect.js';
import { getDialect } from './sql/dialects.js';
import { indexesFile, projectIndexes, ruleIndexes } from './sql/derived-indexes.js';
import { explainQuery } from './sql/explain-query.js';
import { buildReportQueries } from './sql/report-query.js';
import { buildRuleQueries } from './sql/rule-queries.js';

export interface CompiledRule {
    name: string;
    ir: RuleIR;
    /** The formatted selection query, as written to `<rule>.sql`. */
    sql: string;
    plan: RenderPlan;
}

export class CompileError extends FollowupError {
    constructor(message: string) {
        super(message, 'input');
    }
}

export function projectRules(project: LoadedProject): Rule[] {
    return project.documents.flatMap(d => d.parseResult.value.declarations.filter(isRule));
}

/** The project-wide `policy { }` blocks, of every file: each applies to every rule (on its channels). */
export function projectPolicies(project: LoadedProject): Policy[] {
    return project.documents.flatMap(d => d.parseResult.value.declarations.filter(isPolicy));
}

export function lowerProject(project: LoadedProject): RuleIR[] {
    const policies = projectPolicies(project);
    return projectRules(project).map(rule => lowerRule(rule, project.root, project.profile, policies))
        .sort((a, b) => compareText(a.rule, b.rule));
}

export function compileProject(project: LoadedProject, options: { dialect?: string } = {}): CompiledRule[] {
    const dialect = getDialect(options.dialect ?? 'postgres');
    return compileRules(project, dialect)
        .map(({ ir, plan }) => ({ name: ir.rule, ir, sql: sqlFile(plan, dialect.format(plan.queries.selection.sql)), plan }));
}

/**
 * The render plans alone, for the commands that execute them (run, serve, explain): no `.sql` file is
 * written, so the queries are not pretty-printed (sql-formatter is most of compiling 1,000 rules).
 */
export function compilePlans(project: LoadedProject, options: { dialect?: string } = {}): RenderPlan[] {
    return compileRules(project, getDialect(options.dialect ?? 'postgres')).map(r => r.plan);
}

function compileRules(project: LoadedProject, dialect: Dialect): { ir: RuleIR; plan: RenderPlan }[] {
    if (project.errorCount > 0) throw new CompileError(`The project has ${project.errorCount} error(s); fix them before compiling`);
    const templatesOf = new Map<Message, RenderPlan['templates']>();
    const policies = projectPolicies(project);
    return projectRules(project)
        .map(rule => {
            const ir = lowerRule(rule, project.root, project.profile, policies);
            const queries = buildRuleQueries(ir, dialect);
            const message = rule.action.message.ref!;
            let templates = templatesOf.get(message);
            if (!templates) templatesOf.set(message, templates = compileMessageTemplates(message, project.profile, project.root));
            return {
                ir,
                plan: buildRenderPlan(ir, templates, {
                    dialect: dialect.name, ...queries, explain: explainQuery(ir, dialect), report: buildReportQueries(ir, dialect), indexes: ruleIndexes(ir, dialect),
                }),
            };
        })
        .sort((a, b) => compareText(a.ir.rule, b.ir.rule));
}

function sqlFile(plan: RenderPlan, formatted: string): string {
    const params = plan.queries.selection.parameters
        .map(p => `--   $${p.index} ${p.uses?.join(', ') ?? p.name} (${p.type})${p.value !== undefined ? ` = ${JSON.stringify(p.value)}` : ''}`)
        .join('\n');
    return `-- followup rule ${plan.rule} (${plan.source.file}:${plan.source.line})\n` +
        `-- Selects who is due: ${plan.trigger.name} sent ${plan.trigger.delay.text} ago, in the window (watermark - delay, now - delay].\n` +
        `-- Parameters:\n${params}\n${formatted};\n`;
}

/** What `compile --out` writes: the rules, the ingestion plans, and the hash of the sources they came from. */
export interface CompiledOutput {
    rules: CompiledRule[];
    ingestion: IngestionPlans;
    sourceHash: string;
}

export function compileOutput(project: LoadedProject, options: { dialect?: string } = {}): CompiledOutput {
    const rules = compileProject(project, options);
    const ingestion = compileIngestionPlans(project);
    return { rules, ingestion, sourceHash: sourcesHash(projectSources(project, rules.map(r => r.plan), ingestion)) };
}

/**
 * The project's .followup files (as compiled, in the project's order) and the template files its rules'
 * and transactional messages read, by path relative to the root: what the plans were compiled from.
 */
export function projectSources(project: LoadedProject, plans: readonly RenderPlan[], ingestion: IngestionPlans): { path: string; text: string }[] {
    const relative = (file: string) => nodePath.relative(project.root, file).split(nodePath.sep).join('/');
    const sources = project.documents.map(d => ({ path: relative(d.uri.fsPath), text: d.textDocument.getText() }));
    const templates = [...plans.map(p => p.templates), ...ingestion.events.flatMap(e => e.transactional.map(t => t.templates))];
    const templateFiles = new Set(templates.flatMap(t => Object.values(t).map(c => c?.from)).filter((f): f is string => !!f && f !== 'inline'));
    for (const file of [...templateFiles].sort()) sources.push({ path: file, text: fs.readFileSync(nodePath.join(project.root, file), 'utf8') });
    return sources;
}

function manifestOf(output: CompiledOutput, dialect: string, files: Map<string, string>, signingKey: string | undefined): Manifest {
    const body = {
        format: planFormat as typeof planFormat,
        compiler: { name: '@followup/compiler' as const, version: compilerVersion },
        dialect,
        sourceHash: output.sourceHash,
        rules: output.rules.map(r => ({
            name: r.name, event: r.plan.event, channel: r.plan.channel, message: r.plan.message,
            sql: `${r.name}.sql`, plan: `${r.name}.plan.json`, sourceHash: r.plan.sourceHash,
        })),
        ingestion: 'ingestion.json',
        files: Object.fromEntries([...files].map(([name, text]) => [name, sha256(text)])),
    };
    const digest = manifestDigest(body);
    return { ...body, digest, ...(signingKey ? { signature: manifestSignature(digest, signingKey) } : {}) };
}

/**
 * The files the previous compile into `outDir` wrote (its manifest lists them): those of rules since
 * removed go, and nothing else in the folder is touched.
 */
function previouslyWritten(outDir: string): string[] {
    try {
        const previous = JSON.parse(fs.readFileSync(nodePath.join(outDir, 'manifest.json'), 'utf8')) as Partial<Manifest>;
        const names = [...Object.keys(previous.files ?? {}), ...(previous.rules ?? []).flatMap(r => [r.sql, r.plan])];
        return names.filter(name => typeof name === 'string' && /^[A-Za-z0-9_.-]+$/.test(name) && !name.startsWith('.'));
    } catch {
        return [];
    }
}

/** Every index the rules' queries need beyond the store's own, each once (see sql/derived-indexes.ts). */
export function planIndexes(plans: readonly RenderPlan[]): DerivedIndex[] {
    return projectIndexes(plans.map(p => p.queries.indexes ?? []));
}

/**
 * Writes `<rule>.sql`, `<rule>.plan.json`, `indexes.sql`, `ingestion.json` and `manifest.json` (which lists
 * the others with their SHA-256: plan/manifest.ts). Byte-identical for the same input and signing key.
 * Files go to a temporary folder first, then replace the output's files, so a failure leaves the
 * previous output whole.
 */
export function writeCompiled(outDir: string, output: CompiledOutput, dialect: string, options: { signingKey?: string } = {}): string[] {
    const { rules } = output;
    const files = new Map<string, string>();
    for (const rule of rules) {
        files.set(`${rule.name}.sql`, rule.sql);
        files.set(`${rule.name}.plan.json`, JSON.stringify(rule.plan, null, 2) + '\n');
    }
    const plans = rules.map(r => r.plan);
    files.set('indexes.sql', indexesFile(planIndexes(plans), name => plans.filter(p => p.queries.indexes.some(i => i.name === name)).map(p => p.rule)));
    files.set('ingestion.json', JSON.stringify(output.ingestion, null, 2) + '\n');
    files.set('manifest.json', JSON.stringify(manifestOf(output, dialect, files, options.signingKey), null, 2) + '\n');
    fs.mkdirSync(outDir, { recursive: true });
    const staging = fs.mkdtempSync(nodePath.join(outDir, '.staging-'));
    try {
        for (const [name, text] of files) fs.writeFileSync(nodePath.join(staging, name), text);
        const stale = previouslyWritten(outDir).filter(name => !files.has(name));
        for (const name of files.keys()) fs.renameSync(nodePath.join(staging, name), nodePath.join(outDir, name));
        for (const name of stale) fs.rmSync(nodePath.join(outDir, name), { force: true });
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
    return [...files.keys()];
}
