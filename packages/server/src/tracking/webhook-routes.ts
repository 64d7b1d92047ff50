// Provider webhooks of followup serve: POST /v1/webhooks/sendgrid and POST /v1/webhooks/mailgun.
// Each request's signature is checked before anything is read from it (401 when it does not verify,
// 503 when the provider's key is not configured); its events are then recorded in one transaction,
// each provider event once (tracking.source_key = `<provider>:<event id>`), and the answer is 200 with
// counts. Events about deliveries we don't know are answered 200 too (and counted as unmatched): the
// provider would otherwise retry them for days.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isId } from '@followup/values';
import { TrackingConfigError, type StoreTx } from '@followup/runtime';
import type { ServeContext, ServePlugin } from '../serve-context.js';
import { MAILGUN_SIGNING_KEY_ENV, mailgunEvent, mailgunPayload, verifyMailgunSignature } from './mailgun.js';
import { applyProviderEvent, type EventOutcome, type ProviderEvent } from './provider-event.js';
import {
    SENDGRID_PUBLIC_KEY_ENV, SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, sendgridEvents, sendgridPublicKey, verifySendgridSignature,
} from './sendgrid.js';

export interface ProviderWebhookOptions {
    /** Where FOLLOWUP_SENDGRID_PUBLIC_KEY and FOLLOWUP_MAILGUN_SIGNING_KEY are read; default process.env. */
    env?: Readonly<Record<string, string | undefined>>;
    /** How far a signature's timestamp (Mailgun's, SendGrid's) may be from the clock; default 15 minutes. */
    maxSignatureAgeSeconds?: number;
    /** Largest accepted body; default 5 MB (SendGrid batches many events into one POST). */
    bodyLimit?: number;
}

type Counts = Record<EventOutcome, number>;

export function providerWebhooks(options: ProviderWebhookOptions = {}): ServePlugin {
    const env = options.env ?? process.env;
    const maxAgeSeconds = options.maxSignatureAgeSeconds ?? 15 * 60;
    const bodyLimit = options.bodyLimit ?? 5 * 1024 * 1024;
    // Read once at start: a malformed key is a configuration error to see at once, not at the first event.
    const sendgridKeyText = env[SENDGRID_PUBLIC_KEY_ENV]?.trim();
    let sendgridKey: ReturnType<typeof sendgridPublicKey> | undefined;
    try {
        sendgridKey = sendgridKeyText ? sendgridPublicKey(sendgridKeyText) : undefined;
    } catch (error) {
        throw new TrackingConfigError(`${SENDGRID_PUBLIC_KEY_ENV} is not a usable key: ${(error as Error).message}`);
    }
    const mailgunKey = env[MAILGUN_SIGNING_KEY_ENV]?.trim() || undefined;

    return async (app: FastifyInstance, ctx: ServeContext) => {
        await app.register(async scope => {
            // Signatures are over the exact bytes received: keep the raw body (in this scope only).
            scope.removeContentTypeParser(['application/json', 'text/plain']);
            scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

            scope.post('/v1/webhooks/sendgrid', async (request, reply) => {
                if (!sendgridKey) return notConfigured(reply, ctx, 'sendgrid', SENDGRID_PUBLIC_KEY_ENV);
                const body = rawBody(request.body);
                const signature = header(request.headers[SENDGRID_SIGNATURE_HEADER]);
                const timestamp = header(request.headers[SENDGRID_TIMESTAMP_HEADER]);
                if (!body || !signature || !timestamp || !verifySendgridSignature(sendgridKey, timestamp, body, signature)) {
                    return unauthorized(reply, ctx, 'sendgrid');
                }
                // A correctly signed request replayed later (an old unsubscribe re-suppressing an
                // address since resubscribed) is refused, as Mailgun's are.
                const now = ctx.clock();
                if (!freshTimestamp(timestamp, now, maxAgeSeconds)) return unauthorized(reply, ctx, 'sendgrid', 'stale signature timestamp');
                const events = sendgridEvents(body, now);
                if (!events) return badRequest(reply, 'expected a JSON array of SendGrid events');
                const counts = await ctx.store.transaction(tx => applyAll(tx, events));
                return accepted(reply, ctx, 'sendgrid', counts);
            });

            scope.post('/v1/webhooks/mailgun', async (request, reply) => {
                if (!mailgunKey) return notConfigured(reply, ctx, 'mailgun', MAILGUN_SIGNING_KEY_ENV);
                const body = rawBody(request.body);
                const payload = body && mailgunPayload(body);
                if (!payload) return badRequest(reply, 'expected a Mailgun webhook: {"signature": {...}, "event-data": {...}}');
                if (!verifyMailgunSignature(mailgunKey, payload.signature)) return unauthorized(reply, ctx, 'mailgun');
                const now = ctx.clock();
                if (!freshTimestamp(payload.signature.timestamp, now, maxAgeSeconds)) return unauthorized(reply, ctx, 'mailgun', 'stale signature timestamp');
                // The token is kept (replay protection): it must be one the store can key on.
                if (!MAILGUN_TOKEN.test(payload.signature.token)) return badRequest(reply, 'the signature token must be 1 to 256 printable ASCII characters');
                const event = mailgunEvent(payload.eventData, now);
                if (!isId(event.eventId)) return accepted(reply, ctx, 'mailgun', { ...zero(), invalid: 1 });
                const result = await ctx.store.transaction(async tx => {
                    const claim = await claimToken(tx, payload.signature.token, event.eventId, now, maxAgeSeconds);
                    if (claim === 'reused') return 'reused' as const;
                    if (claim === 'repeat') return { ...zero(), duplicate: 1 };
                    return applyAll(tx, [event]);
                });
                if (result === 'reused') {
                    ctx.metrics.increment('followup_webhook_rejected_total', { provider: 'mailgun', reason: 'token_reused' });
                    ctx.log.warn('webhook rejected: signature token reused for another event', { provider: 'mailgun' });
                    return reply.code(403).send({ error: 'this signature token was already used for another event' });
                }
                return accepted(reply, ctx, 'mailgun', result);
            });
        });
    };
}

