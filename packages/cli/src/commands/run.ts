// `followup run`: every rule (or one) once, as of now, then delivery of what they queued (README.md "Commands", `followup run --help`).
import {
    applyDispatch,
    createChannelTransports,
    dispatchOutbox,
    runRules,
    selectPlans,
    trackingDecorator,
    trackingFromEnvironment,
    type ChannelTransports,
    type QueuedMessage,
    type RunReport,
    type SentMessage,
} from '@followup/runtime';
import { styleFor } from '../output/terminal.js';
import { createIndexes, openCliStore, projectConfig, reconcileIdentities, resolveDbTarget, resolveNow, sendLeaseMs } from '../runtime-context.js';
import { executablePlans, plansHelp, plansOption } from '../project-plans.js';
import { ExitCode, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const runCommand: Command = {
    name: 'run',
    summary: summaryOf('run'),
    usage: 'followup run <project> | --plans <dir> [--db <target>] [--now <instant>] [--rule <name>] [--dry-run] [--json]',
    help: `Checks the project (errors: printed, exit 1), then runs every rule once as of now — whatever
its schedule — with the semantics of the language reference (§4): each rule selects the deliveries that
became due since its last run, decides each one (send, suppressed, expired, stopped, capped, held out) exactly
once, and queues the follow-ups; then they are delivered through the configured transports
(followup.config.json; by default .eml/.json files in <project>/.followup/outbox). Follow-ups decided
inside quiet hours are held, and sent by the first later run (or serve) whose now is past their end. Runs may be repeated or killed at any
point: no follow-up is ever sent twice, and none is lost.

Prints one line per message sent, then a summary.
  --db <target>      the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...)
  --now <instant>    as of this ISO-8601 instant (or FOLLOWUP_NOW); default: the real clock
  --rule <name>      run only this rule
  --dry-run          select and render, then roll back: nothing is recorded or sent
${plansHelp(19)}
  --json             one JSON line per message sent, {"rule","event","delivery","channel","to","subject"},
                     then {"summary":{...}} (selected, sent, suppressed, expired, stopped, failed, capped,
                     held, heldOut, and the same per rule)

Environment: with FOLLOWUP_SECRET and FOLLOWUP_PUBLIC_URL set (the same as followup serve's), the
follow-ups' HTML links become signed click redirects through FOLLOWUP_PUBLIC_URL, an open pixel is
added, and emails carry one-click List-Unsubscribe headers; without them, messages go out untracked.

Exit codes: 0 ran, 1 the project has errors (or the --plans folder is not whole), 2 usage or environment errors (unknown rule, bad --now,
database unreachable, unsupported transport).`,
    options: { db: { type: 'string' }, rule: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...plansOption },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        const dryRun = Boolean(args.values['dry-run']);
        const onlyRule = args.values['rule'] as string | undefined;
        const now = resolveNow(args, io);

        const project = await executablePlans(args, io, { command: 'run', json, stream: json ? io.out : io.err });
        if (typeof project === 'number') return project;
        const plans = project.rules;
        const runPlans = selectPlans(plans, onlyRule);

        // Follow-ups get tracking (click redirects, open pixel, one-click unsubscribe) when the
        // environment says where followup serve answers them: FOLLOWUP_SECRET and FOLLOWUP_PUBLIC_URL.
        const tracking = trackingFromEnvironment(io.env);

        const config = projectConfig(project.root);
        let channels: ChannelTransports | undefined;
        if (!dryRun) channels = createChannelTransports(config, { projectRoot: project.root, env: io.env });

        const store = await openCliStore(resolveDbTarget(args, io, project.root, config));
        const progress = progressBar(io.err, io.out);
        const printer = messagePrinter(io, json);
        try {
            await reconcileIdentities(store, plans, io, { dryRun });
            await createIndexes(store, plans, io, dryRun);
            const decorate = tracking ? { decorate: trackingDecorator(tracking) } : {};
            const report = await runRules(store, runPlans, {
                now,
                dryRun,
                ...(onlyRule !== undefined ? { onlyRule } : {}),
                ...decorate,
                onProgress: (done, total, rule) => progress.update(done, total, `deciding ${rule}`),
                ...(dryRun && !json ? { onQueued: (m: QueuedMessage) => progress.around(() => printer.wouldSend(m)) } : {}),
            });
            let retrying = 0;
            if (channels) {
                const pending = report.total.queued;
                let sent = 0;
                const leaseMs = sendLeaseMs(io);
                const dispatch = await dispatchOutbox(store, {
                    transports: channels.transports,
                    plans: runPlans,
                    now,
                    ...decorate,
                    ...(leaseMs !== undefined ? { leaseMs } : {}),
                    onSent: (m) => {
                        progress.update(++sent, Math.max(pending, sent), 'sending');
                        progress.around(() => printer.sent(m));
                    },
                });
                applyDispatch(report, dispatch);
                retrying = dispatch.total.retrying;
            }
            progress.clear();
            printer.summary(report, retrying);
            return ExitCode.ok;
        } finally {
            progress.clear();
            await store.close();
            await channels?.close();
        }
    },
};

