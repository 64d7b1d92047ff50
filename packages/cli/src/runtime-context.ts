// What the runtime commands (import, run, explain) share: the clock, the store, the project's config.
import * as nodePath from 'node:path';
import type { RenderPlan } from '@followup/compiler';
import { describeCreatedIndex, describeFailedIndex, ensureIndexes, loadConfig, neededIndexes, openStore, reconcileRuleIdentities, SMALL_STORE_SHARED_BUFFERS, type ProjectConfig, type Renamed, type Store } from '@followup/runtime';
import { INSTANT_WORDS, parseInstant } from '@followup/values';
import { UsageError, type Io, type ParsedArgs } from './commands/command.js';
import { setTieringBudgetForStore } from './wasm-tiering.js';

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
    if (!at) {
        // Without a zone, JavaScript would read it in this machine's zone: a replay that differs per machine.
        const zoneless = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
        throw new UsageError(zoneless
            ? `${what} needs a time zone: write ${text}Z for UTC, or an offset such as ${text}+01:00`
            : `${what} takes ${INSTANT_WORDS.replace(/"/g, '')}, not '${text.slice(0, 100)}'`);
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

/**
 * Before rules run: the indexes their queries need (derived by the compiler) are created when the
 * store lacks them, and each one created is said on stderr. A dry run creates none: it says which
 * are missing.
 */
export async function createIndexes(store: Store, plans: readonly RenderPlan[], io: Io, dryRun = false): Promise<void> {
    if (dryRun) {
        const needed = neededIndexes(plans).map((i) => i.name);
        if (needed.length === 0) return;
        const { rows } = await store.query<{ name: string }>(
            `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND i.indisvalid AND c.relname = ANY ($1::text[])`,
            [needed],
        );
        const present = new Set(rows.map((r) => r.name));
        for (const name of needed) if (!present.has(name)) io.err.write(`would create index ${name} (not in a dry run)\n`);
        return;
    }
    const result = await ensureIndexes(store, plans);
    for (const index of result.created) io.err.write(`${describeCreatedIndex(index)}\n`);
    for (const name of result.building) io.err.write(`index ${name} is being built by another process: this run may be slow\n`);
    for (const failed of result.failed) io.err.write(`${describeFailedIndex(failed)}\n`);
}

/** A store target naming a PostgreSQL server (else it is the folder of an embedded store). */
export function isServerUrl(target: string): boolean {
    return /^postgres(ql)?:\/\//i.test(target);
}

/** `--db`, FOLLOWUP_DB, the config's `db`, else the embedded store in `<project>/.followup/db`. */
export function resolveDbTarget(args: ParsedArgs, io: Io, projectRoot: string | undefined, config?: ProjectConfig): string {
    const given = (args.values['db'] as string | undefined) ?? io.env['FOLLOWUP_DB'] ?? config?.db;
    if (given) return isServerUrl(given) ? given : nodePath.resolve(io.cwd, given);
    return nodePath.join(projectRoot ?? io.cwd, '.followup', 'db');
}

export function projectConfig(projectRoot: string): ProjectConfig {
    return loadConfig(projectRoot);
}

/**
 * Opens the store of a command. For a short command (all but serve) on the embedded store, first picks
 * how long PGlite stays on V8's baseline code from the store's size and `incomingBytes` (what an
 * import brings; wasm-tiering.ts); on small work, the store also gets small shared buffers, which
 * PGlite zeroes at every start (SMALL_STORE_SHARED_BUFFERS). `sustained`: many seconds of work on
 * however small a store (simulate), which keeps TurboFan.
 */
export async function openCliStore(target: string, options: { longRunning?: boolean; incomingBytes?: number; sustained?: boolean } = {}): Promise<Store> {
    if (options.longRunning || isServerUrl(target)) return openStore(target);
    const small = setTieringBudgetForStore(target, options.incomingBytes, options.sustained);
    return openStore(target, small ? { sharedBuffers: SMALL_STORE_SHARED_BUFFERS } : {});
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
