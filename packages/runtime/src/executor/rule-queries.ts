// The two compiled queries of a rule, run with their runtime values: selection and recheck.
import type { RenderPlan } from '@followup/compiler';
import { normaliseEmail, trimBlanks } from '@followup/values';
import type { StoreTx } from '../store/store.js';
import { bindParameters } from './bind-parameters.js';
import { binaryTextArray } from './text-array.js';

/** One row of a rule's selection query (packages/compiler/src/sql/rule-queries.ts). */
export interface SelectedRow {
    trigger_delivery_id: string;
    event_id: string;
    sent_at: Date;
    due_at: Date;
    expired: boolean;
    /** As the store keeps addresses: the selection returns the payload's value and selectDue normalises it. */
    recipient: string | null;
    /** The payload, or (selectDue's `decision`) only the fields deciding reads; null when it reads none. */
    event: Record<string, unknown> | null;
    profile: Record<string, unknown> | null;
}

/**
 * What of the event and the profile the selected rows carry: `full`, to render them; `decision`, only
 * the top-level fields deciding reads (the recipient's time zone for quiet hours, a holdout's key),
 * each row's event and profile reduced to an object of those (a field missing from the payload is
 * null there, which reads as missing does). A payload of ~2 KB read, converted to text and parsed for
 * each of 13,000 rows was the largest part of a PGlite run (bench/README.md).
 */
export type SelectionContent = 'full' | 'decision';

/** The deliveries due for the rule in (w - D, now - D], not yet decided. */
export async function selectDue(tx: StoreTx, plan: RenderPlan, watermark: Date, now: Date, content: SelectionContent = 'full'): Promise<SelectedRow[]> {
    const query = plan.queries.selection;
    const params = bindParameters(query, [watermark.toISOString(), now.toISOString()]);
    const sql = content === 'full' ? query.sql : decisionSelection(plan, query.sql, params);
    const rows = tx.packRows ? await selectPacked(tx, sql, params) : (await tx.query<SelectedRow>(sql, params)).rows;
    // In JavaScript, not in the query: the same functions, once per row, off the database's hot path
    // (in SQL the normalisation was a fifth of the selection's time, bench/README.md). Plans compiled
    // before (which computed these in SQL) give the same values.
    const normalise = plan.recipient.normalise === 'email' ? normaliseEmail : trimBlanks;
    const delay = plan.trigger.delay.minutes * 60_000;
    const late = now.getTime() - plan.expire.minutes * 60_000;
    for (const row of rows) {
        if (row.recipient !== null) row.recipient = normalise(row.recipient);
        // Due at sent_at + delay; expired when found more than `expire` after that (docs/language.md §4).
        row.due_at = new Date(row.sent_at.getTime() + delay);
        row.expired = row.due_at.getTime() < late;
    }
    // Decided in the order the triggers were sent (which of two follow-ups to one address a cap lets
    // through depends on it); ids compared by code unit, whatever the database's collation.
    return rows.sort(bySentThenId);
}

/**
 * The selection with its event and profile reduced to the fields deciding reads (SelectionContent),
 * their names bound as parameters appended to `params`. The selection is a subquery whose payload
 * columns are then never output: PostgreSQL flattens it and reads the payloads only for the fields.
 */
function decisionSelection(plan: Pick<RenderPlan, 'recipientZone' | 'holdout'>, selection: string, params: unknown[]): string {
    const fields: Record<'event' | 'profile', string[]> = { event: [], profile: [] };
    if (plan.recipientZone) fields[plan.recipientZone.source].push(String(plan.recipientZone.path[0]));
    if (plan.holdout?.person.kind === 'key') fields.event.push(plan.holdout.person.field);
    const reduced = (column: 'event' | 'profile'): string => {
        const names = [...new Set(fields[column])];
        if (names.length === 0) return 'NULL::jsonb';
        return `jsonb_build_object(${names.map((name) => {
            params.push(name);
            return `$${params.length}::text, s.${column} -> $${params.length}::text`;
        }).join(', ')})`;
    };
    return `SELECT s.trigger_delivery_id, s.event_id, s.sent_at, s.recipient, ${reduced('event')} AS event, ${reduced('profile')} AS profile FROM (${selection}) AS s`;
}

/** Rows per JSON array of a packed selection: a run of any size stays far below PostgreSQL's and V8's string limits. */
const PACK_ROWS = 1000;

/**
 * Runs a selection and reads its rows packed as JSON arrays of PACK_ROWS rows each, one value per
 * array, instead of one protocol message and six values per row: for stores that read rows slowly
 * (StoreTx.packRows). On PGlite, 13,000 due carts took ~490 ms to select as rows and ~400 ms in
 * arrays of 1,000 (~355 ms in one), and a run recorded 1.06x the follow-ups per second in turns; on a
 * PostgreSQL server, whose rows are read in another process while the server works, packing measured
 * 0.95x (bench/README.md). `sent_at` travels as epoch milliseconds, what a Date holds (microseconds
 * are dropped, as the row's Date dropped them).
 */
