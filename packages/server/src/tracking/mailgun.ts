// Mailgun's webhooks: one JSON object per event, `{"signature": {"timestamp", "token", "signature"},
// "event-data": {...}}`, where signature = hex HMAC-SHA256(webhook signing key, timestamp + token),
// the key coming from FOLLOWUP_MAILGUN_SIGNING_KEY. The signature does not cover the event data, so a
// captured signature must not be usable twice: tokens are remembered (provider_webhook_tokens) and a
// token reused for another event is refused; stale timestamps are refused.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { machineOpener } from './machine-opens.js';
import { eventTime, stringOf, type ProviderEvent } from './provider-event.js';

export const MAILGUN_SIGNING_KEY_ENV = 'FOLLOWUP_MAILGUN_SIGNING_KEY';

export interface MailgunSignature {
    timestamp: string;
    token: string;
    signature: string;
}

export interface MailgunPayload {
    signature: MailgunSignature;
    eventData: Record<string, unknown>;
}

/** The payload's parts when it has Mailgun's shape; undefined otherwise. */
export function mailgunPayload(body: Buffer): MailgunPayload | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    } catch {
        return undefined;
    }
    if (!isObject(parsed) || !isObject(parsed['signature']) || !isObject(parsed['event-data'])) return undefined;
    const s = parsed['signature'];
    const timestamp = typeof s['timestamp'] === 'number' ? String(s['timestamp']) : s['timestamp'];
    if (typeof timestamp !== 'string' || typeof s['token'] !== 'string' || typeof s['signature'] !== 'string') return undefined;
    return { signature: { timestamp, token: s['token'], signature: s['signature'] }, eventData: parsed['event-data'] };
}

/** Constant-time check of hex HMAC-SHA256(key, timestamp + token). */
export function verifyMailgunSignature(signingKey: string, s: MailgunSignature): boolean {
    if (!/^[0-9a-fA-F]{64}$/.test(s.signature)) return false;
    const expected = createHmac('sha256', signingKey).update(s.timestamp + s.token).digest();
    return timingSafeEqual(expected, Buffer.from(s.signature, 'hex'));
}

export function mailgunEvent(d: Record<string, unknown>, now: Date): ProviderEvent {
    const name = stringOf(d['event']) ?? '';
    const message = isObject(d['message']) ? d['message'] : {};
    const headers = isObject(message['headers']) ? message['headers'] : {};
    const variables = isObject(d['user-variables']) ? d['user-variables'] : {};
    const client = isObject(d['client-info']) ? d['client-info'] : {};
    const base = {
        provider: 'mailgun' as const,
        name,
        eventId: stringOf(d['id']) ?? `${stringOf(d['timestamp']) ?? String(d['timestamp'])}:${name}`,
        at: eventTime(d['timestamp'], now),
        deliveryIds: [stringOf(variables['followup_delivery'])],
        messageId: stringOf(headers['message-id']),
        email: stringOf(d['recipient']),
    };
    switch (name) {
        case 'delivered':
            return { ...base, kind: 'delivered' };
        case 'opened': {
            const proxy = machineOpener({ userAgent: stringOf(client['user-agent']), ip: stringOf(d['ip']) });
            // Mailgun names the privacy proxy it recognised in client-info.bot (e.g. "apple", "gmail").
            return { ...base, kind: 'open', machine: stringOf(client['bot']) !== undefined || proxy !== undefined };
        }
        case 'clicked':
            return { ...base, kind: 'click', url: stringOf(d['url']) };
        case 'failed': {
            const hard = stringOf(d['severity']) === 'permanent';
            return { ...base, kind: 'bounce', hard, suppress: hard ? 'hard_bounce' : undefined };
        }
        case 'complained':
            return { ...base, kind: 'complaint', suppress: 'complaint' };
        case 'unsubscribed':
            return { ...base, kind: 'unsubscribe', suppress: 'unsubscribe' };
        default:
            // accepted, rejected, stored, list events: nothing the rules ask about.
            return { ...base, kind: 'ignored' };
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
