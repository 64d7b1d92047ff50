// What the operator page (`/ui`) reads of the store, as of the serve clock's now: each rule's last runs,
// its decisions per day and outcome, and the outbox depth.
import type { StoreTx } from '@followup/runtime';

export interface RunRow {
    id: number;
    window_start: Date;
    now: Date;
    finished_at: Date | null;
    selected: number;
    sent: number;
    suppressed: number;
    expired: number;
    stopped: number;
    failed: number;
    capped: number;
    held: number;
    held_out: number;
}

const RUN_COLUMNS = 'id, window_start, now, finished_at, selected, sent, suppressed, expired, stopped, failed, capped, held, held_out';

/** The rule's runs as of now, latest first. */
export async function lastRuns(db: StoreTx, rule: string, now: Date, limit = 10): Promise<RunRow[]> {
    const { rows } = await db.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE rule = $1 AND now <= $2 ORDER BY now DESC, id DESC LIMIT $3`, [rule, now, limit]);
    return rows;
}

/** Every rule's latest run as of now. */
export async function latestRuns(db: StoreTx, now: Date): Promise<Map<string, RunRow>> {
    const { rows } = await db.query<RunRow & { rule: string }>(
        `SELECT DISTINCT ON (rule) rule, ${RUN_COLUMNS} FROM runs WHERE now <= $1 ORDER BY rule, now DESC, id DESC`, [now]);
    return new Map(rows.map((r) => [r.rule, r]));
}

export interface DayOutcome {
    day: string;
    outcome: string;
    n: number;
}

/** The rule's decisions per UTC day and outcome, over the `days` days up to now. */
export async function decisionsPerDay(db: StoreTx, rule: string, now: Date, days = 30): Promise<DayOutcome[]> {
    const { rows } = await db.query<DayOutcome>(
        `SELECT ((decided_at AT TIME ZONE 'UTC')::date)::text AS day, outcome, count(*)::int AS n
         FROM decisions
         WHERE rule = $1 AND decided_at > $2::timestamptz - make_interval(days => $3::int) AND decided_at <= $2::timestamptz
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [rule, now, days]);
    return rows;
}

export interface OutboxDepth {
    /** Waiting to be sent (held ones included). */
    pending: number;
    /** Of those, held by quiet hours past now. */
    held: number;
    failed: number;
}

export async function outboxDepth(db: StoreTx, now: Date): Promise<OutboxDepth> {
    const { rows } = await db.query<OutboxDepth>(
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status = 'pending' AND held_until > $1)::int AS held,
                count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM outbox`, [now]);
    return rows[0]!;
}
