// `followup simulate`: what the rules would have done over the stored history (docs/testing.md).
import { compilePlans, getDialect, lowerProject, notSentQuery, type NotSentQuery } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { simulate, selectPlans, type RuleSimulation, type SimulationCounts, type SimulationReport } from '@followup/runtime';
import { styleFor, type Style } from '../output/terminal.js';
import { openCliStore, projectConfig, resolveDbTarget } from '../runtime-context.js';
import { printDiagnostics } from './check.js';
import { ExitCode, UsageError, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const simulateCommand: Command = {
    name: 'simulate',
    summary: summaryOf('simulate'),
    usage: 'followup simulate <project> --from <instant> --to <instant> [--rule <name>] [--every <duration>] [--db <target>] [--json]',
    help: `Replays every rule (or the one named) over the history in the store between two instants, as
if it had existed then: each rule runs at the fire instants of its schedule in (from, to] — the runs
followup serve would have made — with the semantics of followup run (watermark and window, expiry,
caps, quiet hours, the checks before sending), and what it would send is counted, not sent. Nothing is
stored: the replay happens in one transaction that is rolled back, and the rules run under names of
their own, so what they really did (their decisions, watermarks, follow-ups) does not get in the way.

Prints, per rule and per day (UTC) with something in it: runs, deliveries that became due, would send,
held (quiet hours), suppressed, expired, capped, stopped by a since event (since), not selected because
another condition failed (conditions), stopped when checked again before sending; then the sends per
day as a sparkline and the most frequent reasons for not sending.
  --from <instant>      the start (ISO-8601 instant, or a date: midnight UTC)
  --to <instant>        the end (the same forms)
  --rule <name>         only this rule
  --every <duration>    run every rule together every so often (e.g. "1 day": at 00:00 UTC each day),
                        as followup run --now would from cron, instead of each on its schedule
  --db <target>         the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...)
  --json                the report as one JSON document

Exit codes: 0 simulated, 1 the project has errors, 2 usage or environment errors.`,
    options: {
        from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string' }, every: { type: 'string' },
        db: { type: 'string' }, json: { type: 'boolean' },
    },
    async run(args, io) {
        if (args.positionals.length !== 1) throw new UsageError('simulate takes one project folder');
        const json = Boolean(args.values['json']);
        const from = instantArg(args.values['from'], '--from');
        const to = instantArg(args.values['to'], '--to');
        if (to.getTime() <= from.getTime()) throw new UsageError('--to must be after --from');
        const every = args.values['every'] === undefined ? undefined : durationArg(args.values['every'] as string);
        const project = await loadProject(args.positionals);
        if (project.errorCount > 0) {
            printDiagnostics(project, json, io, json ? io.out : io.err);
            return ExitCode.inputErrors;
        }
        const plans = compilePlans(project);
        const chosen = selectPlans(plans, args.values['rule'] as string | undefined);
        const dialect = getDialect('postgres');
        const notSent: Record<string, NotSentQuery> = Object.fromEntries(lowerProject(project).map(ir => [ir.rule, notSentQuery(ir, dialect)]));
        // Replays run every rule at every fire instant: many seconds of work, for which TurboFan's code pays.
        const store = await openCliStore(resolveDbTarget(args, io, project.root, projectConfig(project.root)), { sustained: true });
        const progress = progressLine(io.err);
        try {
            const report = await simulate(store, chosen, {
                from, to, notSent, ...(every ? { every } : {}),
                onProgress: (done, total, at) => progress(`simulating ${at.toISOString()} (${done}/${total} runs)`),
            });
            progress('');
            if (json) io.out.write(JSON.stringify(report) + '\n');
            else printReport(report, io, styleFor(io.out));
            return ExitCode.ok;
        } finally {
            progress('');
            await store.close();
        }
    },
};

function instantArg(value: unknown, flag: string): Date {
    if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required: an ISO-8601 instant such as 2026-11-01T00:00:00Z, or a date`);
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
    const at = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at.getTime())) {
        throw new UsageError(`${flag} takes an ISO-8601 instant such as 2026-11-01T00:00:00Z (or a date), not '${value}'`);
    }
    return at;
}

const unitMinutes: Record<string, number> = { minute: 1, hour: 60, day: 1440, week: 10080 };

function durationArg(value: string): { text: string; minutes: number } {
    const m = /^\s*(\d+)?\s*(minute|hour|day|week)s?\s*$/.exec(value);
    const amount = m ? Number(m[1] ?? 1) : 0;
    if (!m || amount <= 0) throw new UsageError(`--every takes a duration such as "1 day" or "6 hours", not '${value}'`);
    return { text: `${amount} ${m[2]}${amount === 1 ? '' : 's'}`, minutes: amount * unitMinutes[m[2]!]! };
}

const columns: [keyof SimulationCounts, string][] = [
    ['runs', 'runs'], ['due', 'due'], ['wouldSend', 'would send'], ['held', 'held'], ['suppressed', 'suppressed'], ['expired', 'expired'],
    ['capped', 'capped'], ['since', 'since'], ['conditions', 'conditions'], ['stopped', 'stopped'],
];

function printReport(report: SimulationReport, io: Io, style: Style): void {
    const how = report.mode === 'every' ? `all together every ${report.every}` : 'each on its schedule';
    io.out.write(`${style.bold('Simulated')} ${report.rules.length} rule${report.rules.length === 1 ? '' : 's'} from ${report.from} to ${report.to} ` +
        `(${how}; ${report.instants} runs; nothing was stored) in ${(report.durationMs / 1000).toFixed(2)} s.\n`);
    for (const rule of report.rules) io.out.write('\n' + ruleTable(rule, report.days, style));
    const t = report.total;
    io.out.write(`\n${style.bold('In all')}: ${t.wouldSend} would be sent, ${t.held} held for quiet hours, ${t.suppressed} suppressed, ` +
        `${t.expired} expired, ${t.capped} capped, ${t.since} stopped by a since event, ${t.conditions} not selected (conditions), ${t.stopped} stopped.\n`);
}

function ruleTable(rule: RuleSimulation, days: string[], style: Style): string {
    const active = days.filter(d => columns.some(([key]) => key !== 'runs' && rule.days[d]![key] > 0));
    const header = ['day', ...columns.map(([, label]) => label)];
    const rows = [...active.map(d => [d, ...columns.map(([key]) => String(rule.days[d]![key]))]), ['total', ...columns.map(([key]) => String(rule.total[key]))]];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map(r => r[c]!.length)));
    const line = (r: string[]) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    const out = [`${style.bold(rule.rule)}  ${style.dim(`(${rule.schedule})`)}`, style.dim(line(header))];
    if (active.length === 0) out.push(style.dim('  (nothing became due)'));
    out.push(...rows.slice(0, -1).map(line), line(rows[rows.length - 1]!));
    out.push(`  sends per day  ${sparkline(days.map(d => rule.days[d]!.wouldSend))}  ${style.dim(`${days[0]} … ${days[days.length - 1]}`)}`);
    const reasons = notSentReasons(rule);
    if (reasons.length) out.push(`  why not sent: ${reasons.slice(0, 5).map(([r, n]) => `${r} (${n})`).join(', ')}`);
    if (rule.heldAtEnd > 0) out.push(style.dim(`  ${rule.heldAtEnd} still held by quiet hours at the end`));
    return out.join('\n') + '\n';
}

/** The conditions that failed first, and the decisions that sent nothing, most frequent first. */
export function notSentReasons(rule: RuleSimulation): [string, number][] {
    const all: [string, number][] = [
        ...rule.reasons.map(r => [r.reason, r.count] as [string, number]),
        ['suppressed', rule.total.suppressed], ['expired', rule.total.expired], ['capped', rule.total.capped],
        ['no longer qualifying when sent', rule.total.stopped],
    ];
    return all.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

const bars = '▁▂▃▄▅▆▇█';

function sparkline(values: number[]): string {
    const max = Math.max(...values);
    if (max === 0) return '·'.repeat(values.length);
    return values.map(v => (v === 0 ? '·' : bars[Math.min(bars.length - 1, Math.floor((v / max) * (bars.length - 1) + 0.5))]!)).join('');
}

function progressLine(stream: NodeJS.WriteStream): (text: string) => void {
    if (!stream.isTTY) return () => {};
    let last = 0;
    return text => {
        const now = Date.now();
        if (text !== '' && now - last < 100) return;
        last = now;
        stream.write(`\r\u001b[K${text.slice(0, (stream.columns || 80) - 1)}`);
    };
}
