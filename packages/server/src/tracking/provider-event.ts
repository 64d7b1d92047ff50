// A provider's event (SendGrid, Mailgun), translated into what followup records. Each provider
// module turns its payload into ProviderEvents; applyProviderEvent writes them.
import { isId, isStorableText, MAX_EMAIL_LENGTH } from '@followup/values';
import { deliveryIdFromMessageId, findDelivery, recordTracking, suppressAddress, type Channel, type StoreTx, type SuppressionReason } from '@followup/runtime';

export interface ProviderEvent {
    provider: 'sendgrid' | 'mailgun';
    /** The provider's own event name, for logs and counters. */
    name: string;
    /** What it becomes: a tracking row, a suppression only, or nothing. */
    kind: 'delivered' | 'open' | 'click' | 'bounce' | 'complaint' | 'unsubscribe' | 'ignored';
    /** The provider's id of this event: duplicates of it are recorded once. */
    eventId: string;
    at: Date;
    /** Candidates for our delivery id: a custom argument, then the Message-ID. */
    deliveryIds: (string | undefined)[];
    messageId?: string | undefined;
    /** The recipient, as the provider says (used when the delivery is not found). */
    email?: string | undefined;
    url?: string | undefined;
    hard?: boolean | undefined;
    machine?: boolean | undefined;
    /** Besides the tracking row: suppress the recipient for this reason. */
    suppress?: SuppressionReason | undefined;
}

/** `invalid`: a value the store cannot key on or keep (an id of 1 MB, a NUL): not recorded, answered like the others. */
export type EventOutcome = 'recorded' | 'duplicate' | 'unmatched' | 'ignored' | 'invalid';

/** Records one event (in the caller's transaction); what became of it. */
export async function applyProviderEvent(tx: StoreTx, event: ProviderEvent): Promise<EventOutcome> {
    if (event.kind === 'ignored') return 'ignored';
    if (!storableEvent(event)) return 'invalid';
    const delivery = await findDelivery(tx, [...event.deliveryIds, deliveryIdFromMessageId(event.messageId)]);
    const source = `${event.provider}:${event.eventId}`;
    let recorded = false;
    if (delivery && event.kind !== 'unsubscribe') {
        recorded = await recordTracking(tx, {
            deliveryId: delivery.id,
            kind: event.kind,
            at: event.at,
            sourceKey: source,
            url: event.url,
            hard: event.kind === 'bounce' ? event.hard === true : undefined,
            machine: event.machine,
        });
        if (!recorded) return 'duplicate';
    }
    if (event.suppress) {
        // Without our delivery (a message sent by something else), the provider's address still says who.
        const channel: Channel = delivery?.channel ?? 'email';
        const address = delivery?.recipient ?? event.email;
        if (address) {
            const suppressed = await suppressAddress(tx, { channel, address, reason: event.suppress, at: event.at, source });
            recorded ||= suppressed;
        }
    }
    if (recorded) return 'recorded';
    return delivery || event.kind === 'unsubscribe' ? 'duplicate' : 'unmatched';
}

/** Seconds (or fractional seconds) since the epoch → a Date no later than `now` (no records from the future). */
export function eventTime(seconds: unknown, now: Date): Date {
    const value = typeof seconds === 'string' ? Number(seconds) : seconds;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return now;
    const at = new Date(Math.round(value * 1000));
    return at.getTime() > now.getTime() ? now : at;
}

/**
 * Whether every value of the event can be stored and keyed on (value rules of @followup/values): the
 * provider's event id is an id (1-200 characters; it becomes a unique key), the address at most
 * MAX_EMAIL_LENGTH, no string with a NUL or a lone surrogate. Delivery-id candidates that are not ids
 * are dropped (they name no delivery).
 */
function storableEvent(event: ProviderEvent): boolean {
    event.deliveryIds = event.deliveryIds.filter((id) => id === undefined || isId(id));
    if (event.messageId !== undefined && !(event.messageId.length <= 1000 && isStorableText(event.messageId))) event.messageId = undefined;
    if (!isId(event.eventId)) return false;
    if (event.email !== undefined && (event.email.length > MAX_EMAIL_LENGTH || !isStorableText(event.email))) return false;
    return event.url === undefined || (event.url.length <= 8192 && isStorableText(event.url));
}

export function stringOf(value: unknown): string | undefined {
    return typeof value === 'string' && value !== '' ? value : undefined;
}
