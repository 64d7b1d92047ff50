// What run, serve and explain execute: the plans of a `followup compile --out` folder (`--plans <dir>`),
// or those of a project folder compiled in memory (or found unchanged in its plan cache, plan-cache.ts).
// Either way the same plan objects reach the runtime. Langium and the compiler are imported only to
// compile a project: not with --plans, nor for a cached one.
import * as nodePath from 'node:path';
import type { IngestionPlans, RenderPlan } from '@followup/compiler';
import type { LoadedProject } from '@followup/language';
import { loadCompiledPlans } from '@followup/runtime';
import { ExitCode, UsageError, type Io, type ParsedArgs } from './commands/command.js';
import type { CompiledProject } from './plan-cache.js';

export interface ExecutablePlans {
    /** Where followup.config.json and the default store (.followup/db) are. */
    root: string;
    rules: RenderPlan[];
    /** The event and profile plans (serve's ingestion), compiled when asked for. */
    ingestion(): IngestionPlans;
}

/** The `--plans` option, as each command declares it. */
export const plansOption = { plans: { type: 'string' } } as const;

/** The help of `--plans`, its description starting at `column` as the command's other options do. */
export function plansHelp(column: number): string {
    const indent = ' '.repeat(column);
    return `  ${'--plans <dir>'.padEnd(column - 2)}execute what followup compile --out wrote into <dir> (the sources and the
${indent}compiler are not needed; a changed file is refused); the project folder, if given,
${indent}is then only where followup.config.json and .followup/ are (default: this folder)`;
}

/**
 * The plans to execute, or the exit code after the project's errors were printed. `stream` is where
 * diagnostics go (run --json prints them on stdout).
 */
export async function executablePlans(
    args: ParsedArgs, io: Io, options: { command: string; json: boolean; stream: NodeJS.WriteStream },
): Promise<ExecutablePlans | typeof ExitCode.inputErrors> {
    const plansDir = args.values['plans'] as string | undefined;
    if (plansDir !== undefined) {
        if (args.positionals.length > 1) throw new UsageError(`${options.command} --plans takes at most one project folder (for its config and store)`);
        const root = nodePath.resolve(io.cwd, args.positionals[0] ?? '.');
        const planKey = io.env['FOLLOWUP_PLAN_KEY'] || undefined;
        const compiled = loadCompiledPlans(nodePath.resolve(io.cwd, plansDir), planKey ? { planKey } : {});
        return { root, rules: compiled.rules, ingestion: () => compiled.ingestion };
    }
    if (args.positionals.length !== 1) throw new UsageError(`${options.command} takes one project folder (or --plans <dir>)`);
    const compiled = await compiledProject(args.positionals, io.env, async (project) => {
        const { printDiagnostics } = await import('./commands/check.js');
        if (project.errorCount > 0) printDiagnostics(project, options.json, io, options.stream);
        else if (!options.json && project.warningCount > 0) printDiagnostics(project, false, io, io.err);
    });
    if (compiled === undefined) return ExitCode.inputErrors;
    return { root: compiled.root, rules: compiled.rules, ingestion: () => compiled.ingestion };
}

/**
 * A project folder's plans and import schemas: from the plan cache when its sources are unchanged,
 * else loaded, checked and compiled in memory (and cached when it has no diagnostics). `onDiagnostics`
 * is called when the project has any; with errors the result is undefined.
 */
export async function compiledProject(
    inputs: string[], env: NodeJS.ProcessEnv, onDiagnostics: (project: LoadedProject) => Promise<void> | void,
): Promise<CompiledProject | undefined> {
    const { readPlanCache, writePlanCache } = await import('./plan-cache.js');
    const cached = readPlanCache(inputs, env);
    if (cached) return cached;
    const [{ loadProject }, { compileIngestionPlans, compilePlans, projectSources }, { projectSchemas }] = await Promise.all([
        import('@followup/language'), import('@followup/compiler'), import('./project-schemas.js'),
    ]);
    const project = await loadProject(inputs);
    if (project.diagnostics.length > 0) await onDiagnostics(project);
    if (project.errorCount > 0) return undefined;
    const compiled = { root: project.root, rules: compilePlans(project), ingestion: compileIngestionPlans(project), schemas: projectSchemas(project) };
    if (project.diagnostics.length === 0) {
        writePlanCache(compiled, projectSources(project, compiled.rules, compiled.ingestion), project.files, env);
    }
    return compiled;
}
