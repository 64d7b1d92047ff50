// `followup prune`: deletes history older than an instant that no rule, recheck, cap, goal or explain
// still reads (docs/scaling.md, "Pruning").
//
// What may go, and why it is safe
// -------------------------------
// The unit of pruning is an event with everything about it: its deliveries (originals and follow-ups),
// their tracking rows and outbox rows, and its decisions. An event goes only when all of that is older
// than `before`: it happened before, no delivery of it was sent at or after, no decision about it was
// taken at or after, and no outbox row of it is still to be sent (pending or being sent). Every foreign
// key between these tables points inside that unit (a decision's trigger and follow-up deliveries are
// the event's own, `<rule>:<event>`; `decisions.run_id` points to `runs`, which prune keeps), so a batch
// deletes whole units and never leaves half of one.
//
// Exactly once. A decision is the proof that a (rule, event) was decided; deleting it is safe only if
// the event can never be selected again. Here a decision goes only with its event and every delivery
// of the event, so the selection (which starts from a delivery joined to its event) has nothing left to
// select. And even if the same history were imported again, the watermark keeps it out: the compiled
// selection reads `d.sent_at > $1 - delay` with $1 the rule's watermark (compiler
// sql/rule-queries.ts), the watermark is only ever moved forward (executor/runs-table.ts
// `finishRun` sets it to a run's now, and a run whose now is not after it returns before
// deciding anything: run-rule.ts `notAfterWatermark`), the row is never deleted (not by prune either),
// and a renamed rule takes its old name's watermark over (rule-identity.ts `takeOver`). `before` is
// refused beyond every rule's `watermark - delay` (`safePruneBound`), so every delivery pruned was sent
// at or before `watermark - delay`: outside every window any later run can read.
//
// What the rules still read (the safe bound): for each rule of the project, the earliest of
//  - selection and recheck: `watermark - delay` (a rule that never ran: `now - lookback - delay`, its
//    first run's window); `since` conditions read events after the trigger's sent_at, so inside it too;
//    `expire` only labels rows of the window, it reads nothing earlier;
//  - caps: `now - per` for each `limit ... per <per>` (follow-ups counted in (now - per, now]);
//  - goals: `now - within` (minus a day with quiet hours: a held follow-up is measured from when it was
//    released), so that no decision whose goal is still being measured goes;
// and, from the store, the trigger of every follow-up still to be sent (dispatch rechecks its `since`
// conditions from that trigger's sent_at). A `--before` later than the earliest is refused.
//
// Also pruned: profile versions superseded at or before `before` (rules read the latest version at or
// before their now; a follow-up still to be sent is rendered with the version valid at its decision,
// which came after its trigger, so after `before`: kept), finished scheduled_runs claims older than `before` with
// a later claim of the same rule (the scheduler only looks at the latest), and idempotency keys older
// than `before` and past their time to live. Never pruned: suppressions (forever), rule_watermarks,
// rule_identities, recipient_locks (small, and what exactly-once and caps stand on), runs (one row per
// rule per run; explain reads the run whose window held a trigger), webhook_tokens (serve prunes them).
//
// Explain of an event left gives the same verdicts as before the prune, with one exception in the
// detail: for a trigger the rule passed over (due inside a window already run, so older than its
// watermark), explain re-evaluates the conditions as of that run, and a `since` event it named may have
// been pruned (it says then that the run did not select it). The verdict, `passed-over`, is the same.
import type { RenderPlan } from '@followup/compiler';
import { FollowupError } from '@followup/values';
import { binaryTextArray } from '../executor/text-array.js';
import type { Store, StoreTx } from './store.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Idempotency keys are answered for 24 hours (serve/ingest/idempotency.ts): never pruned younger. */
const IDEMPOTENCY_TTL_MS = DAY;

/** Why a rule, or a follow-up waiting to be sent, needs history since `from`. */
export interface PruneNeed {
    /** The rule's name (for a pending follow-up, the rule that made it). */
    rule: string;
    what: 'selection' | 'cap' | 'goal' | 'pending';
    /** The earliest instant it reads: rows at or after it must stay. */
    from: Date;
    /** In words: "reads deliveries sent after 2026-11-12T09:00:00Z (its watermark 2026-11-19T09:00:00Z minus its delay 7 days)". */
    reason: string;
}

export interface PruneBound {
    /** The latest `before` that keeps everything the rules read: the earliest `from` of `needs`. */
    safe: Date;
    /** Every need, earliest first. */
    needs: PruneNeed[];
}

