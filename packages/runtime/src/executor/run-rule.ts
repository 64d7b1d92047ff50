// One rule, one run, one transaction (LANGUAGE.md §4): lock the watermark, select, decide, recheck,
// render, record, advance the watermark. Either all of it commits or none of it does.
import type { RenderPlan } from '@followup/compiler';
import { createRenderer } from '../render/message-renderer.js';
import type { Store, StoreTx } from '../store/store.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { prepareFollowup } from './prepare-followup.js';
import { RECORD_CHUNK, recordChunk, type DecisionRow, type FollowupRow } from './record-decisions.js';
import { recheck, selectDue, type SelectedRow } from './rule-queries.js';
import { zeroCounts, type QueuedMessage, type RuleRunReport } from './run-report.js';
import { finishRun, startRun } from './runs-table.js';
import { advanceWatermark, lockWatermark } from './watermark.js';

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

export async function runRule(store: Store, plan: RenderPlan, options: RunRuleOptions): Promise<RuleRunResult> {
    try {
        return await store.transaction(async (tx) => {
            const result = await decideRule(tx, store.engine, plan, options);
            // A dry run changes nothing: not even the watermark row its lock created.
            if (options.dryRun) throw new DryRunRollback(result);
            return result;
        });
    } catch (error) {
        if (error instanceof DryRunRollback) return error.result;
        throw error;
    }
}

async function decideRule(tx: StoreTx, engine: Store['engine'], plan: RenderPlan, options: RunRuleOptions): Promise<RuleRunResult> {
    const { now, dryRun } = options;
    const watermark = await lockWatermark(tx, plan, now);
    const report: RuleRunReport = { rule: plan.rule, watermark, runId: null, ...zeroCounts() };
    const messages: QueuedMessage[] = [];
    if (now.getTime() <= watermark.getTime()) return { report: { ...report, notAfterWatermark: true }, messages };

    const rows = uniqueEvents(await selectDue(tx, plan, watermark, now));
    report.selected = rows.length;
    options.onProgress?.(0, rows.length);
    const runId = dryRun ? null : await startRun(tx, plan.rule, watermark, now);
    report.runId = runId;
    const render = createRenderer(plan.templates); // compiled once per run of the rule

    for (let start = 0; start < rows.length; start += RECORD_CHUNK) {
        const chunk = rows.slice(start, start + RECORD_CHUNK);
        const decisions: DecisionRow[] = [];
        const followups: FollowupRow[] = [];
        const decide = (row: SelectedRow, outcome: DecisionRow['outcome'], followupDeliveryId: string | null = null) =>
            decisions.push({ eventId: row.event_id, triggerDeliveryId: row.trigger_delivery_id, outcome, followupDeliveryId });

        const due: SelectedRow[] = [];
        for (const row of chunk) {
            if (row.expired) decide(row, 'expired');
            else if (row.suppressed) decide(row, 'suppressed');
            else due.push(row);
        }
        // Checked again inside the transaction, right before recording: what changed since the
        // selection's snapshot (a purchase, an unsubscribe) still stops the follow-up.
        const rechecked = await recheck(tx, plan, due.map((r) => r.event_id), now);
        for (const row of due) {
            if (rechecked.stopped.has(row.event_id)) decide(row, 'stopped');
            else if (rechecked.suppressed.has(row.event_id)) decide(row, 'suppressed');
            else {
                const followup = prepareFollowup(plan, row, render, options.decorate);
                followups.push(followup);
                decide(row, 'send', followup.deliveryId);
                if (followup.status === 'failed') report.failed++;
                else {
                    report.queued++;
                    if (options.collectMessages) messages.push(queuedMessage(plan, followup));
                }
            }
        }
        for (const d of decisions) if (d.outcome !== 'send') report[d.outcome]++;
        if (runId !== null) await recordChunk(tx, plan, { id: runId, now }, followups, decisions, engine);
        options.onProgress?.(Math.min(start + RECORD_CHUNK, rows.length), rows.length);
    }

    if (runId !== null) {
        await finishRun(tx, runId, report);
        await advanceWatermark(tx, plan.rule, now);
    }
    return { report, messages };
}

/** One decision per event: a second row for an event would violate the decisions key and roll the run back. */
function uniqueEvents(rows: SelectedRow[]): SelectedRow[] {
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.event_id) && seen.add(r.event_id));
}

function queuedMessage(plan: RenderPlan, f: FollowupRow): QueuedMessage {
    return {
        rule: plan.rule,
        event: f.eventId,
        delivery: f.deliveryId,
        channel: plan.channel,
        to: f.recipient,
        ...(f.content.subject !== undefined ? { subject: f.content.subject } : {}),
        ...(f.content.text !== undefined ? { text: f.content.text } : {}),
        ...(f.content.title !== undefined ? { title: f.content.title } : {}),
    };
}
