// The scheduled_runs table: who runs a rule's period, and whether it finished. Each statement is a
// transaction of its own, committed before the run starts, so other processes see the claim at once.
import type { StoreTx } from '../store/store.js';

export type ClaimResult =
    /** This process runs the period (`attempt` > 1: it took over a stale claim). */
    | { claimed: true; attempt: number }
    /** Someone else runs or ran it, or a later period was already claimed. */
    | { claimed: false; settled: boolean };

/**
 * Claims (rule, due) for `owner`. The primary key makes the INSERT succeed in one process only (a
 * concurrent one waits for the winner's commit, then finds the row). The DO UPDATE branch takes over
 * a claim that never finished and whose heartbeat is older than `staleMs` (its process died). No claim
 * is made for a period older than one already claimed: that run's watermark covers it.
 */
export async function claimScheduledRun(db: StoreTx, rule: string, due: Date, owner: string, staleMs: number): Promise<ClaimResult> {
    const { rows } = await db.query<{ attempts: number }>(
        `INSERT INTO scheduled_runs AS s (rule, due_at, claimed_by, claimed_at, heartbeat_at)
         SELECT $1, $2, $3, clock_timestamp(), clock_timestamp()
         WHERE NOT EXISTS (SELECT 1 FROM scheduled_runs l WHERE l.rule = $1 AND l.due_at > $2)
         ON CONFLICT (rule, due_at) DO UPDATE
             SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at,
                 heartbeat_at = excluded.heartbeat_at, attempts = s.attempts + 1
             WHERE s.finished_at IS NULL AND s.heartbeat_at < clock_timestamp() - make_interval(secs => $4::float8 / 1000)
         RETURNING attempts`,
        [rule, due.toISOString(), owner, staleMs],
    );
    if (rows.length === 1) return { claimed: true, attempt: Number(rows[0]!.attempts) };
    return { claimed: false, settled: await isSettled(db, rule, due) };
}

/** Finished, or overtaken by a later claimed period: nothing left to do for (rule, due). */
async function isSettled(db: StoreTx, rule: string, due: Date): Promise<boolean> {
    const { rows } = await db.query<{ settled: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM scheduled_runs WHERE rule = $1 AND due_at = $2 AND finished_at IS NOT NULL)
             OR EXISTS (SELECT 1 FROM scheduled_runs WHERE rule = $1 AND due_at > $2) AS settled`,
        [rule, due.toISOString()],
    );
    return rows[0]!.settled;
}

/** Tells the others this process is still running the period (so they do not take it over). */
export async function heartbeat(db: StoreTx, rule: string, due: Date, owner: string): Promise<void> {
    await db.query(
        `UPDATE scheduled_runs SET heartbeat_at = clock_timestamp()
         WHERE rule = $1 AND due_at = $2 AND claimed_by = $3 AND finished_at IS NULL`,
        [rule, due.toISOString(), owner],
    );
}

export async function finishScheduledRun(
    db: StoreTx,
    rule: string,
    due: Date,
    outcome: { runId: number | null; nothingNew: boolean },
): Promise<void> {
    await db.query(
        `UPDATE scheduled_runs SET finished_at = clock_timestamp(), outcome = $3, run_id = $4, last_error = NULL
         WHERE rule = $1 AND due_at = $2`,
        [rule, due.toISOString(), outcome.nothingNew ? 'nothing_new' : 'ran', outcome.runId],
    );
}

/**
 * Records why a run failed. The claim stays unfinished and its heartbeat stops, so the period is
 * retried (by any process) once the claim is stale: a failure that repeats is retried once per
 * timeout, not in a tight loop.
 */
export async function recordRunError(db: StoreTx, rule: string, due: Date, error: string): Promise<void> {
    await db.query('UPDATE scheduled_runs SET last_error = $3 WHERE rule = $1 AND due_at = $2', [rule, due.toISOString(), error.slice(0, 2000)]);
}
