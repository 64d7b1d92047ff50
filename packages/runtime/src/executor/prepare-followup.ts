// One due delivery → the follow-up to queue: addressed (and rendered when asked), or failed with the reason.
// The rendered parts are not recorded: dispatch renders the follow-up (dispatch/deferred.ts), so a run
// writes ~200 bytes per follow-up instead of the message (bench/README.md). A run renders only for
// whoever reads the result (a dry run, `onQueued`): a compiled template cannot fail on the data it
// is given (packages/template: every value renders, filters fall back to the value as text), and a
// template that threw would be recorded as failed by dispatch, as here. Not rendering, a run need not
// read the events' payloads at all (rule-queries.ts, SelectionContent).
import type { RenderPlan } from '@followup/compiler';
import type { MessageRenderer } from '../render/message-renderer.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { followupDeliveryId } from './delivery-id.js';
import type { FollowupRow, OutboxContent } from './record-decisions.js';
import type { SelectedRow } from './rule-queries.js';

export function prepareFollowup(plan: RenderPlan, row: SelectedRow, render: MessageRenderer | undefined, decorate?: ContentDecorator): FollowupRow {
    const deliveryId = followupDeliveryId(plan.rule, row.event_id);
    const recipient = (row.recipient ?? '').trim();
    const base = { eventId: row.event_id, rule: plan.rule, headers: traceHeaders(plan.rule, row.event_id) };
    // Failures are recorded (decision 'send', delivery 'failed', the reason in the outbox row) rather
    // than thrown: a throw would roll the whole rule back at every run, blocking everyone else.
    const failed = (error: string): FollowupRow => ({ deliveryId, eventId: row.event_id, recipient, status: 'failed', content: { ...base, error } });
    if (recipient === '') {
        const path = `${plan.recipient.source === 'profile' ? 'profile.' : ''}${plan.recipient.path.join('.')}`;
        return failed(`no ${plan.channel} recipient: ${path} is empty or missing`);
    }
    const content: OutboxContent = decorate ? { ...base, tracked: true } : base;
    if (!render) return { deliveryId, eventId: row.event_id, recipient, status: 'queued', content };
    try {
        if (row.event === null) throw new Error('the selection did not read the event'); // selectDue(…, 'full') does
        const rendered = render(row.event, row.profile);
        return { deliveryId, eventId: row.event_id, recipient, status: 'queued', content, rendered };
    } catch (error) {
        return failed(renderingFailed(error));
    }
}

/** The reason recorded for a template that threw (at dispatch; at the decision of a run that renders). */
export function renderingFailed(error: unknown): string {
    return `rendering failed: ${(error as Error).message}`;
}

/**
 * What a transport gets for a follow-up: the rendered parts over its recorded content, with tracking
 * applied when it was decided with tracking. Throws what the templates throw.
 */
export function renderedFollowup(
    content: OutboxContent,
    rendered: ReturnType<MessageRenderer>,
    delivery: { deliveryId: string; channel: string },
    decorate: ContentDecorator | undefined,
): OutboxContent {
    const { renderAt: _at, tracked, ...recorded } = content;
    const full: OutboxContent = { ...recorded, ...rendered };
    return tracked && decorate ? decorate(full, delivery) : full;
}

/** Which rule and event an email came from, for whoever reads its headers (an id with control characters is left out). */
function traceHeaders(rule: string, eventId: string): Record<string, string> {
    return /^[\x20-\x7e]{1,200}$/.test(eventId) ? { 'X-Followup-Rule': rule, 'X-Followup-Event': eventId } : { 'X-Followup-Rule': rule };
}
