// `followup explain`: for an event, every rule's verdict as of `now` and the first reason it would not send.
import { FollowupError } from '@followup/values';
import type { ExplainedCondition, RenderPlan } from '@followup/compiler';
import { normaliseEmail, postgresNormaliseEmail } from '@followup/values';
import { countFollowups, capDetail, type CapDetail } from '../executor/policies/caps.js';
import { heldOutWords, holdoutDecision, type HoldoutDetail } from '../executor/policies/holdout.js';
import { quietHoursHold, recipientZoneOf } from '../executor/policies/quiet-hours.js';
import type { Store } from '../store/store.js';

export type VerdictKind =
    | 'would-send' | 'not-applicable' | 'no-trigger' | 'decided' | 'not-due' | 'condition' | 'suppressed' | 'expired' | 'passed-over'
    | 'capped' | 'held' | 'held-out';

export interface Verdict {
    rule: string;
    wouldSend: boolean;
    kind: VerdictKind;
    /** In words: `not due until 2026-11-23T10:00:00Z`, `opened at ...`, `purchase e9 since sent`. */
    reason: string;
    /** The condition that failed, as written (kind `condition`). */
    condition?: string;
    triggerDelivery?: string;
    dueAt?: string;
    recipient?: string;
}

export interface EventExplanation {
    event: string;
    type: string;
    occurredAt: string;
    verdicts: Verdict[];
}

/** No such event or address as of now: exit 1. */
export class ExplainInputError extends FollowupError {
    constructor(message: string) {
        super(message, 'input');
    }
}

/** ISO-8601 without milliseconds: what people read and paste back into --now. */
export function instant(value: Date | string): string {
    return new Date(value).toISOString().replace('.000Z', 'Z');
}

interface ExplainRow {
    trigger_delivery_id: string;
    sent_at: Date;
    due_at: Date;
    expires_at: Date;
    recipient: string | null;
    suppressed: boolean;
    suppression_reason: string | null;
    decision: string | null;
    decided_at: Date | null;
    followup_delivery_id: string | null;
    decision_detail: { held?: HeldDetail } & Partial<CapDetail> & Partial<HoldoutDetail> | null;
    followup_status: string | null;
    followup_sent_at: Date | null;
    event: Record<string, unknown>;
    profile: Record<string, unknown> | null;
    [column: string]: unknown;
}

/** decisions.detail of a send held by quiet hours (executor/run-rule.ts holdDetail). */
interface HeldDetail {
    until: string;
    local: string;
    zone: string;
    window: string;
    scope: 'rule' | 'project';
}

/** "capped: 3 follow-ups of this rule to ana@example.com since 2026-11-16T10:00:00Z (limit 3 per recipient per 7 days)". */
export function cappedReason(plan: Pick<RenderPlan, 'channel'>, detail: CapDetail, recipient: string | null): string {
    const whose = detail.limit.scope === 'rule' ? 'of this rule' : `on ${plan.channel}`;
    const limit = `${detail.limit.scope === 'rule' ? '' : "the project policy's "}limit ${detail.limit.count} per recipient per ${detail.limit.per}`;
    const n = `${detail.counted} follow-up${detail.counted === 1 ? '' : 's'}`;
    return `capped: ${n} ${whose} to ${recipient ?? '?'} since ${instant(detail.since)} (${limit})`;
}

function heldReason(held: HeldDetail): string {
    const policy = held.scope === 'project' ? "the project policy's quiet hours" : 'quiet hours';
    return `held until ${held.local} ${held.zone} (${policy} ${held.window}; ${instant(held.until)})`;
}

function bind(plan: RenderPlan, first: unknown[]): unknown[] {
    return [...first, ...plan.queries.explain.parameters.slice(first.length).map(p => p.value)];
}

const suppressionWords: Record<string, string> = { hard_bounce: 'hard bounce', unsubscribe: 'unsubscribed', complaint: 'complaint' };

function conditionReason(c: ExplainedCondition, evidence: unknown): string {
    const e = evidence === null || evidence === undefined ? undefined : String(evidence);
    if (c.evidence === 'engagement-at') {
        const what = c.text.replace(/^not /, '').replace(/ link ".*"$/, '');
        return c.negated ? `${what} at ${e ? instant(e) : '?'}` : `not ${what}`;
    }
    if (c.evidence === 'since-event') {
        const [, event, same] = /^(\S+)(?: with same (.+))? since sent$/.exec(c.text.replace(/^not /, '')) ?? [, c.text, undefined];
        const about = same ? ` with the same ${same}` : '';
        return c.negated ? `${[event, e].filter(Boolean).join(' ')}${about} since sent` : `no ${event}${about} since sent`;
    }
    if (c.evidence === 'value') return `${c.text} does not hold (the value is ${e === undefined ? 'missing' : JSON.stringify(e)})`;
    return `${c.text} does not hold`;
}

