// `followup explain`: for an event, every rule's verdict as of `now` and the first reason it would not send.
import type { ExplainedCondition, RenderPlan } from '@followup/compiler';
import { normaliseEmail, postgresNormaliseEmail } from '@followup/values';
import type { Store } from '../store/store.js';

export type VerdictKind =
    | 'would-send' | 'not-applicable' | 'no-trigger' | 'decided' | 'not-due' | 'condition' | 'suppressed' | 'expired' | 'passed-over';

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

export class ExplainInputError extends Error {}

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
    [column: string]: unknown;
}

function bind(plan: RenderPlan, first: unknown[]): unknown[] {
    return [...first, ...plan.queries.explain.parameters.slice(first.length).map(p => p.value)];
}

const suppressionWords: Record<string, string> = { hard_bounce: 'hard bounce', unsubscribe: 'unsubscribed', complaint: 'complaint' };

function conditionReason(c: ExplainedCondition, evidence: unknown): string {
    const e = evidence === null || evidence === undefined ? undefined : String(evidence);
    if (c.evidence === 'engagement-at') {
        const what = c.text.replace(/^not /, '').split(' ')[0]!;
        return c.negated ? `${what} at ${e ? instant(e) : '?'}` : `not ${what}`;
    }
    if (c.evidence === 'since-event') {
        const event = c.text.replace(/^not /, '').replace(/ since sent$/, '');
        return c.negated ? `${event} ${e ?? ''} since sent`.replace('  ', ' ') : `no ${event} since sent`;
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
    if (row.decision) {
        const when = row.decided_at ? instant(row.decided_at) : '?';
        const reason = row.decision === 'send'
            ? `already sent at ${when} (delivery ${row.followup_delivery_id})`
            : `already decided at ${when}: ${row.decision}`;
        return { ...base, wouldSend: false, kind: 'decided', reason };
    }
    if (row.due_at.getTime() > now.getTime()) {
        return { ...base, wouldSend: false, kind: 'not-due', reason: `not due until ${instant(row.due_at)}` };
    }
    // Each due delivery is decided by the run whose window (w - D, now - D] holds it; one due at or
    // before the watermark (or before the first run's lookback) will never be selected.
    const watermark = await store.query<{ watermark: Date }>('SELECT watermark FROM rule_watermarks WHERE rule = $1', [rule]);
    const w = watermark.rows[0]?.watermark;
    if (w && row.due_at.getTime() <= w.getTime()) {
        const first = await store.query<{ start: Date | null }>('SELECT min(window_start) AS start FROM runs WHERE rule = $1', [rule]);
        const start = first.rows[0]?.start;
        if (start && row.due_at.getTime() <= start.getTime()) {
            return { ...base, wouldSend: false, kind: 'passed-over', reason: `before the rule's first window: due at ${instant(row.due_at)}, before its first run's window began (${instant(start)})` };
        }
        return { ...base, wouldSend: false, kind: 'passed-over', reason: `passed over: due at ${instant(row.due_at)}, and the run at ${instant(w)} found its conditions unmet` };
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
    return { ...base, wouldSend: true, kind: 'would-send', reason: `would send ${plan.message} ${plan.channel} to ${row.recipient}` };
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
