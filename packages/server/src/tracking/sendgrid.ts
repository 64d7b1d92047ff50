// SendGrid's Event Webhook: a JSON array of events, signed (Signed Event Webhook) with ECDSA P-256
// over `timestamp + raw body`; the signature (base64 DER) is in X-Twilio-Email-Event-Webhook-Signature,
// the timestamp in X-Twilio-Email-Event-Webhook-Timestamp, and the verification key (base64 DER
// SubjectPublicKeyInfo, as the SendGrid console shows it) comes from FOLLOWUP_SENDGRID_PUBLIC_KEY.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { machineOpener } from './machine-opens.js';
import { eventTime, stringOf, type ProviderEvent } from './provider-event.js';

export const SENDGRID_PUBLIC_KEY_ENV = 'FOLLOWUP_SENDGRID_PUBLIC_KEY';
export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The key of FOLLOWUP_SENDGRID_PUBLIC_KEY (base64 DER, or PEM); throws on a key that is not EC P-256. */
export function sendgridPublicKey(text: string): KeyObject {
    const trimmed = text.trim();
    const key = trimmed.includes('-----BEGIN')
        ? createPublicKey(trimmed)
        : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error('expected an ECDSA P-256 public key (the SendGrid verification key)');
    }
    return key;
}

/** Whether `signature` (base64 DER) signs `timestamp + body` under `key`. */
export function verifySendgridSignature(key: KeyObject, timestamp: string, body: Buffer, signature: string): boolean {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
    try {
        return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
        return false;
    }
}

/** The events of a verified payload; undefined when it is not a JSON array of objects. */
export function sendgridEvents(body: Buffer, now: Date): ProviderEvent[] | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    } catch {
        return undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every(e => typeof e === 'object' && e !== null && !Array.isArray(e))) return undefined;
    return (parsed as Record<string, unknown>[]).map(e => sendgridEvent(e, now));
}

/** An id for an event without sg_event_id, from its content. */
function contentId(e: Record<string, unknown>): string {
    let json: string;
    try {
        json = JSON.stringify(e);
    } catch {
        json = String(stringOf(e['event'])) + String(e['timestamp']); // nested too deep to serialise
    }
    return createHash('sha256').update(json).digest('base64url').slice(0, 32);
}

function sendgridEvent(e: Record<string, unknown>, now: Date): ProviderEvent {
    const name = stringOf(e['event']) ?? '';
    const base = {
        provider: 'sendgrid' as const,
        name,
        // sg_event_id is SendGrid's id of the event; without one, the event's content identifies it.
        eventId: stringOf(e['sg_event_id']) ?? contentId(e),
        at: eventTime(e['timestamp'], now),
        // Custom arguments (unique_args) come back as top-level fields of the event.
        deliveryIds: [stringOf(e['followup_delivery'])],
        messageId: stringOf(e['smtp-id']),
        email: stringOf(e['email']),
    };
    switch (name) {
        case 'delivered':
            return { ...base, kind: 'delivered' };
        case 'open': {
            const proxy = machineOpener({ userAgent: stringOf(e['useragent']), ip: stringOf(e['ip']) });
            return { ...base, kind: 'open', machine: e['sg_machine_open'] === true || proxy !== undefined };
        }
        case 'click':
            return { ...base, kind: 'click', url: stringOf(e['url']) };
        case 'bounce': {
            // type "bounce": the receiving server refused the address (hard); "blocked": refused this message (soft).
            const hard = stringOf(e['type']) !== 'blocked';
            return { ...base, kind: 'bounce', hard, suppress: hard ? 'hard_bounce' : undefined };
        }
        case 'dropped': {
            // SendGrid did not send it; its reason says whether the address itself is the problem.
            const reason = (stringOf(e['reason']) ?? '').toLowerCase();
            const hard = /bounced|invalid/.test(reason);
            const suppress = hard ? 'hard_bounce' : /unsubscribe/.test(reason) ? 'unsubscribe' : /spam/.test(reason) ? 'complaint' : undefined;
            return { ...base, kind: 'bounce', hard, suppress };
        }
        case 'spamreport':
            return { ...base, kind: 'complaint', suppress: 'complaint' };
        case 'unsubscribe':
        case 'group_unsubscribe':
            return { ...base, kind: 'unsubscribe', suppress: 'unsubscribe' };
        default:
            // processed, deferred, group_resubscribe, account events: nothing the rules ask about.
            return { ...base, kind: 'ignored' };
    }
}
