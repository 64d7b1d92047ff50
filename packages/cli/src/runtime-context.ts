// What the runtime commands (import, run, explain) share: the clock, the store, the project's config.
import * as nodePath from 'node:path';
import type { RenderPlan } from '@followup/compiler';
import { loadConfig, openStore, reconcileRuleIdentities, type ProjectConfig, type Renamed, type Store } from '@followup/runtime';
import { UsageError, type Io, type ParsedArgs } from './commands/command.js';

/** `--now` or FOLLOWUP_NOW (ISO-8601 instants), else the real clock. */
export function resolveNow(args: ParsedArgs, io: Io): Date {
    const given = (args.values['now'] as string | undefined) ?? io.env['FOLLOWUP_NOW'];
    if (given === undefined || given === '') return new Date();
    return parseInstant(given, '--now');
}

/** An ISO-8601 instant with its zone, given to `flag`; a usage error otherwise. */
export function parseInstant(given: string, flag: string): Date {
    const at = new Date(given);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(given) || Number.isNaN(at.getTime())) {
        // Without a zone, JavaScript would read it in this machine's zone: a replay that differs per machine.
        const zoneless = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(given);
        throw new UsageError(zoneless
            ? `${flag} needs a time zone: write ${given}Z for UTC, or an offset such as ${given}+01:00`
            : `${flag} takes an ISO-8601 instant with its zone, such as 2026-11-23T10:00:00Z, not '${given}'`);
    }
    return at;
}

/**
 * Before rules run: renamed rules take their old name's history over (`was`), and a new rule that
 * looks like a retired one is refused (RuleIdentityError). Says on stderr what was taken over.
 */
export async function reconcileIdentities(store: Store, plans: readonly RenderPlan[], io: Io, options: { dryRun?: boolean } = {}): Promise<Renamed[]> {
    const renamed = await reconcileRuleIdentities(store, plans, options);
    for (const r of renamed) {
        io.err.write(`${options.dryRun ? 'would take over' : 'took over'}: rule '${r.to}' was '${r.from}' (${r.decisions} decision${r.decisions === 1 ? '' : 's'} kept)\n`);
    }
    return renamed;
}

/** `--db`, FOLLOWUP_DB, the config's `db`, else the embedded store in `<project>/.followup/db`. */
export function resolveDbTarget(args: ParsedArgs, io: Io, projectRoot: string | undefined, config?: ProjectConfig): string {
    const given = (args.values['db'] as string | undefined) ?? io.env['FOLLOWUP_DB'] ?? config?.db;
    if (given) return /^postgres(ql)?:\/\//i.test(given) ? given : nodePath.resolve(io.cwd, given);
    return nodePath.join(projectRoot ?? io.cwd, '.followup', 'db');
}

export function projectConfig(projectRoot: string): ProjectConfig {
    return loadConfig(projectRoot);
}

export async function openCliStore(target: string): Promise<Store> {
    return openStore(target);
}