/** `--before` is later than what a rule still needs: a usage error (exit 2) naming each rule and what it needs. */
export class UnsafePruneError extends FollowupError {
    constructor(readonly before: Date, readonly bound: PruneBound) {
        const blocking = bound.needs.filter((n) => n.from.getTime() < before.getTime());
        super(
            `--before ${iso(before)} would delete history the rules still read:\n` +
                blocking.map((n) => `  ${n.rule}: ${n.reason}`).join('\n') +
                `\nthe latest safe --before is ${iso(bound.safe)}: nothing was deleted`,
            'usage',
        );
    }
}

/** The tables prune deletes from, in the order it reports them. */
export const prunedTables = ['events', 'deliveries', 'tracking', 'outbox', 'decisions', 'profiles', 'scheduled_runs', 'idempotency_keys'] as const;
export type PrunedTable = (typeof prunedTables)[number];
export type PruneCounts = Record<PrunedTable, number>;

export interface PruneOptions {
    before: Date;
    /** The present: the bound of rules that never ran, caps and goals are counted back from it. */
    now: Date;
    /** Count what would go, delete nothing. */
    dryRun?: boolean;
    /** Events (with what belongs to them) per batch, each batch its own transaction (default 5,000). */
    batchSize?: number;
    /** After each batch: the rows deleted (or counted) so far and what is being pruned. */
    onProgress?(progress: { table: PrunedTable; counts: PruneCounts; batches: number }): void;
}

export interface PruneReport {
    before: string;
    now: string;
    dryRun: boolean;
    safe: string;
    counts: PruneCounts;
    batches: number;
    durationMs: number;
}

function iso(d: Date): string {
    return d.toISOString().replace('.000Z', 'Z');
}

/**
 * The earliest instant the project's rules (and the follow-ups still waiting to be sent) can read:
 * the latest `--before` prune accepts. Read-only.
 */
export async function safePruneBound(store: StoreTx, plans: readonly RenderPlan[], now: Date): Promise<PruneBound> {
    const { rows: marks } = await store.query<{ rule: string; watermark: Date }>('SELECT rule, watermark FROM rule_watermarks');
    const watermarks = new Map(marks.map((m) => [m.rule, new Date(m.watermark)]));
    const needs: PruneNeed[] = [];
    for (const plan of plans) {
        const delay = plan.trigger.delay;
        // A renamed rule takes the old name's watermark over at its next run (rule-identity.ts).
        const own = watermarks.get(plan.rule) ?? plan.identity.previousNames.map((n) => watermarks.get(n)).find((w) => w !== undefined);
        if (own) {
            needs.push({
                rule: plan.rule, what: 'selection', from: new Date(own.getTime() - delay.minutes * MINUTE),
                reason: `reads deliveries sent after ${iso(new Date(own.getTime() - delay.minutes * MINUTE))} (its watermark ${iso(own)} minus its delay ${delay.text})`,
            });
        } else {
            const from = new Date(now.getTime() - (plan.lookback.minutes + delay.minutes) * MINUTE);
            needs.push({
                rule: plan.rule, what: 'selection', from,
                reason: `has not run: its first run reads deliveries sent after ${iso(from)} (now minus its lookback ${plan.lookback.text} and its delay ${delay.text})`,
            });
        }
        for (const limit of plan.limits) {
            const from = new Date(now.getTime() - limit.per.minutes * MINUTE);
            needs.push({
                rule: plan.rule, what: 'cap', from,
                reason: `counts follow-ups since ${iso(from)} (${limit.scope === 'project' ? "the project policy's " : ''}limit ${limit.count} per recipient per ${limit.per.text})`,
            });
        }
        if (plan.goal) {
            const hold = plan.quietHours.length > 0 ? DAY : 0;
            const from = new Date(now.getTime() - plan.goal.within.minutes * MINUTE - hold);
            needs.push({
                rule: plan.rule, what: 'goal', from,
                reason: `measures decisions taken since ${iso(from)} (goal ${plan.goal.event} within ${plan.goal.within.text}${hold ? ', and a day for quiet hours' : ''})`,
            });
        }
    }
    // A follow-up still to be sent is checked again at dispatch: its `since` conditions read events
    // after its trigger's sent_at. Its own event is kept whatever `before` is; the others must be too.
    const { rows: pending } = await store.query<{ rule: string; delivery_id: string; sent_at: Date }>(
        `SELECT o.rule, o.delivery_id, t.sent_at
         FROM outbox o
         JOIN deliveries f ON f.id = o.delivery_id
         JOIN decisions x ON x.rule = o.rule AND x.event_id = f.event_id
         JOIN deliveries t ON t.id = x.trigger_delivery_id
         WHERE o.status IN ('pending', 'sending') AND o.rule IS NOT NULL
         ORDER BY t.sent_at LIMIT 1`,
    );
    for (const p of pending) {
        needs.push({
            rule: p.rule, what: 'pending', from: new Date(p.sent_at),
            reason: `its follow-up ${p.delivery_id} is still to be sent and is checked again from its trigger, sent at ${iso(new Date(p.sent_at))}`,
        });
    }
    needs.sort((a, b) => a.from.getTime() - b.from.getTime());
    // No rule and nothing pending: nothing reads the past, up to now.
    return { safe: needs[0]?.from ?? now, needs };
}

