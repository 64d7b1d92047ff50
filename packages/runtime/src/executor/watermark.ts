// A rule's watermark: the `now` of its last successful run (docs/language.md §4), and the lock that
// serialises concurrent runs of one rule.
import type { RenderPlan } from '@followup/compiler';
import type { StoreTx } from '../store/store.js';

/**
 * Creates the rule's watermark on its first run (`now - lookback`), then locks its row until the
 * transaction ends. A second process running the same rule waits here, and then reads the watermark
 * the first one committed (FOR UPDATE re-reads the newest row version), so it selects only what is
 * left. ON CONFLICT DO NOTHING makes the first-run insert race-free too: the loser waits for the
 * winner's transaction and then inserts nothing.
 */
export async function lockWatermark(tx: StoreTx, plan: RenderPlan, now: Date): Promise<Date> {
    const firstRun = new Date(now.getTime() - plan.lookback.minutes * 60_000);
    await tx.query('INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2) ON CONFLICT (rule) DO NOTHING', [
        plan.rule,
        firstRun.toISOString(),
    ]);
    const { rows } = await tx.query<{ watermark: Date }>('SELECT watermark FROM rule_watermarks WHERE rule = $1 FOR UPDATE', [plan.rule]);
    return new Date(rows[0]!.watermark);
}

/** Moves the watermark to this run's `now`, in the transaction that records the run's decisions. */
export async function advanceWatermark(tx: StoreTx, rule: string, now: Date): Promise<void> {
    await tx.query('UPDATE rule_watermarks SET watermark = $2, updated_at = now() WHERE rule = $1', [rule, now.toISOString()]);
}
