import { ExplainInputError, explainAddress, explainEvent, instant, type EventExplanation } from '@followup/runtime';
import { styleFor } from '../output/terminal.js';
import { openCliStore, projectConfig, resolveDbTarget, resolveNow } from '../runtime-context.js';
import { executablePlans, plansHelp, plansOption } from '../project-plans.js';
import { ExitCode, UsageError, type Command } from './command.js';
import { summaryOf } from './registry.js';

export const explainCommand: Command = {
    name: 'explain',
    summary: summaryOf('explain'),
    usage: 'followup explain <project> | --plans <dir> --event <id> | --to <address> [--db <target>] [--now <instant>] [--json]',
    help: `For each rule of the project: would it send now, and if not, the first reason:
  not due until 2026-11-23T10:00:00Z · opened at ... · purchase e9 since sent · suppressed: hard bounce ·
  already sent at ... · expired: due at ..., more than 1 day ago · no delivery of this event was sent

  --event <id>       explain one event
  --to <address>     explain every event a message was sent to this address for
  --db <target>      the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...)
  --now <instant>    as of this instant (or FOLLOWUP_NOW); default: the real clock
${plansHelp(19)}
  --json             the same as data: [{event,type,occurredAt,verdicts:[{rule,wouldSend,kind,reason,...}]}]`,
    options: { event: { type: 'string' }, to: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' }, ...plansOption },
    async run(args, io) {
        const eventId = args.values['event'] as string | undefined;
        const address = args.values['to'] as string | undefined;
        if ((eventId === undefined) === (address === undefined)) throw new UsageError('explain needs exactly one of --event <id> or --to <address>');
        const now = resolveNow(args, io);
        const project = await executablePlans(args, io, { command: 'explain', json: Boolean(args.values['json']), stream: io.err });
        if (typeof project === 'number') return project;
        const plans = project.rules;
        const store = await openCliStore(resolveDbTarget(args, io, project.root, projectConfig(project.root)));
        let explanations: EventExplanation[];
        try {
            explanations = eventId !== undefined ? [await explainEvent(store, plans, eventId, now)] : await explainAddress(store, plans, address!, now);
        } catch (error) {
            if (error instanceof ExplainInputError) {
                io.err.write(`followup explain: ${error.message}\n`);
                return ExitCode.inputErrors;
            }
            throw error;
        } finally {
            await store.close();
        }
        if (args.values['json']) {
            io.out.write(JSON.stringify(explanations) + '\n');
            return ExitCode.ok;
        }
        const style = styleFor(io.out);
        const width = Math.max(...plans.map(p => p.rule.length));
        for (const e of explanations) {
            io.out.write(`${style.bold(`Event ${e.event}`)} (${e.type}, ${e.occurredAt}) as of ${instant(now)}\n`);
            for (const v of e.verdicts) {
                const mark = v.wouldSend ? style.bold('✓') : v.kind === 'not-applicable' ? style.dim('·') : '✗';
                const line = `  ${mark} ${v.rule.padEnd(width)}  ${v.reason}`;
                io.out.write((v.kind === 'not-applicable' ? style.dim(line) : line) + '\n');
            }
        }
        return ExitCode.ok;
    },
};
