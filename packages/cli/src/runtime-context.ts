// What the runtime commands (import, run, explain) share: the clock, the store, the project's config.
import * as nodePath from 'node:path';
import { loadConfig, openStore, type ProjectConfig, type Store } from '@followup/runtime';
import { UsageError, type Io, type ParsedArgs } from './commands/command.js';

/** `--now` or FOLLOWUP_NOW (ISO-8601 instants), else the real clock. */
export function resolveNow(args: ParsedArgs, io: Io): Date {
    const given = (args.values['now'] as string | undefined) ?? io.env['FOLLOWUP_NOW'];
    if (given === undefined || given === '') return new Date();
    const at = new Date(given);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(given) || Number.isNaN(at.getTime())) {
        throw new UsageError(`--now takes an ISO-8601 instant such as 2026-11-23T10:00:00Z, not '${given}'`);
    }
    return at;
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
