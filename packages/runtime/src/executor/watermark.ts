// A rule's watermark: the `now` of its last successful run (docs/language.md §4), and the lock that
// serialises concurrent runs of one rule.
import type { RenderPlan } from '@followup/compiler';
import type { StoreTx } from '../store/store.js';

/**
 * Creates the rule's watermark on its first run (`now - lookback`), then locks its row until the
 * transaction ends, in one statement. A second process running the same rule waits here for the
 * first one's row lock (or, on a first run, its unique-index entry), and then updates and returns the
 * row version the first one committed, so it selects only what is left. The update changes nothing
 * but takes the lock; `finishRun` moves the watermark to the run's `now`.
 */
export async function lockWatermark(tx: StoreTx, plan: RenderPlan, now: Date): Promise<Date> {
    const firstRun = new Date(now.getTime() - plan.lookback.minutes * 60_000);
    const { rows } = await tx.query<{ watermark: Date }>(
        `INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2)
         ON CONFLICT (rule) DO UPDATE SET rule = EXCLUDED.rule
         RETURNING watermark`,
        [plan.rule, firstRun.toISOString()],
    );
    return new Date(rows[0]!.watermark);
}
