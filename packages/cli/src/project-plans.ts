// What run, serve and explain execute: the plans of a `followup compile --out` folder (`--plans <dir>`),
// or those of a project folder compiled in memory. Either way the same plan objects reach the runtime.
// With --plans neither Langium nor the compiler is loaded: they are imported only to compile a project.
import * as nodePath from 'node:path';
import type { IngestionPlans, RenderPlan } from '@followup/compiler';
import { loadCompiledPlans } from '@followup/runtime';
import { ExitCode, UsageError, type Io, type ParsedArgs } from './commands/command.js';

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
    const [{ loadProject }, { compileIngestionPlans, compilePlans }, { printDiagnostics }] = await Promise.all([
        import('@followup/language'), import('@followup/compiler'), import('./commands/check.js'),
    ]);
    const project = await loadProject(args.positionals);
    if (project.errorCount > 0) {
        printDiagnostics(project, options.json, io, options.stream);
        return ExitCode.inputErrors;
    }
    if (project.warningCount > 0 && !options.json) printDiagnostics(project, false, io, io.err);
    return { root: project.root, rules: compilePlans(project), ingestion: () => compileIngestionPlans(project) };
}
