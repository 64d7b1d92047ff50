// `followup prune`: deletes history older than an instant that no rule or explain still reads
// (packages/runtime/src/store/prune.ts; docs/scaling.md).
import { instant, pruneStore, prunedTables, type PruneCounts, type PrunedTable } from '@followup/runtime';
import { styleFor } from '../output/terminal.js';
import { openCliStore, parseInstantArgument, projectConfig, resolveDbTarget, resolveNow } from '../runtime-context.js';
import { executablePlans, plansHelp, plansOption } from '../project-plans.js';
import { ExitCode, UsageError, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const pruneCommand: Command = {
    name: 'prune',
    summary: summaryOf('prune'),
    usage: 'followup prune <project> | --plans <dir> --before <instant> [--db <target>] [--now <instant>] [--dry-run] [--json]',
    help: `Deletes the history older than --before that nothing still reads: each event that happened before
it, with its deliveries, their opens, clicks and outbox rows, and its decisions, when all of them are
older than --before and none of its follow-ups is still to be sent; profile versions superseded before
it; old scheduler claims. Suppressions, watermarks, rule identities and runs are never deleted, so a
follow-up is still never sent twice: every delivery pruned is outside every window a rule can select
again.

--before must not be later than what the project's rules still read, else nothing is deleted and the
command says which rule needs what (exit 2):
  - each rule's window: its watermark minus its delay (a rule that never ran: now minus its lookback
    and its delay), which also covers its since conditions;
  - its caps: now minus each limit's period; its goal: now minus the goal's within (and a day with quiet
    hours), so that no decision still being measured goes;
  - a follow-up still to be sent: the trigger it is checked again from.
Reports over periods before --before lose what was pruned; explain of a pruned event says it does not
exist, and for a trigger a rule passed over it may no longer name the since event that stopped it;
simulate over pruned days finds nothing to replay.

Deletes in batches, each batch its own transaction (all of it or none of it); progress on stderr.
Prints the rows deleted per table.
  --before <instant>   delete what is older than this ISO-8601 instant (or a date: midnight UTC)
  --db <target>        the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...)
  --now <instant>      the present the rules' needs are counted back from (or FOLLOWUP_NOW); default: the real clock
  --dry-run            count what would be deleted, delete nothing
${plansHelp(21)}
  --json               the same as data: {"before","now","safe","dryRun","counts":{table: rows},"batches","durationMs"}

Exit codes: 0 pruned (or nothing to prune), 1 the project has errors (or the --plans folder is not whole), 2 usage or environment errors
(a --before later than the rules allow, bad instant, database unreachable).`,
    options: { before: { type: 'string' }, db: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...plansOption },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        const dryRun = Boolean(args.values['dry-run']);
        const given = args.values['before'] as string | undefined;
        if (given === undefined || given === '') throw new UsageError('--before is required: an ISO-8601 instant such as 2025-01-01T00:00:00Z, or a date');
        const before = parseInstantArgument(/^\d{4}-\d{2}-\d{2}$/.test(given) ? `${given}T00:00:00Z` : given, '--before');
        const now = resolveNow(args, io);
        if (before.getTime() > now.getTime()) throw new UsageError(`--before ${instant(before)} is after now (${instant(now)})`);

        const project = await executablePlans(args, io, { command: 'prune', json, stream: json ? io.out : io.err });
        if (typeof project === 'number') return project;
        const plans = project.rules;
        const store = await openCliStore(resolveDbTarget(args, io, project.root, projectConfig(project.root)));
        const progress = progressLine(io.err);
        try {
            const report = await pruneStore(store, plans, {
                before, now, dryRun,
                onProgress: ({ table, counts, batches }) => progress(`${dryRun ? 'counting' : 'pruning'} ${table}: ${total(counts).toLocaleString('en-US')} rows, ${batches} batches`),
            });
            progress('');
            if (json) {
                io.out.write(JSON.stringify(report) + '\n');
                return ExitCode.ok;
            }
            const style = styleFor(io.out);
            io.out.write(`${style.bold(dryRun ? 'Would prune' : 'Pruned')} history before ${instant(before)} ` +
                `(the rules read nothing before ${instant(report.safe)}) in ${(report.durationMs / 1000).toFixed(2)} s` +
                `${dryRun ? '; dry run: nothing was deleted' : ''}:\n`);
            io.out.write(countTable(report.counts));
            return ExitCode.ok;
        } finally {
            progress('');
            await store.close();
        }
    },
};

function total(counts: PruneCounts): number {
    return prunedTables.reduce((sum, t) => sum + counts[t], 0);
}

function countTable(counts: PruneCounts): string {
    const width = Math.max(...prunedTables.map((t) => t.length));
    const numbers = prunedTables.map((t: PrunedTable) => counts[t].toLocaleString('en-US'));
    const numberWidth = Math.max(...numbers.map((n) => n.length));
    return prunedTables.map((t, i) => `  ${t.padEnd(width)}  ${numbers[i]!.padStart(numberWidth)}\n`).join('');
}

/** On a terminal, one line rewritten in place; elsewhere (logs), a line every 10 seconds. */
function progressLine(stream: Io['err']): (text: string) => void {
    let last = Date.now();
    let shown = false;
    if (!stream.isTTY) {
        return (text) => {
            const now = Date.now();
            if (text === '' || now - last < 10_000) return;
            last = now;
            stream.write(`${text}\n`);
        };
    }
    return (text) => {
        const now = Date.now();
        if (text === '') {
            if (shown) stream.write('\r\u001b[K');
            shown = false;
            return;
        }
        if (now - last < 100) return;
        last = now;
        shown = true;
        stream.write(`\r\u001b[K${text.slice(0, (stream.columns || 80) - 1)}`);
    };
}