interface Printer {
    sent(m: SentMessage): void;
    wouldSend(m: QueuedMessage): void;
    summary(report: RunReport, retrying: number): void;
}

function messagePrinter(io: Io, json: boolean): Printer {
    const style = styleFor(io.out);
    const label = (m: { subject?: string; title?: string; text?: string }) =>
        JSON.stringify(oneLine(m.subject ?? m.title ?? m.text ?? '', 72));
    const held = (m: SentMessage | QueuedMessage) =>
        'heldUntil' in m && m.heldUntil ? `  (held until ${m.heldUntil.local} ${m.heldUntil.zone}: quiet hours)` : '';
    const line = (verb: string, m: SentMessage | QueuedMessage) =>
        `${verb}  ${m.rule ?? '(transactional)'}  ${m.event} → ${m.to}  ${label(m)}${held(m)}\n`;
    return {
        sent(m) {
            if (json) {
                const subject = m.subject ?? m.title ?? null;
                io.out.write(JSON.stringify({ rule: m.rule, event: m.event, delivery: m.delivery, channel: m.channel, to: m.to, subject }) + '\n');
            } else io.out.write(line(style.cyan('sent'), m));
        },
        wouldSend(m) {
            io.out.write(line(style.dim('would send'), m));
        },
        summary(report, retrying) {
            const t = report.total;
            if (json) {
                const rules = report.rules.map(({ rule, selected, sent, suppressed, expired, stopped, failed, capped, held, heldOut, queued, watermark }) => ({
                    rule, window: { from: watermark.toISOString(), to: report.now.toISOString() },
                    selected, sent, suppressed, expired, stopped, failed, capped, held, heldOut, ...(report.dryRun ? { wouldSend: queued } : {}),
                }));
                const summary = {
                    now: report.now.toISOString(), dryRun: report.dryRun,
                    selected: t.selected, sent: t.sent, suppressed: t.suppressed, expired: t.expired, stopped: t.stopped, failed: t.failed,
                    capped: t.capped, held: t.held, heldOut: t.heldOut,
                    ...(report.dryRun ? { wouldSend: t.queued } : { retrying }),
                    rules,
                };
                io.out.write(JSON.stringify({ summary }) + '\n');
                return;
            }
            const n = (count: number, what: string) => `${count} ${what}`;
            const counts = [
                n(t.selected, 'selected'),
                report.dryRun ? n(t.queued, 'would be sent') : n(t.sent, 'sent'),
                n(t.suppressed, 'suppressed'), n(t.expired, 'expired'), n(t.stopped, 'stopped'), n(t.failed, 'failed'),
                ...(t.capped > 0 ? [n(t.capped, 'capped')] : []),
                ...(t.held > 0 ? [n(t.held, report.dryRun ? 'would be held for quiet hours' : 'held for quiet hours')] : []),
                ...(t.heldOut > 0 ? [n(t.heldOut, report.dryRun ? 'would be held out (holdout)' : 'held out (holdout)')] : []),
                ...(retrying > 0 ? [n(retrying, 'to retry later')] : []),
            ];
            const ruleCount = `${report.rules.length} rule${report.rules.length === 1 ? '' : 's'}`;
            io.out.write(`${style.bold(report.dryRun ? 'Dry run' : 'Ran')} ${ruleCount} as of ${report.now.toISOString()}: ${counts.join(', ')}.\n`);
            const idle = report.rules.filter((r) => r.notAfterWatermark).map((r) => r.rule);
            if (idle.length > 0) {
                io.out.write(style.dim(`Already run as of this now or later (nothing to select): ${idle.join(', ')}.\n`));
            }
            if (report.dryRun) io.out.write(style.dim('Dry run: nothing was recorded or sent.\n'));
        },
    };
}

function oneLine(text: string, max: number): string {
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

interface Progress {
    update(done: number, total: number, label: string): void;
    /** Prints something while the bar is shown: the bar is cleared first and redrawn after. */
    around(print: () => void): void;
    clear(): void;
}

/**
 * A one-line bar on stderr, redrawn with `\r` at most 20 times a second; only on a TTY (never in
 * pipes, files or CI logs). Lines printed to a stdout on the same terminal first erase the bar,
 * which the next update draws again below them.
 */
function progressBar(stream: NodeJS.WriteStream, out: NodeJS.WriteStream): Progress {
    if (!stream.isTTY) return { update() {}, around: (print) => print(), clear() {} };
    let shown = false;
    let lastDraw = 0;
    const clear = () => {
        if (shown) stream.write('\r\u001b[K');
        shown = false;
    };
    return {
        update(done, total, label) {
            const at = Date.now();
            if (at - lastDraw < 50 && done < total) return;
            lastDraw = at;
            const width = 24;
            const filled = total === 0 ? width : Math.round((done / total) * width);
            const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
            stream.write(`\r\u001b[K${text.slice(0, (stream.columns || 80) - 1)}`);
            shown = true;
        },
        around(print) {
            if (out.isTTY) clear();
            print();
        },
        clear,
    };
}