/**
 * Deletes what is older than `before` and no longer read (see the top of this file), in batches, each
 * batch one transaction: all of a batch or none of it. Throws UnsafePruneError, deleting nothing, when
 * `before` is later than `safePruneBound`. A dry run counts what would go and deletes nothing.
 */
export async function pruneStore(store: Store, plans: readonly RenderPlan[], options: PruneOptions): Promise<PruneReport> {
    const started = Date.now();
    const { before, now } = options;
    const dryRun = options.dryRun ?? false;
    const batchSize = options.batchSize ?? 5000;
    const bound = await safePruneBound(store, plans, now);
    if (before.getTime() > bound.safe.getTime()) throw new UnsafePruneError(before, bound);

    const counts = Object.fromEntries(prunedTables.map((t) => [t, 0])) as PruneCounts;
    let batches = 0;
    const progress = (table: PrunedTable) => options.onProgress?.({ table, counts: { ...counts }, batches });
    const report = (): PruneReport => ({
        before: before.toISOString(), now: now.toISOString(), dryRun, safe: bound.safe.toISOString(), counts, batches, durationMs: Date.now() - started,
    });
    const work: PruneWork = { before, now, batchSize, array: binaryTextArray, counts, progress };
    if (!dryRun) {
        // Each batch its own transaction: all of a batch or none of it.
        await pruneBatches(store, work, (fn) => {
            batches++;
            return store.transaction(fn);
        });
        return report();
    }
    // A dry run does the same deletes in one transaction and rolls it back, so that what it counts is
    // what a real prune would delete (runs freed by deleted decisions included).
    await store.transaction(async (tx) => {
        await pruneBatches(tx, work, (fn) => {
            batches++;
            return fn(tx);
        });
        throw new DryRunRollback();
    }).catch((error: unknown) => {
        if (!(error instanceof DryRunRollback)) throw error;
    });
    return report();
}

interface PruneWork {
    before: Date;
    now: Date;
    batchSize: number;
    array: (values: readonly (string | null)[]) => unknown;
    counts: PruneCounts;
    progress(table: PrunedTable): void;
}

type Batch = <T>(fn: (tx: StoreTx) => Promise<T>) => Promise<T>;

