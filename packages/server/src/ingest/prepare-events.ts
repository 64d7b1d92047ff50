// An accepted event → what to record: its row, and for each transactional message of its type the
// delivery to make — addressed, rendered, decorated (tracking) — or why there is none.
import { randomUUID } from 'node:crypto';
import type { EventPlan, TransactionalPlan } from '@followup/compiler';
import { normaliseAddress, normaliseEmail, parseInstant, trimBlanks } from '@followup/values';
import { createRenderer, type ChannelName, type MessageRenderer, type RenderedContent } from '@followup/runtime';

/** One event as posted (already validated against its schema). */
export interface IncomingEvent {
    type: string;
    id?: string;
    at?: string;
    data: Record<string, unknown>;
}

/** A message about to be recorded: what a `DecorateMessage` hook (tracking) may rewrite. */
export interface MessageDraft {
    deliveryId: string;
    eventId: string;
    message: string;
    channel: ChannelName;
    recipient: string;
    content: RenderedContent;
    headers: Record<string, string>;
}

/**
 * Called on every rendered transactional message before it is recorded, in the ingestion's
 * transaction: tracking rewrites links and adds its pixel and List-Unsubscribe headers here.
 */
export type DecorateMessage = (draft: MessageDraft) => MessageDraft;

export interface PreparedDelivery extends MessageDraft {
    /** The address as suppressions keep it (`normaliseAddress` of @followup/values). */
    address: string;
    /** Rendering failed: the delivery is recorded as failed, with this reason. */
    error?: string;
}

export interface NotSent {
    message: string;
    channel: ChannelName;
    reason: string;
}

export interface PreparedEvent {
    id: string;
    type: string;
    occurredAt: string;
    /** The data, as JSON text. */
    payload: string;
    deliveries: PreparedDelivery[];
    notSent: NotSent[];
}

/** The id of an event's transactional delivery: one per (message, channel, event), never a rule's name. */
export function transactionalDeliveryId(message: string, channel: string, eventId: string): string {
    return `${message}.${channel}:${eventId}`;
}

interface CompiledMessage {
    plan: TransactionalPlan;
    render: MessageRenderer;
}

/** Each event type's transactional messages, their templates compiled once. */
export class EventPreparer {
    private readonly messages = new Map<string, CompiledMessage[]>();

    constructor(
        plans: readonly EventPlan[],
        private readonly decorate?: DecorateMessage,
    ) {
        for (const plan of plans) {
            this.messages.set(plan.event, plan.transactional.map((t) => ({ plan: t, render: createRenderer(t.templates) })));
        }
    }

    /** Whether events of this type need their profile to be addressed or rendered. */
    needsProfile(plan: EventPlan): boolean {
        return plan.profileKey !== null && (this.messages.get(plan.event)?.length ?? 0) > 0;
    }

    prepare(event: IncomingEvent, payload: string, now: Date, profile: Record<string, unknown> | null | undefined): PreparedEvent {
        const id = event.id ?? randomUUID();
        const occurredAt = event.at !== undefined ? parseInstant(event.at)!.toISOString() : now.toISOString();
        const prepared: PreparedEvent = { id, type: event.type, occurredAt, payload, deliveries: [], notSent: [] };
        for (const { plan, render } of this.messages.get(event.type) ?? []) {
            const skip = (reason: string) => prepared.notSent.push({ message: plan.message, channel: plan.channel, reason });
            if (!plan.recipient) {
                skip(plan.problem ?? 'no recipient');
                continue;
            }
            const source = plan.recipient.source === 'profile' ? profile : event.data;
            if (plan.recipient.source === 'profile' && !profile) {
                skip('no profile with this key: the recipient comes from the profile');
                continue;
            }
            const value = source?.[plan.recipient.field];
            const recipient = typeof value === 'string' ? trimBlanks(value) : '';
            if (recipient === '') {
                skip(`no ${plan.channel} recipient: ${plan.recipient.source === 'profile' ? 'profile.' : ''}${plan.recipient.field} is empty or missing`);
                continue;
            }
            const deliveryId = transactionalDeliveryId(plan.message, plan.channel, id);
            const address = plan.recipient.normalise === 'email' ? normaliseEmail(recipient) : normaliseAddress(plan.channel, recipient);
            const headers = traceHeaders(plan.message, id);
            let draft: MessageDraft = { deliveryId, eventId: id, message: plan.message, channel: plan.channel, recipient, content: {}, headers };
            try {
                draft.content = render(event.data, profile ?? null);
                if (this.decorate) draft = this.decorate(draft);
                prepared.deliveries.push({ ...draft, address });
            } catch (error) {
                prepared.deliveries.push({ ...draft, address, error: `rendering failed: ${(error as Error).message}` });
            }
        }
        return prepared;
    }
}

/** Which message and event an email came from, for whoever reads its headers. */
function traceHeaders(message: string, eventId: string): Record<string, string> {
    return /^[\x20-\x7e]{1,200}$/.test(eventId) ? { 'X-Followup-Message': message, 'X-Followup-Event': eventId } : { 'X-Followup-Message': message };
}
