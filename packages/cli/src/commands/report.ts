// `followup report`: did the follow-ups work? Per rule (and the message it sends): what it decided and
// what came of it, each group's conversion rate and the lift with its interval (docs/measuring.md).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { compileProject, getDialect, type RenderPlan, type RuleQuery } from '@followup/compiler';
import { loadProject } from '@followup/language';
import {
    buildReport, REPORT_SETTINGS, formatAmount, formatCount, goalWords, groupLine, liftLine, renderReportHtml, verdictWords,
    type Report, type RuleReport,
} from '@followup/runtime';
import { styleFor } from '../output/terminal.js';
import { openCliStore, parseInstantArgument, projectConfig, resolveDbTarget, resolveNow } from '../runtime-context.js';
import { printDiagnostics } from './check.js';
import { ExitCode, UsageError, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const reportCommand: Command = {
    name: 'report',
    summary: summaryOf('report'),
    usage: 'followup report <project> [--from <instant>] [--to <instant>] [--rule <name>]... [--json | --html <file> | --sql] [--db <target>] [--now <instant>]',
    help: `For each rule (and the message it sends), over its decisions taken in [--from, --to) as of now:
selected, sent, held out, delivered, opened (by a person), clicked, converted; with a goal, the
conversion rate of the people it decided to send to and of the people its holdout kept out, and the lift
(the difference, in percentage points, with a 95% interval: Newcombe's hybrid score interval; the
relative lift with Katz's log interval), and revenue per recipient when the goal has a value. Rates
count only people whose goal window has closed by now. No lift below 100 measured people in each group
or 10 conversions in all ("not enough data"). See docs/measuring.md.

  --from <instant>   decisions taken at or after this instant (default: the first)
  --to <instant>     decisions taken before this instant (default: now)
  --rule <name>      only this rule (may be given several times)
  --json             the report as one JSON document
  --html <file>      write one self-contained HTML page (tables, a chart of sends and conversions per
                     day, the lift with its interval; views offline)
  --sql              print each rule's report queries (with their parameters) instead; needs no store
  --db <target>      the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...)
  --now <instant>    as of this instant (or FOLLOWUP_NOW); default: the real clock

Exit codes: 0 ok, 1 the project has errors, 2 usage or environment errors (unknown rule, bad instant,
database unreachable).`,
    options: {
        db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string', multiple: true },
        json: { type: 'boolean' }, html: { type: 'string' }, sql: { type: 'boolean' },
    },
    async run(args, io) {
        if (args.positionals.length !== 1) throw new UsageError('report takes one project folder');
        const json = Boolean(args.values['json']);
        const html = args.values['html'] as string | undefined;
        const sql = Boolean(args.values['sql']);
        if ([json, html !== undefined, sql].filter(Boolean).length > 1) throw new UsageError('give at most one of --json, --html, --sql');
        const now = resolveNow(args, io);
        const from = args.values['from'] === undefined ? undefined : parseInstantArgument(args.values['from'] as string, '--from');
        const to = args.values['to'] === undefined ? undefined : parseInstantArgument(args.values['to'] as string, '--to');
        if (from && to && from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');

        const project = await loadProject(args.positionals);
        if (project.errorCount > 0) {
            printDiagnostics(project, json, io, json ? io.out : io.err);
            return ExitCode.inputErrors;
        }
        const plans = selectRules(compileProject(project).map((r) => r.plan), args.values['rule'] as string[] | undefined);
        if (sql) {
            io.out.write(plans.map(reportSql).join('\n'));
            return ExitCode.ok;
        }

        const store = await openCliStore(resolveDbTarget(args, io, project.root, projectConfig(project.root)));
        let report: Report;
        try {
            report = await buildReport(store, plans, { now, ...(from ? { from } : {}), ...(to ? { to } : {}), daily: html !== undefined });
        } finally {
            await store.close();
        }
        if (json) {
            io.out.write(JSON.stringify(report) + '\n');
        } else if (html !== undefined) {
            const file = nodePath.resolve(io.cwd, html);
            fs.mkdirSync(nodePath.dirname(file), { recursive: true });
            fs.writeFileSync(file, renderReportHtml(report, { project: nodePath.basename(project.root) }));
            io.out.write(`Wrote ${nodePath.relative(io.cwd, file) || file} (${report.rules.length} rule${report.rules.length === 1 ? '' : 's'}; open it in a browser, no network needed)\n`);
        } else {
            printReport(report, io);
        }
        return ExitCode.ok;
    },
};

function selectRules(plans: RenderPlan[], names: string[] | undefined): RenderPlan[] {
    if (!names || names.length === 0) return plans;
    const unknown = names.filter((n) => !plans.some((p) => p.rule === n));
    if (unknown.length > 0) throw new UsageError(`no rule ${unknown.map((n) => `'${n}'`).join(', ')} in the project (rules: ${plans.map((p) => p.rule).join(', ')})`);
    return plans.filter((p) => names.includes(p.rule));
}

/** A rule's report queries as they run, formatted, with their parameters (`--sql`). */
function reportSql(plan: RenderPlan): string {
    const dialect = getDialect(plan.queries.dialect);
    const query = (what: string, q: RuleQuery) => {
        const params = q.parameters.map((p) => `--   $${p.index} ${p.name} (${p.type})${p.value !== undefined ? ` = ${JSON.stringify(p.value)}` : ''}`).join('\n');
        return `-- ${what}\n-- Parameters:\n${params}\n${dialect.format(q.sql)};\n`;
    };
    return `-- followup report of rule ${plan.rule} (${plan.source.file}:${plan.source.line})\n` +
        `-- Run in a read-only transaction after: ${REPORT_SETTINGS};\n` +
        query('totals: one row of counts ($1 from, $2 to: decisions taken in [from, to); $3 now)', plan.queries.report.totals) + '\n' +
        query('daily: per UTC day, sent and held out (by the day measured from) and conversions (by the day of the first goal event)', plan.queries.report.daily);
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
    return [line(header), ...rows.map(line)].join('\n');
}

function printReport(report: Report, io: Io): void {
    const style = styleFor(io.out);
    const period = report.from || report.to ? `decisions from ${report.from ?? 'the start'} to ${report.to ?? 'now'}` : 'every decision';
    io.out.write(`${style.bold('Report')} as of ${report.now}, ${period}\n\n`);
    const header = ['rule', 'message', 'selected', 'sent', 'held out', 'delivered', 'opened', 'clicked', 'converted'];
    const row = (name: string, message: string, c: Omit<RuleReport['counts'], 'converted'> & { converted?: number | null }) => [
        name, message, formatCount(c.selected), formatCount(c.sent), formatCount(c.heldOut), formatCount(c.delivered),
        formatCount(c.opened), formatCount(c.clicked), formatCount(c.converted ?? null),
    ];
    io.out.write(table(header, report.rules.map((r) => row(r.rule, `${r.message} ${r.channel}`, r.counts))) + '\n');
    const shared = report.messages.filter((m) => m.rules.length > 1);
    if (shared.length > 0) {
        io.out.write(`\n${style.bold('By message')} (rules sending the same message, added up)\n`);
        io.out.write(table(header.slice(0, -1), shared.map((m) => row(m.rules.join(', '), `${m.message} ${m.channel}`, m.counts).slice(0, -1))) + '\n');
    }
    for (const r of report.rules) {
        if (!r.goal) continue;
        io.out.write(`\n${style.bold(r.rule)}: goal ${goalWords(r.goal)}; ${r.holdout ? `holdout ${r.holdout.share}%` : 'no holdout'}` +
            `${r.measuring > 0 ? `; ${formatCount(r.measuring)} still within their goal window` : ''}\n`);
        const revenue = (g: NonNullable<RuleReport['sentGroup']>) => (r.goal?.value ? `; revenue per recipient ${formatAmount(g.revenuePerRecipient)}` : '');
        if (r.sentGroup) io.out.write(`  sent      ${groupLine(r.sentGroup)}${revenue(r.sentGroup)}\n`);
        if (r.heldOutGroup) io.out.write(`  held out  ${groupLine(r.heldOutGroup)}${revenue(r.heldOutGroup)}\n`);
        if (r.lift) io.out.write(`  lift      ${liftLine(r.lift)}\n`);
        io.out.write(`  ${style.dim(verdictWords(r))}\n`);
    }
    if (report.rules.some((r) => r.lift)) io.out.write(`\n${style.dim(`Lift: ${report.method.lift}; relative lift: ${report.method.relative}.`)}\n`);
}
