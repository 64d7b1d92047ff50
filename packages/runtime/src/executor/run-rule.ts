// One rule, one run, one transaction (docs/language.md §4): lock the watermark, select, decide, recheck,
// render, record, advance the watermark. Either all of it commits or none of it does.
import type { RenderPlan } from '@followup/compiler';
import { createRenderer, type MessageRenderer } from '../render/message-renderer.js';
import type { Store, StoreTx, TransactionOptions } from '../store/store.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { CapCounter, lockRecipients } from './policies/caps.js';
import { holdoutDecision } from './policies/holdout.js';
import { quietHoursHold, recipientZoneOf, type Hold } from './policies/quiet-hours.js';
import { prepareFollowup } from './prepare-followup.js';
import { RECORD_CHUNK, recordChunk, type DecisionRow, type FollowupRow } from './record-decisions.js';
import { recheck, selectDue, suppressedAmong, type RecheckOutcome, type SelectedRow } from './rule-queries.js';
import { zeroCounts, type QueuedMessage, type RuleRunReport } from './run-report.js';
import { finishRun, startRun } from './runs-table.js';
import { lockWatermark } from './watermark.js';

export interface RunRuleOptions {
    now: Date;
    dryRun: boolean;
    /** Rows of this rule decided so far, out of those selected. */
    onProgress?(done: number, total: number): void;
    /** Collect the queued follow-ups (reported after the transaction ends). */
    collectMessages?: boolean;
    /** Applied to each rendered follow-up before it is recorded (tracking). */
    decorate?: ContentDecorator;
}

export interface RuleRunResult {
    report: RuleRunReport;
    messages: QueuedMessage[];
}

/** Thrown out of the transaction to roll a dry run back, carrying what it would have done. */
class DryRunRollback extends Error {
    constructor(readonly result: RuleRunResult) {
        super('dry run: rolled back');
    }
}

/**
 * How a run's transaction is opened: without JIT, whose compilation a large store's selection paid at
 * every run for expressions evaluated a few microseconds per row (store.ts). Exported so that
 * bench/run.mjs measures the selections as a run executes them.
 */
export const DECIDING_TRANSACTION: TransactionOptions = Object.freeze({ jit: false });

export async function runRule(store: Store, plan: RenderPlan, options: RunRuleOptions): Promise<RuleRunResult> {
    try {
        return await store.transaction(async (tx) => {
            const result = await decideRule(tx, plan, options);
            // A dry run changes nothing: not even the watermark row its lock created.
            if (options.dryRun) throw new DryRunRollback(result);
            return result;
        }, DECIDING_TRANSACTION);
    } catch (error) {
        if (error instanceof DryRunRollback) return error.result;
        throw error;
    }
}

async function decideRule(tx: StoreTx, plan: RenderPlan, options: RunRuleOptions): Promise<RuleRunResult> {
    const { now, dryRun } = options;
    const watermark = await lockWatermark(tx, plan, now);
    const report: RuleRunReport = { rule: plan.rule, watermark, runId: null, ...zeroCounts() };
    const messages: QueuedMessage[] = [];
    if (now.getTime() <= watermark.getTime()) return { report: { ...report, notAfterWatermark: true }, messages };

    // A dry run rolls back: it records neither the run nor the rule's identity.
    const runId = dryRun ? null : await startRun(tx, plan, watermark, now);
    report.runId = runId;
    // Rendered only for whoever reads the result (prepare-followup.ts); otherwise the selection
    // reads of each event only what deciding needs.
    const rendering = dryRun || options.collectMessages === true;
    const rows = uniqueEvents(await selectDue(tx, plan, watermark, now, rendering ? 'full' : 'decision'));
    report.selected = rows.length;
    options.onProgress?.(0, rows.length);
    // Compiled once per run of the rule, rendering or not: a plan whose templates do not validate
    // fails its run, as it always has, rather than each of its follow-ups at dispatch.
    const renderer = createRenderer(plan.templates);
    const render = rendering ? renderer : undefined;

    // Under a cap, the addresses this run may send to are locked first, all at once and in order (so
    // that concurrent runs cannot deadlock), and stay locked until the run commits. In a transaction
    // no other session can commit into (StoreTx.exclusive: PGlite) there is no other run to lock out.
    const exclusive = tx.exclusive === true;
    if (plan.limits.length > 0 && !exclusive) {
        const addresses = rows.filter((r) => !r.expired).map(addressOf).filter((a) => a !== '');
        await lockRecipients(tx, plan.channel, addresses);
    }

    // Each chunk is recorded in one statement, sent when the next chunk has been rechecked: it runs on
    // the server while that chunk is decided and rendered here (one connection, one statement at a
    // time). Rechecking chunk k before chunk k-1 is recorded reads nothing that recording writes: other
    // events, and the caps of addresses counted in memory once seen (CapCounter).
    const caps = plan.limits.length > 0 ? CapCounter.empty(plan.limits, now) : undefined;
    const decider: ChunkDecider = { plan, now, render, caps, options, report, messages };
    let record: (() => Promise<void>) | undefined;
    for (let start = 0; start < rows.length; start += RECORD_CHUNK) {
        const chunk = rows.slice(start, start + RECORD_CHUNK);
        const due = chunk.filter((r) => !r.expired);
        // Checked again inside the transaction, right before recording: what changed since the
        // selection's snapshot (a purchase) still stops the follow-up. Suppression is checked only
        // here, for the rows that would send: the selection leaves it out (bench/README.md). Where no
        // other session can commit meanwhile (StoreTx.exclusive), nothing the conditions read can
        // have changed since the selection, and suppression alone is looked up.
        const rechecked = exclusive ? await suppressedAmong(tx, plan, due, now) : await recheck(tx, plan, due.map((r) => r.event_id), now);
        await caps?.include(tx, plan, due.map(addressOf));
        const recording = record?.();
        recording?.catch(() => {}); // awaited (and thrown) below; never unhandled meanwhile
        const { decisions, followups } = decideChunk(decider, chunk, rechecked);
        await recording;
        const done = Math.min(start + RECORD_CHUNK, rows.length);
        if (runId === null) options.onProgress?.(done, rows.length);
        else record = () => recordChunk(tx, plan, { id: runId, now }, followups, decisions).then(() => options.onProgress?.(done, rows.length));
    }
    await record?.();

    if (runId !== null) {
        await finishRun(tx, { id: runId, rule: plan.rule, now }, report);
    }
    return { report, messages };
}

