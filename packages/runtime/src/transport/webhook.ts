// SMS and push over an HTTP webhook: each follow-up is a POST of JSON to the configured
// `https://...` URL (`http://` only to this machine, for tests and local relays), with
// `Idempotency-Key: <deliveryId>` so the receiver can drop the copy a retry sends after a lost
// answer, and `Authorization: Bearer $FOLLOWUP_WEBHOOK_TOKEN` when that variable is set.
//
// Outcomes: 2xx → sent; 408, 429, 5xx, network failures and time-outs → retry (honouring
// Retry-After); 401/403 and redirects → retry as well, since they say the configuration is wrong
// and not the message; any other 4xx → failed, never retried. No retrying within a send: the
// dispatcher's outbox does it.
import { ConfigError } from '../config/load-config.js';
import type { OutgoingMessage, SendResult, Transport } from './transport.js';

export const WEBHOOK_TOKEN_ENV = 'FOLLOWUP_WEBHOOK_TOKEN';

export interface WebhookTransportOptions {
    /** Where the token is read from (FOLLOWUP_WEBHOOK_TOKEN); default `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /** The whole request, answer included; default 10 s. */
    timeoutMs?: number;
    /** What a `retry` suggests when the answer has no Retry-After; default 1 minute. */
    retryAfterMs?: number;
    /** ... after 401/403 or a redirect (the configuration needs fixing); default 15 minutes. */
    configRetryAfterMs?: number;
}

/** What the receiver gets. `subject`/`html` only for an email sent through a webhook. */
export interface WebhookPayload {
    deliveryId: string;
    channel: OutgoingMessage['channel'];
    to: string;
    text: string;
    title?: string;
    subject?: string;
    html?: string;
    rule: string | null;
    eventId: string;
}

const DEFAULTS = { timeoutMs: 10_000, retryAfterMs: 60_000, configRetryAfterMs: 15 * 60_000 };
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
/** How much of an error answer's body goes into the error. */
const BODY_EXCERPT = 200;
/** The longest Retry-After honoured (a day); a longer one is read as this. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** Checks the URL; returns it with what `description` shows (no credentials, no query: tokens hide there). */
export function parseWebhookUrl(url: string): { url: URL; description: string } {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new ConfigError('the webhook transport needs a URL like https://host/path');
    }
    const description = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new ConfigError(`the webhook transport needs an https:// URL, not ${parsed.protocol}//`);
    }
    if (parsed.protocol === 'http:' && !LOOPBACK.test(parsed.hostname)) {
        throw new ConfigError(`${description}: a webhook on another machine must use https://`);
    }
    if (parsed.username || parsed.password) {
        throw new ConfigError(
            `${description}: the URL carries a user name or password. Secrets must not live in config files: ` +
                `remove them from the URL and set ${WEBHOOK_TOKEN_ENV} in the environment (sent as a Bearer token).`,
        );
    }
    parsed.hash = '';
    return { url: parsed, description };
}

export class WebhookTransport implements Transport {
    readonly description: string;
    private readonly url: URL;
    private readonly token: string | undefined;
    private readonly timeoutMs: number;
    private readonly retryAfterMs: number;
    private readonly configRetryAfterMs: number;
    private closed = false;

    constructor(url: string, options: WebhookTransportOptions = {}) {
        const { url: parsed, description } = parseWebhookUrl(url);
        this.url = parsed;
        this.description = description;
        const token = (options.env ?? process.env)[WEBHOOK_TOKEN_ENV];
        if (token !== undefined && token !== '' && /[\r\n]/.test(token)) throw new ConfigError(`${WEBHOOK_TOKEN_ENV} must be one line`);
        this.token = token || undefined;
        this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
        this.retryAfterMs = options.retryAfterMs ?? DEFAULTS.retryAfterMs;
        this.configRetryAfterMs = options.configRetryAfterMs ?? DEFAULTS.configRetryAfterMs;
    }

