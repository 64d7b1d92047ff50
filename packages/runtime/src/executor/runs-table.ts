// The `runs` row of one execution of a rule: its window, its now, and what it decided.
// Each is one statement with what goes with it (the rule's identity, its watermark): a run on the
// embedded store pays for every statement, most of all at a command's start.
import type { RenderPlan } from '@followup/compiler';
import type { StoreTx } from '../store/store.js';
import { RECORD_RULE_IDENTITY, ruleIdentityParams } from './rule-identity.js';
import type { RunCounts } from './run-report.js';

/** Opens the run's row, and records what the rule looks like (so a rule that ran is known). */
export async function startRun(tx: StoreTx, plan: RenderPlan, watermark: Date, now: Date): Promise<number> {
    const { rows } = await tx.query<{ id: number }>(
        `WITH identity AS (${RECORD_RULE_IDENTITY})
         INSERT INTO runs (rule, window_start, now, dry_run) VALUES ($1, $7, $6, false) RETURNING id`,
        [...ruleIdentityParams(plan, now), watermark.toISOString()],
    );
    return Number(rows[0]!.id);
}

/**
 * Stores the run's counts, and moves the rule's watermark to the run's `now` (in the transaction
 * that records the run's decisions). `runs.sent` holds the follow-ups the run queued: whether a
 * transport then accepted each is the delivery's status, which dispatch (possibly another process)
 * sets later.
 */
export async function finishRun(tx: StoreTx, run: { id: number; rule: string; now: Date }, counts: RunCounts): Promise<void> {
    await tx.query(
        `WITH watermark AS (UPDATE rule_watermarks SET watermark = $12, updated_at = now() WHERE rule = $11)
         UPDATE runs SET finished_at = clock_timestamp(), selected = $2, sent = $3, suppressed = $4, expired = $5, failed = $6,
             stopped = $7, capped = $8, held = $9, held_out = $10
         WHERE id = $1`,
        [run.id, counts.selected, counts.queued, counts.suppressed, counts.expired, counts.failed, counts.stopped, counts.capped, counts.held, counts.heldOut,
            run.rule, run.now.toISOString()],
    );
}