async function pruneBatches(db: StoreTx, work: PruneWork, batch: Batch): Promise<void> {
    const { before, now, batchSize, array, counts, progress } = work;
    const beforeText = before.toISOString();

    // Events, type by type, in (occurred_at, id) order through events(type, occurred_at): a page of
    // events older than `before`, of which those whose whole unit is older go.
    const { rows: types } = await db.query<{ type: string }>(
        `WITH RECURSIVE t AS (
             SELECT min(type) AS type FROM events
             UNION ALL
             SELECT (SELECT min(e.type) FROM events e WHERE e.type > t.type) FROM t WHERE t.type IS NOT NULL)
         SELECT type FROM t WHERE type IS NOT NULL`,
    );
    for (const { type } of types) {
        let cursor: { at: string; id: string } | undefined;
        for (;;) {
            const done = await batch(async (tx) => {
                const { rows: page } = await tx.query<{ id: string; occurred_at: Date; prunable: boolean }>(
                    `SELECT p.id, p.occurred_at,
                        NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = p.id AND d.sent_at >= $2)
                        AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = p.id AND x.decided_at >= $2)
                        AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN outbox o ON o.delivery_id = d.id
                                        WHERE d.event_id = p.id AND o.status IN ('pending', 'sending')) AS prunable
                     FROM (SELECT e.id, e.occurred_at FROM events e
                           WHERE e.type = $1 AND e.occurred_at < $2
                             AND ($3::timestamptz IS NULL OR (e.occurred_at >= $3 AND (e.occurred_at > $3 OR e.id > $4)))
                           ORDER BY e.occurred_at, e.id LIMIT $5) p
                     ORDER BY p.occurred_at, p.id`,
                    [type, beforeText, cursor?.at ?? null, cursor?.id ?? null, batchSize],
                );
                if (page.length === 0) return true;
                const last = page[page.length - 1]!;
                cursor = { at: new Date(last.occurred_at).toISOString(), id: last.id };
                const ids = page.filter((r) => r.prunable).map((r) => r.id);
                if (ids.length > 0) await deleteEvents(tx, array, array(ids), counts);
                return page.length < batchSize;
            });
            progress('events');
            if (done) break;
        }
    }

    // Profile versions superseded at or before `before`, in key order.
    {
        let cursor: { key: string; at: string } | undefined;
        for (;;) {
            const done = await batch(async (tx) => {
                const { rows: page } = await tx.query<{ key: string; updated_at: Date; prunable: boolean }>(
                    `SELECT p.key, p.updated_at,
                        p.updated_at < $1 AND EXISTS (SELECT 1 FROM profiles q WHERE q.key = p.key AND q.updated_at > p.updated_at AND q.updated_at <= $1) AS prunable
                     FROM profiles p
                     WHERE $2::text IS NULL OR (p.key, p.updated_at) > ($2::text, $3::timestamptz)
                     ORDER BY p.key, p.updated_at LIMIT $4`,
                    [beforeText, cursor?.key ?? null, cursor?.at ?? null, batchSize],
                );
                if (page.length === 0) return true;
                const last = page[page.length - 1]!;
                cursor = { key: last.key, at: new Date(last.updated_at).toISOString() };
                const doomed = page.filter((r) => r.prunable);
                if (doomed.length > 0) {
                    const { rowCount } = await tx.query(
                        `DELETE FROM profiles p USING unnest($1::text[], $2::text[]) AS v(key, at)
                         WHERE p.key = v.key AND p.updated_at = v.at::timestamptz`,
                        [array(doomed.map((r) => r.key)), array(doomed.map((r) => new Date(r.updated_at).toISOString()))],
                    );
                    counts.profiles += rowCount;
                }
                return page.length < batchSize;
            });
            progress('profiles');
            if (done) break;
        }
    }

    // The runs table is not pruned: one row per rule per run (small), explain reads the run whose window
    // held a trigger's due instant, and deleting a run makes PostgreSQL look for decisions pointing to it.
    await batch(async (tx) => {
        // Finished claims with a later claim of the same rule: the scheduler reads only the latest.
        const claims = await tx.query(
            `DELETE FROM scheduled_runs s
             WHERE s.due_at < $1 AND s.finished_at IS NOT NULL
               AND EXISTS (SELECT 1 FROM scheduled_runs l WHERE l.rule = s.rule AND l.due_at > s.due_at)`,
            [beforeText],
        );
        counts.scheduled_runs += claims.rowCount;
        const keys = await tx.query('DELETE FROM idempotency_keys WHERE created_at < $1 AND created_at < $2', [
            beforeText, new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString(),
        ]);
        counts.idempotency_keys += keys.rowCount;
    });
    progress('scheduled_runs');
}

class DryRunRollback extends Error {}

/** Deletes whole units: the events `ids` (text[] parameter) and all that refers to them, children first. */
async function deleteEvents(tx: StoreTx, array: PruneWork['array'], ids: unknown, counts: PruneCounts): Promise<void> {
    // Locks the deliveries first: a tracking row or decision being written for one of them meanwhile
    // waits, then fails its foreign key, rather than this batch failing half-way (it would roll back).
    const { rows: deliveries } = await tx.query<{ id: string }>(
        'SELECT id FROM deliveries WHERE event_id = ANY ($1::text[]) ORDER BY id FOR UPDATE', [ids]);
    const deliveryIds = array(deliveries.map((d) => d.id));
    if (deliveries.length > 0) {
        counts.tracking += (await tx.query('DELETE FROM tracking WHERE delivery_id = ANY ($1::text[])', [deliveryIds])).rowCount;
        counts.outbox += (await tx.query('DELETE FROM outbox WHERE delivery_id = ANY ($1::text[])', [deliveryIds])).rowCount;
    }
    counts.decisions += (await tx.query('DELETE FROM decisions WHERE event_id = ANY ($1::text[])', [ids])).rowCount;
    counts.deliveries += (await tx.query('DELETE FROM deliveries WHERE event_id = ANY ($1::text[])', [ids])).rowCount;
    counts.events += (await tx.query('DELETE FROM events WHERE id = ANY ($1::text[])', [ids])).rowCount;
}
