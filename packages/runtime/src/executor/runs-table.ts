// The `runs` row of one execution of a rule: its window, its now, and what it decided.
import type { StoreTx } from '../store/store.js';
import type { RunCounts } from './run-report.js';

export async function startRun(tx: StoreTx, rule: string, watermark: Date, now: Date): Promise<number> {
    const { rows } = await tx.query<{ id: number }>(
        'INSERT INTO runs (rule, window_start, now, dry_run) VALUES ($1, $2, $3, false) RETURNING id',
        [rule, watermark.toISOString(), now.toISOString()],
    );
    return Number(rows[0]!.id);
}

/**
 * Stores the run's counts. `runs.sent` holds the follow-ups the run queued: whether a transport then
 * accepted each is the delivery's status, which dispatch (possibly another process) sets later.
 */
export async function finishRun(tx: StoreTx, runId: number, counts: RunCounts): Promise<void> {
    await tx.query(
        `UPDATE runs SET finished_at = clock_timestamp(), selected = $2, sent = $3, suppressed = $4, expired = $5, failed = $6,
             stopped = $7, capped = $8, held = $9, held_out = $10
         WHERE id = $1`,
        [runId, counts.selected, counts.queued, counts.suppressed, counts.expired, counts.failed, counts.stopped, counts.capped, counts.held, counts.heldOut],
    );
}
