// One due delivery → the follow-up to queue: addressed and rendered, or failed with the reason.
import type { RenderPlan } from '@followup/compiler';
import type { MessageRenderer } from '../render/message-renderer.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { followupDeliveryId } from './delivery-id.js';
import type { FollowupRow } from './record-decisions.js';
import type { SelectedRow } from './rule-queries.js';

export function prepareFollowup(plan: RenderPlan, row: SelectedRow, render: MessageRenderer, decorate?: ContentDecorator): FollowupRow {
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
    try {
        const rendered: FollowupRow['content'] = { ...base, ...render(row.event, row.profile) };
        const content = decorate ? decorate(rendered, { deliveryId, channel: plan.channel }) : rendered;
        return { deliveryId, eventId: row.event_id, recipient, status: 'queued', content };
    } catch (error) {
        return failed(`rendering failed: ${(error as Error).message}`);
    }
}

/** Which rule and event an email came from, for whoever reads its headers (an id with control characters is left out). */
function traceHeaders(rule: string, eventId: string): Record<string, string> {
    return /^[\x20-\x7e]{1,200}$/.test(eventId) ? { 'X-Followup-Rule': rule, 'X-Followup-Event': eventId } : { 'X-Followup-Rule': rule };
}