async function applyAll(tx: StoreTx, events: readonly ProviderEvent[]): Promise<Counts> {
    const counts = zero();
    for (const event of events) counts[await applyProviderEvent(tx, event)]++;
    return counts;
}

/**
 * Remembers a Mailgun token: 'new' the first time, 'repeat' when it comes back with the same event
 * (a retry of a request whose answer was lost), 'reused' when it comes with another event.
 */
async function claimToken(tx: StoreTx, token: string, eventId: string, now: Date, maxAgeSeconds: number): Promise<'new' | 'repeat' | 'reused'> {
    // A token older than the timestamp window can never verify again: no need to keep it.
    await tx.query(`DELETE FROM webhook_tokens WHERE provider = 'mailgun' AND seen_at < $1`, [new Date(now.getTime() - 2 * maxAgeSeconds * 1000)]);
    const inserted = await tx.query(
        `INSERT INTO webhook_tokens (provider, token, event_id, seen_at) VALUES ('mailgun', $1, $2, $3) ON CONFLICT (provider, token) DO NOTHING`,
        [token, eventId, now],
    );
    if (inserted.rowCount > 0) return 'new';
    const { rows } = await tx.query<{ event_id: string }>(`SELECT event_id FROM webhook_tokens WHERE provider = 'mailgun' AND token = $1`, [token]);
    return rows[0]?.event_id === eventId ? 'repeat' : 'reused';
}

function zero(): Counts {
    return { recorded: 0, duplicate: 0, unmatched: 0, ignored: 0, invalid: 0 };
}

/** Mailgun's tokens are 50 hex digits; anything printable up to 256 characters is kept. */
const MAILGUN_TOKEN = /^[\x21-\x7e]{1,256}$/;

/** A signature timestamp (seconds since the epoch, as the provider writes it) within `maxAgeSeconds` of now. */
function freshTimestamp(text: string, now: Date, maxAgeSeconds: number): boolean {
    if (!/^[0-9]{1,12}(\.[0-9]{1,9})?$/.test(text)) return false;
    return Math.abs(now.getTime() / 1000 - Number(text)) <= maxAgeSeconds;
}

function rawBody(body: unknown): Buffer | undefined {
    return Buffer.isBuffer(body) && body.length > 0 ? body : undefined;
}

function header(value: string | string[] | undefined): string | undefined {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function accepted(reply: FastifyReply, ctx: ServeContext, provider: string, counts: Counts): FastifyReply {
    for (const [outcome, n] of Object.entries(counts)) {
        if (n > 0) ctx.metrics.increment('followup_webhook_events_total', { provider, outcome }, n);
    }
    // `invalid` (values the store cannot keep) only when there were some: the usual answer keeps its shape.
    const { invalid, ...usual } = counts;
    return reply.code(200).send(invalid > 0 ? counts : usual);
}

function unauthorized(reply: FastifyReply, ctx: ServeContext, provider: string, reason = 'bad signature'): FastifyReply {
    ctx.metrics.increment('followup_webhook_rejected_total', { provider, reason: reason.replace(/ /g, '_') });
    ctx.log.warn('webhook rejected', { provider, reason });
    return reply.code(401).send({ error: `${reason}: the request is not signed by ${provider} with the configured key` });
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
    return reply.code(400).send({ error: message });
}

function notConfigured(reply: FastifyReply, ctx: ServeContext, provider: string, variable: string): FastifyReply {
    ctx.log.warn('webhook received but not configured', { provider, variable });
    return reply.code(503).send({ error: `the ${provider} webhook is not configured: set ${variable}` });
}
