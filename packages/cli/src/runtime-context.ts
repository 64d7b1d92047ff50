// What the runtime commands (import, run, explain) share: the clock, the store, the project's config.
import * as nodePath from 'node:path';
import { loadConfig, openStore, type ProjectConfig, type Store } from '@followup/runtime';
import { INSTANT_WORDS, parseInstant } from '@followup/values';
import { UsageError, type Io, type ParsedArgs } from './commands/command.js';

/** `--now` or FOLLOWUP_NOW (ISO-8601 instants), else the real clock. */
export function resolveNow(args: ParsedArgs, io: Io): Date {
    const given = (args.values['now'] as string | undefined) ?? io.env['FOLLOWUP_NOW'];
    if (given === undefined || given === '') return new Date();
    return parseInstantArgument(given, '--now');
}

/**
 * An instant given on the command line or in the environment, by the value rule every instant
 * follows (@followup/values): a zone is required, the years are 0001-9999.
 */
export function parseInstantArgument(text: string, what: string): Date {
    const at = parseInstant(text);
    if (!at) throw new UsageError(`${what} takes ${INSTANT_WORDS.replace(/"/g, '')}, not '${text.slice(0, 100)}'`);
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

/** FOLLOWUP_SEND_LEASE (seconds): how long a claimed batch of messages is held without renewal (default 60). */
export function sendLeaseMs(io: Io): number | undefined {
    const given = io.env['FOLLOWUP_SEND_LEASE'];
    if (given === undefined || given === '') return undefined;
    const seconds = Number(given);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(given) || seconds < 1 || seconds > 86_400) {
        throw new UsageError(`FOLLOWUP_SEND_LEASE takes seconds (1 to 86400), not '${given}'`);
    }
    return Math.round(seconds * 1000);
}
