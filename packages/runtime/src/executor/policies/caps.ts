// Frequency caps (docs/language.md §6): `limit <n> per recipient per <duration>`, of a rule or of the
// project's policy. A follow-up is capped when the follow-ups already counted against a limit — to
// the same address on the same channel, queued or sent, in (now - duration, now] — number n or more.
//
// Caps hold under concurrency because every run that decides follow-ups under a limit first locks
// the rows of their addresses in `recipient_locks` (in address order, in one statement, so two runs
// never wait on each other in a cycle), and keeps the locks until it commits: a second
// run deciding for the same address waits, then counts what the first one recorded.
import type { LimitIR, RenderPlan } from '@followup/compiler';
import type { StoreTx } from '../../store/store.js';
import { binaryTextArray } from '../text-array.js';

/** Why a follow-up was capped: recorded as the decision's detail, and told by `explain`. */
export interface CapDetail {
    limit: { count: number; per: string; scope: LimitIR['scope'] };
    /** The follow-ups counted against the limit when it was decided (≥ limit.count). */
    counted: number;
    /** The start of the window counted, (since, now]. */
    since: string;
}

/** Locks `addresses` on `channel` until the transaction ends (creating their rows the first time). */
export async function lockRecipients(tx: StoreTx, channel: string, addresses: readonly string[]): Promise<void> {
    const sorted = [...new Set(addresses)].sort();
    if (sorted.length === 0) return;
    // One statement, in address order: a new address is inserted (and so locked), an existing one is
    // locked by ON CONFLICT DO UPDATE, whose WHERE false updates nothing ("all rows will be locked when
    // the ON CONFLICT DO UPDATE action is taken", PostgreSQL's INSERT). Two runs inserting the same new
    // address wait on each other in order, as they do on an existing one. It replaced an INSERT ... DO
    // NOTHING and a SELECT ... FOR UPDATE: ~35% less time for 13,000 addresses on PGlite (bench/README.md).
    await tx.query(
        `INSERT INTO recipient_locks (channel, address)
         SELECT $1, a FROM unnest($2::text[]) AS a ORDER BY a
         ON CONFLICT (channel, address) DO UPDATE SET address = EXCLUDED.address WHERE false`,
        [channel, binaryTextArray(sorted)],
    );
}

/**
 * For each address, how many follow-ups count against `limit` as of `now`: of this rule (or, for a
 * project limit, of every rule) on the channel, queued or sent, in (now - per, now]. Transactional
 * messages (rule NULL) never count. `beforeOutboxIds`, when given (one per address, same order),
 * counts only follow-ups recorded before that outbox row: what was decided ahead of it.
 */
export async function countFollowups(
    tx: Pick<StoreTx, 'query' | 'packRows'>,
    plan: Pick<RenderPlan, 'rule' | 'channel'>,
    limit: LimitIR,
    now: Date,
    addresses: readonly string[],
    beforeOutboxIds?: readonly number[],
): Promise<number[]> {
    if (addresses.length === 0) return [];
    const before = beforeOutboxIds
        ? `AND EXISTS (SELECT 1 FROM outbox o WHERE o.delivery_id = d.id AND o.id < a.before)`
        : '';
    const counted = `SELECT (SELECT count(*)::int FROM deliveries d
                 WHERE d.recipient = a.address AND d.channel = $2 AND d.rule IS NOT NULL
                   AND ($3::text IS NULL OR d.rule = $3)
                   AND d.status IN ('queued', 'sent')
                   AND d.sent_at > $4::timestamptz - $5::interval AND d.sent_at <= $4::timestamptz
                   ${before}) AS n, a.i
         FROM unnest($1::text[], $6::bigint[]) WITH ORDINALITY AS a(address, before, i)`;
    const params = [
        binaryTextArray(addresses), plan.channel, limit.scope === 'rule' ? plan.rule : null, now.toISOString(), `${limit.per.minutes} minutes`,
        beforeOutboxIds ? beforeOutboxIds.map(String) : addresses.map(() => null),
    ];
    if (tx.packRows) {
        // One JSON array instead of a row per address (StoreTx.packRows).
        const { rows: [packed] } = await tx.query<{ counts: string }>(`SELECT coalesce(json_agg(c.n ORDER BY c.i), '[]')::text AS counts FROM (${counted}) AS c`, params);
        return JSON.parse(packed!.counts) as number[];
    }
    const { rows } = await tx.query<{ n: number }>(`${counted} ORDER BY a.i`, params);
    return rows.map((r) => r.n);
}

/**
 * The caps of one rule's run, in decision order: for each address, the follow-ups in the store when it
 * was first seen in this run, plus what the run has decided for it since. (Counted once per address:
 * what the run records for an address after that is already counted here, so the counter does not
 * depend on whether the run's earlier chunks are written yet.)
 */
export class CapCounter {
    private constructor(
        private readonly limits: readonly LimitIR[],
        private readonly now: Date,
        /** Per limit, per address: the follow-ups counted. */
        private readonly counts: Map<string, number>[],
    ) {}

    static empty(limits: readonly LimitIR[], now: Date): CapCounter {
        return new CapCounter(limits, now, limits.map(() => new Map()));
    }

    /** Counts the store's follow-ups for the addresses not seen yet. */
    async include(tx: StoreTx, plan: RenderPlan, addresses: readonly string[]): Promise<void> {
        const unseen = [...new Set(addresses)].filter((a) => !this.counts[0]!.has(a));
        for (let i = 0; i < this.limits.length; i++) {
            const n = await countFollowups(tx, plan, this.limits[i]!, this.now, unseen);
            unseen.forEach((a, k) => this.counts[i]!.set(a, n[k]!));
        }
    }

    /** The first limit this address has reached, or undefined when one more follow-up may go. */
    reached(address: string): CapDetail | undefined {
        for (let i = 0; i < this.limits.length; i++) {
            const limit = this.limits[i]!;
            const counted = this.counts[i]!.get(address) ?? 0;
            if (counted >= limit.count) return capDetail(limit, counted, this.now);
        }
        return undefined;
    }

    /** One more follow-up to `address` was decided. */
    add(address: string): void {
        for (const counts of this.counts) counts.set(address, (counts.get(address) ?? 0) + 1);
    }
}

export function capDetail(limit: LimitIR, counted: number, now: Date): CapDetail {
    return {
        limit: { count: limit.count, per: limit.per.text, scope: limit.scope },
        counted,
        since: new Date(now.getTime() - limit.per.minutes * 60_000).toISOString(),
    };
}

/**
 * Caps checked again when follow-ups are released (dispatched): for each row, the limit is counted
 * over the follow-ups decided ahead of it (lower outbox ids), as of the dispatch's now. What was
 * decided after a row never caps it, so this only stops a follow-up when something changed since
 * its decision: a limit added to the policy while it was held, say. Returns, per row, the cap reached.
 */
export async function recheckCaps(
    tx: StoreTx,
    plan: RenderPlan,
    rows: readonly { address: string; outboxId: number }[],
    now: Date,
): Promise<(CapDetail | undefined)[]> {
    const reached: (CapDetail | undefined)[] = rows.map(() => undefined);
    for (const limit of plan.limits) {
        const counts = await countFollowups(tx, plan, limit, now, rows.map((r) => r.address), rows.map((r) => r.outboxId));
        counts.forEach((n, i) => {
            if (reached[i] === undefined && n >= limit.count) reached[i] = capDetail(limit, n, now);
        });
    }
    return reached;
}