export async function selectPacked(tx: StoreTx, selection: string, params: unknown[]): Promise<SelectedRow[]> {
    const { rows } = await tx.query<{ part: string }>(
        `SELECT json_agg(json_build_array(s.trigger_delivery_id, s.event_id, floor(extract(epoch FROM s.sent_at) * 1000), s.recipient, s.event, s.profile))::text AS part
         FROM (SELECT s.*, (row_number() OVER ()) / ${PACK_ROWS} AS part FROM (${selection}) AS s) AS s
         GROUP BY s.part`,
        params,
    );
    const selected: SelectedRow[] = [];
    for (const { part } of rows) {
        for (const [triggerDeliveryId, eventId, sentAt, recipient, event, profile] of JSON.parse(part) as PackedRow[]) {
            selected.push({
                trigger_delivery_id: triggerDeliveryId, event_id: eventId, sent_at: new Date(sentAt), recipient, event, profile,
                // Set by selectDue.
                due_at: new Date(0), expired: false,
            });
        }
    }
    return selected;
}

type PackedRow = [string, string, number, string | null, Record<string, unknown> | null, Record<string, unknown> | null];

function bySentThenId(a: SelectedRow, b: SelectedRow): number {
    return a.sent_at.getTime() - b.sent_at.getTime() || (a.trigger_delivery_id < b.trigger_delivery_id ? -1 : a.trigger_delivery_id > b.trigger_delivery_id ? 1 : 0);
}

export interface RecheckOutcome {
    /** Events that no longer qualify (a purchase since, an open, ...): the follow-up must not go. */
    stopped: Set<string>;
    /** Events that still qualify but whose recipient is now suppressed on the channel. */
    suppressed: Set<string>;
}

/** Re-evaluates the rule's conditions and suppression for `eventIds` as of `now` (docs/language.md §4). */
export async function recheck(tx: StoreTx, plan: RenderPlan, eventIds: readonly string[], now: Date): Promise<RecheckOutcome> {
    const outcome: RecheckOutcome = { stopped: new Set(), suppressed: new Set() };
    if (eventIds.length === 0) return outcome;
    const query = plan.queries.recheck;
    const params = bindParameters(query, [[...eventIds], now.toISOString()]);
    const qualifying = new Map<string, boolean>();
    if (tx.packRows) {
        // Two JSON arrays instead of a row per event (StoreTx.packRows): on PGlite, 13 chunks of 1,000
        // rechecked in ~200 ms instead of ~252 ms (bench/README.md).
        const { rows: [packed] } = await tx.query<{ qualifying: string; suppressed: string }>(
            `SELECT coalesce(json_agg(r.event_id), '[]')::text AS qualifying,
                    coalesce(json_agg(r.event_id) FILTER (WHERE r.suppressed), '[]')::text AS suppressed
             FROM (${query.sql}) AS r`,
            params,
        );
        for (const id of JSON.parse(packed!.qualifying) as string[]) qualifying.set(id, false);
        for (const id of JSON.parse(packed!.suppressed) as string[]) qualifying.set(id, true);
    } else {
        const { rows } = await tx.query<{ event_id: string; suppressed: boolean }>(query.sql, params);
        for (const r of rows) qualifying.set(r.event_id, r.suppressed);
    }
    for (const id of eventIds) {
        const suppressed = qualifying.get(id);
        if (suppressed === undefined) outcome.stopped.add(id);
        else if (suppressed) outcome.suppressed.add(id);
    }
    return outcome;
}

/**
 * `recheck` on a store whose transaction no other session can commit into (StoreTx.exclusive): the
 * rule's conditions, evaluated by the selection in this same transaction, cannot have changed (a run
 * writes none of what they read: other events, engagement, originals, suppressions), so only
 * suppression, which the selection leaves out, is looked up: the suppressed addresses among the rows'
 * recipients (as selectDue normalised them, the store's normal form) on the rule's channel as of `now`.
 */
export async function suppressedAmong(tx: StoreTx, plan: Pick<RenderPlan, 'channel'>, rows: readonly Pick<SelectedRow, 'event_id' | 'recipient'>[], now: Date): Promise<RecheckOutcome> {
    const outcome: RecheckOutcome = { stopped: new Set(), suppressed: new Set() };
    const addresses = [...new Set(rows.flatMap((r) => (r.recipient === null ? [] : [r.recipient])))];
    if (addresses.length === 0) return outcome;
    const { rows: [found] } = await tx.query<{ addresses: string }>(
        `SELECT coalesce(json_agg(DISTINCT sp.address), '[]')::text AS addresses FROM suppressions sp
         WHERE sp.channel = $1 AND sp.at <= $2::timestamptz AND sp.address = ANY ($3::text[])`,
        [plan.channel, now.toISOString(), binaryTextArray(addresses)],
    );
    const suppressed = new Set(JSON.parse(found!.addresses) as string[]);
    if (suppressed.size === 0) return outcome;
    for (const r of rows) if (r.recipient !== null && suppressed.has(r.recipient)) outcome.suppressed.add(r.event_id);
    return outcome;
}