async function verdictFor(store: Store, plan: RenderPlan, eventId: string, eventType: string, now: Date): Promise<Verdict> {
    const rule = plan.rule;
    if (plan.event !== eventType) {
        return { rule, wouldSend: false, kind: 'not-applicable', reason: `follows up ${plan.event} events, not ${eventType}` };
    }
    const { rows } = await store.query<ExplainRow>(plan.queries.explain.sql, bind(plan, [eventId, now]));
    const row = rows[0];
    if (!row) {
        const reason = plan.trigger.kind === 'rule'
            ? `${plan.trigger.name} has not sent a follow-up for this event`
            : `no ${plan.trigger.channel ? `${plan.trigger.channel} ` : ''}delivery of this event was sent`;
        return { rule, wouldSend: false, kind: 'no-trigger', reason };
    }
    const base = { rule, triggerDelivery: row.trigger_delivery_id, dueAt: instant(row.due_at), ...(row.recipient ? { recipient: row.recipient } : {}) };
    // A decision taken after now has not happened yet.
    if (row.decision && row.decided_at && row.decided_at.getTime() > now.getTime()) row.decision = null;
    // Likewise a follow-up sent after now (released from quiet hours later) is still queued as of now.
    if (row.followup_status === 'sent' && row.followup_sent_at && row.followup_sent_at.getTime() > now.getTime()) row.followup_status = 'queued';
    if (row.decision) {
        const when = row.decided_at ? instant(row.decided_at) : '?';
        const detail = row.decision_detail;
        if (row.decision === 'send' && detail?.held && row.followup_status === 'queued' && new Date(detail.held.until).getTime() > now.getTime()) {
            return { ...base, wouldSend: false, kind: 'held', reason: `decided at ${when}, ${heldReason(detail.held)}` };
        }
        if (row.decision === 'held_out' && detail?.share !== undefined) {
            const from = detail.measuredFrom ? `; its goal is measured from ${instant(detail.measuredFrom)}` : '';
            return { ...base, wouldSend: false, kind: 'held-out', reason: `${heldOutWords(detail.share)}: decided at ${when}, no follow-up sent${from}` };
        }
        if (row.decision === 'capped' && detail?.limit) {
            return { ...base, wouldSend: false, kind: 'decided', reason: `${cappedReason(plan, detail as CapDetail, row.recipient)}, decided at ${when}` };
        }
        const reason = row.decision !== 'send' ? `already decided at ${when}: ${row.decision}`
            : row.followup_status === 'queued' ? `decided at ${when}: queued for sending (delivery ${row.followup_delivery_id})`
                : row.followup_status === 'failed' ? `decided at ${when}, but sending failed (delivery ${row.followup_delivery_id})`
                    : `already sent at ${row.followup_sent_at ? instant(row.followup_sent_at) : when} (delivery ${row.followup_delivery_id})`;
        return { ...base, wouldSend: false, kind: 'decided', reason };
    }
    if (row.due_at.getTime() > now.getTime()) {
        return { ...base, wouldSend: false, kind: 'not-due', reason: `not due until ${instant(row.due_at)}` };
    }
    // Each due delivery is decided by the run whose window (w - D, now - D] holds it; one due at or
    // before the watermark (or before the first run's lookback) will never be selected. As of now:
    // runs after now have not happened yet.
    const { rows: runs } = await store.query<{ window_start: Date; now: Date }>(
        'SELECT window_start, now FROM runs WHERE rule = $1 AND now <= $2 ORDER BY now', [rule, now]);
    const w = runs.at(-1)?.now;
    if (w && row.due_at.getTime() <= w.getTime()) {
        const start = runs[0]!.window_start;
        if (row.due_at.getTime() <= start.getTime()) {
            return { ...base, wouldSend: false, kind: 'passed-over', reason: `before the rule's first window: due at ${instant(row.due_at)}, before its first run's window began (${instant(start)})` };
        }
        const deciding = runs.find((r) => r.window_start.getTime() < row.due_at.getTime() && row.due_at.getTime() <= r.now.getTime());
        return { ...base, wouldSend: false, kind: 'passed-over', reason: await passedOverReason(store, plan, eventId, row.due_at, deciding?.now) };
    }
    if (!w && row.due_at.getTime() <= now.getTime() - plan.lookback.minutes * 60_000) {
        return { ...base, wouldSend: false, kind: 'passed-over', reason: `before the rule's first window: due at ${instant(row.due_at)}, more than its lookback (${plan.lookback.text}) ago` };
    }
    const failing = plan.queries.explain.conditions.findIndex((_, i) => row[`c${i}`] !== true);
    if (failing >= 0) {
        const c = plan.queries.explain.conditions[failing]!;
        return { ...base, wouldSend: false, kind: 'condition', condition: c.text, reason: conditionReason(c, row[`e${failing}`]) };
    }
    if (row.suppressed) {
        const words = suppressionWords[row.suppression_reason ?? ''] ?? row.suppression_reason;
        return { ...base, wouldSend: false, kind: 'suppressed', reason: `suppressed: ${words}` };
    }
    if (row.expires_at.getTime() < now.getTime()) {
        return { ...base, wouldSend: false, kind: 'expired', reason: `expired: due at ${instant(row.due_at)}, more than ${plan.expire.text} ago` };
    }
    const address = (row.recipient ?? '').trim();
    for (const limit of address === '' ? [] : plan.limits) {
        const [counted] = await countFollowups(store, plan, limit, now, [address]);
        if (counted! >= limit.count) {
            return { ...base, wouldSend: false, kind: 'capped', reason: `would be ${cappedReason(plan, capDetail(limit, counted!, now), row.recipient)}` };
        }
    }
    const sending = `would send ${plan.message} ${plan.channel} to ${row.recipient}`;
    const hold = quietHoursHold(plan, recipientZoneOf(plan, row.event, row.profile), now);
    const heldOut = holdoutDecision(plan, row.event, row.recipient, hold?.until ?? now);
    if (heldOut) {
        return { ...base, wouldSend: false, kind: 'held-out', reason: `would be ${heldOutWords(heldOut.share)}: no follow-up to ${row.recipient}` };
    }
    if (hold) {
        const held: HeldDetail = { until: hold.until.toISOString(), local: hold.untilLocal, zone: hold.zone, window: hold.window, scope: hold.scope };
        return { ...base, wouldSend: true, kind: 'held', reason: `${sending}, ${heldReason(held)}` };
    }
    return { ...base, wouldSend: true, kind: 'would-send', reason: sending };
}