interface ChunkDecider {
    plan: RenderPlan;
    now: Date;
    /** Undefined: the follow-ups are not rendered (nobody reads them; dispatch renders). */
    render: MessageRenderer | undefined;
    caps: CapCounter | undefined;
    options: RunRuleOptions;
    /** Counted into as rows are decided. */
    report: RuleRunReport;
    messages: QueuedMessage[];
}

/** Decides each row of a chunk (rechecked) and renders the follow-ups to send: what to record. */
function decideChunk(d: ChunkDecider, chunk: readonly SelectedRow[], rechecked: RecheckOutcome): { decisions: DecisionRow[]; followups: FollowupRow[] } {
    const { plan, now, caps, report } = d;
    const decisions: DecisionRow[] = [];
    const followups: FollowupRow[] = [];
    const decide = (row: SelectedRow, outcome: DecisionRow['outcome'], followupDeliveryId: string | null = null, detail?: object) =>
        decisions.push({
            eventId: row.event_id, triggerDeliveryId: row.trigger_delivery_id, outcome, followupDeliveryId,
            ...(detail ? { detail: detail as Record<string, unknown> } : {}),
        });
    for (const row of chunk) {
        if (row.expired) decide(row, 'expired');
        else if (rechecked.stopped.has(row.event_id)) decide(row, 'stopped');
        else if (rechecked.suppressed.has(row.event_id)) decide(row, 'suppressed');
        else {
            const address = addressOf(row);
            const capped = address === '' ? undefined : caps?.reached(address);
            if (capped) {
                decide(row, 'capped', null, capped);
                continue;
            }
            const hold = quietHoursHold(plan, recipientZoneOf(plan, row.event, row.profile), now);
            // Held out: decided, never sent, measured from when it would have gone.
            const heldOut = holdoutDecision(plan, row.event, row.recipient, hold?.until ?? now);
            if (heldOut) {
                decide(row, 'held_out', null, heldOut);
                continue;
            }
            const followup = prepareFollowup(plan, row, d.render, d.options.decorate);
            if (hold && followup.status === 'queued') followup.heldUntil = hold.until;
            followups.push(followup);
            decide(row, 'send', followup.deliveryId, hold && followup.status === 'queued' ? { held: holdDetail(hold) } : undefined);
            if (followup.status === 'failed') report.failed++;
            else {
                caps?.add(address);
                report.queued++;
                if (followup.heldUntil) report.held++;
                if (d.options.collectMessages) d.messages.push(queuedMessage(plan, followup, hold));
            }
        }
    }
    for (const x of decisions) if (x.outcome !== 'send') report[x.outcome === 'held_out' ? 'heldOut' : x.outcome]++;
    return { decisions, followups };
}

/** One decision per event: a second row for an event would violate the decisions key and roll the run back. */
function uniqueEvents(rows: SelectedRow[]): SelectedRow[] {
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.event_id) && seen.add(r.event_id));
}

/** The recipient as the follow-up's delivery records it (and caps count it): the selection's normal form. */
function addressOf(row: SelectedRow): string {
    return (row.recipient ?? '').trim();
}

/** What decisions.detail records of a hold, and `explain` reads back. */
export function holdDetail(hold: Hold): Record<string, string> {
    return { until: hold.until.toISOString(), local: hold.untilLocal, zone: hold.zone, window: hold.window, scope: hold.scope };
}

function queuedMessage(plan: RenderPlan, f: FollowupRow, hold: Hold | undefined): QueuedMessage {
    return {
        rule: plan.rule,
        event: f.eventId,
        delivery: f.deliveryId,
        channel: plan.channel,
        to: f.recipient,
        ...(f.rendered?.subject !== undefined ? { subject: f.rendered.subject } : {}),
        ...(f.rendered?.text !== undefined ? { text: f.rendered.text } : {}),
        ...(f.rendered?.title !== undefined ? { title: f.rendered.title } : {}),
        ...(hold && f.heldUntil ? { heldUntil: { at: hold.until.toISOString(), local: hold.untilLocal, zone: hold.zone } } : {}),
    };
}