    async send(message: OutgoingMessage): Promise<SendResult> {
        if (this.closed) return { status: 'retry', error: `${this.description}: the transport is closed` };
        const payload: WebhookPayload = {
            deliveryId: message.deliveryId,
            channel: message.channel,
            to: message.to,
            text: message.text ?? '',
            ...(message.title !== undefined ? { title: message.title } : {}),
            ...(message.channel === 'email' && message.subject !== undefined ? { subject: message.subject } : {}),
            ...(message.channel === 'email' && message.html !== undefined ? { html: message.html } : {}),
            rule: message.rule,
            eventId: message.eventId,
        };
        const headers: Record<string, string> = {
            'Content-Type': 'application/json',
            Accept: 'application/json, */*;q=0.5',
            'Idempotency-Key': message.deliveryId,
            'User-Agent': 'followup',
        };
        if (this.token) headers.Authorization = `Bearer ${this.token}`;

        const signal = AbortSignal.timeout(this.timeoutMs);
        let response: Response;
        let body: string;
        try {
            response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(payload), redirect: 'manual', signal });
            body = await response.text();
        } catch (error) {
            return { status: 'retry', error: `${this.description}: ${this.networkError(error)}`, retryAfterMs: this.retryAfterMs };
        }
        return this.outcome(response, body);
    }

    private outcome(response: Response, body: string): SendResult {
        const status = response.status;
        if (status >= 200 && status < 300) {
            const providerId = providerIdFrom(body, response.headers);
            return providerId ? { status: 'sent', providerId } : { status: 'sent' };
        }
        const error = `${this.description} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}${this.excerpt(body)}`;
        if (status === 408 || status === 429 || status >= 500) {
            return { status: 'retry', error, retryAfterMs: retryAfterFrom(response.headers.get('retry-after')) ?? this.retryAfterMs };
        }
        if (status === 401 || status === 403) {
            const hint = this.token ? `check ${WEBHOOK_TOKEN_ENV}` : `${WEBHOOK_TOKEN_ENV} is not set`;
            return { status: 'retry', error: `${error} (the webhook refused the credentials: ${hint})`, retryAfterMs: this.configRetryAfterMs };
        }
        if (status >= 300 && status < 400) {
            const location = response.headers.get('location');
            return {
                status: 'retry',
                error: `${error}: redirects are not followed, configure the final URL${location ? ` (${redactUrl(location)})` : ''}`,
                retryAfterMs: this.configRetryAfterMs,
            };
        }
        return { status: 'failed', error };
    }

    private networkError(error: unknown): string {
        const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
        if (e?.name === 'TimeoutError') return `no answer within ${this.timeoutMs} ms`;
        const cause = e?.cause?.code ?? e?.cause?.message;
        return this.redact(`${e?.message ?? String(error)}${cause ? ` (${cause})` : ''}`);
    }

    private excerpt(body: string): string {
        const text = body.replace(/\s+/g, ' ').trim();
        if (!text) return '';
        return `: ${this.redact(text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text)}`;
    }

    private redact(text: string): string {
        return this.token ? text.split(this.token).join('[redacted]') : text;
    }

    /** Nothing to release: requests use Node's shared connection pool. Later sends end as `retry`. */
    async close(): Promise<void> {
        this.closed = true;
    }
}

/** `new WebhookTransport(url, options)`, for create-transport. */
export function createWebhookTransport(url: string, options: WebhookTransportOptions = {}): WebhookTransport {
    return new WebhookTransport(url, options);
}

/** Retry-After: delay-seconds or an HTTP-date, as milliseconds from now; undefined if absent or unreadable. */
export function retryAfterFrom(header: string | null, now = Date.now()): number | undefined {
    if (header === null) return undefined;
    const value = header.trim();
    if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** The receiver's id for the message: `id` / `messageId` / `sid` of a JSON answer, else an X-Request-Id header. */
function providerIdFrom(body: string, headers: Headers): string | undefined {
    if (body) {
        try {
            const json = JSON.parse(body) as Record<string, unknown> | null;
            if (json && typeof json === 'object') {
                for (const key of ['id', 'messageId', 'message_id', 'sid']) {
                    const value = json[key];
                    if (typeof value === 'string' || typeof value === 'number') return String(value);
                }
            }
        } catch {
            // Not JSON: no id in it.
        }
    }
    return headers.get('x-request-id') ?? undefined;
}

function redactUrl(location: string): string {
    try {
        const url = new URL(location);
        return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
        return 'an unreadable Location';
    }
}