/** Why the run that had a due delivery in its window did not decide it: its first unmet condition as of that run. */
async function passedOverReason(store: Store, plan: RenderPlan, eventId: string, dueAt: Date, runNow: Date | undefined): Promise<string> {
    const due = `passed over: due at ${instant(dueAt)}`;
    if (!runNow) return `${due}, inside a window already run`;
    const { rows } = await store.query<ExplainRow>(plan.queries.explain.sql, bind(plan, [eventId, runNow]));
    const then = rows[0];
    const failing = then ? plan.queries.explain.conditions.findIndex((_, i) => then[`c${i}`] !== true) : -1;
    if (then && failing >= 0) {
        const c = plan.queries.explain.conditions[failing]!;
        return `${due}; the run at ${instant(runNow)} found: ${conditionReason(c, then[`e${failing}`])}`;
    }
    if (then?.suppressed) return `${due}; the run at ${instant(runNow)} found the recipient suppressed`;
    return `${due}; the run at ${instant(runNow)} did not select it (its trigger delivery or data may have been recorded after that run)`;
}

export async function explainEvent(store: Store, plans: RenderPlan[], eventId: string, now: Date): Promise<EventExplanation> {
    const { rows } = await store.query<{ id: string; type: string; occurred_at: Date }>(
        'SELECT id, type, occurred_at FROM events WHERE id = $1 AND occurred_at <= $2', [eventId, now]);
    const event = rows[0];
    if (!event) throw new ExplainInputError(`No event '${eventId}' as of ${instant(now)}`);
    const verdicts: Verdict[] = [];
    for (const plan of plans) verdicts.push(await verdictFor(store, plan, event.id, event.type, now));
    return { event: event.id, type: event.type, occurredAt: instant(event.occurred_at), verdicts };
}

/** Every event an address received a message for (as of now), each explained. */
export async function explainAddress(store: Store, plans: RenderPlan[], address: string, now: Date): Promise<EventExplanation[]> {
    const { rows } = await store.query<{ event_id: string }>(
        `SELECT d.event_id FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE ${postgresNormaliseEmail('d.recipient')} = $1 AND d.sent_at <= $2
         GROUP BY d.event_id ORDER BY min(e.occurred_at), d.event_id`, [normaliseEmail(address), now]);
    if (rows.length === 0) throw new ExplainInputError(`No message was sent to '${address}' as of ${instant(now)}`);
    const out: EventExplanation[] = [];
    for (const row of rows) out.push(await explainEvent(store, plans, row.event_id, now));
    return out;
}
