// Email over SMTP (`smtp://host:port`, `smtps://host:port`), through a pool of nodemailer
// connections that are kept open (`maxMessages: Infinity`: no reconnect every 100 messages, see
// PERFORMANCE.md). Each message is built in one piece by mime.ts (buildEmail) and handed to
// nodemailer's pool with its envelope (prebuilt-mail.ts). Credentials come only from the environment
// (FOLLOWUP_SMTP_USER, FOLLOWUP_SMTP_PASSWORD) and never appear in `description`, results or
// errors; with credentials, smtp:// to a host other than loopback requires STARTTLS.
//
// Outcomes: 2xx → sent; 4xx and connection failures → tried again here a few times with a
// backoff, then `retry` (the dispatcher's outbox is the second line of defence); 5xx → failed,
// never retried. Authentication failures are the exception to "5xx → failed": they say the
// configuration is wrong, not the message, so they are `retry` (and not retried here) and the
// follow-ups go out once the credentials are fixed.
import type { ConnectionOptions } from 'node:tls';
import type { NodemailerError, SMTPPoolOptions, SMTPPoolSentMessageInfo, Transporter } from 'nodemailer';
import { ConfigError } from '../config/load-config.js';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import { buildEmail, envelopeOf, extraHeadersProblem, isSingleEmailAddress, messageIdFor, singleAddressOf } from './mime.js';
import { prebuiltMail } from './prebuilt-mail.js';
import type { OutgoingMessage, SendResult, Transport } from './transport.js';

export const SMTP_USER_ENV = 'FOLLOWUP_SMTP_USER';
export const SMTP_PASSWORD_ENV = 'FOLLOWUP_SMTP_PASSWORD';

export interface SmtpTransportOptions {
    /** The From of every email (the project config's `from`), e.g. `Shop <hello@shop.example>`. */
    from: string;
    /** Where the credentials are read from (FOLLOWUP_SMTP_USER, FOLLOWUP_SMTP_PASSWORD); default `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /** Pooled connections kept open to the server; default 5 (or `?maxConnections=` in the URL). */
    maxConnections?: number;
    /**
     * The waits before each in-process retry of a transient failure (4xx, connection error);
     * default [200, 1000, 3000]: the first attempt and up to 3 more. `[]` disables them.
     */
    retryDelaysMs?: readonly number[];
    /** What a `retry` result suggests to the dispatcher after an SMTP 4xx reply; default 5 minutes. */
    retryAfterMs?: number;
    /** ... after a connection failure (refused, reset, timed out); default 1 minute. */
    connectionRetryAfterMs?: number;
    /** ... after the server refused the credentials (or asked for some); default 15 minutes. */
    authRetryAfterMs?: number;
    /** Connecting plus the server's greeting; default 10 s. */
    connectionTimeoutMs?: number;
    /** Inactivity on an open connection (waiting for a reply); default 60 s. */
    socketTimeoutMs?: number;
    /** TLS options (a private CA, `servername`...) for smtps:// and STARTTLS. */
    tls?: ConnectionOptions;
}

const DEFAULTS = {
    maxConnections: 5,
    retryDelaysMs: [200, 1_000, 3_000] as readonly number[],
    retryAfterMs: 5 * 60_000,
    connectionRetryAfterMs: 60_000,
    authRetryAfterMs: 15 * 60_000,
    connectionTimeoutMs: 10_000,
    socketTimeoutMs: 60_000,
};

/** Where `url` points, without credentials: what `description` and errors show. */
interface SmtpEndpoint {
    secure: boolean;
    host: string;
    port: number;
    description: string;
    maxConnections?: number;
    requireTLS?: boolean;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1)$/i;

/**
 * Reads `smtp://host[:port]` / `smtps://host[:port]` (default ports 587 and 465). Query
 * parameters: `maxConnections=N`, `requireTLS=true|false` (STARTTLS required; by default it is
 * when credentials are sent to a host other than loopback over smtp://). A URL that carries a
 * user or password is refused: secrets go in the environment, not in config files.
 */
export function parseSmtpUrl(url: string): SmtpEndpoint {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        // Not echoing `url`: it may be a mistyped URL with a password in it.
        throw new ConfigError('the SMTP transport needs a URL like smtp://host:port or smtps://host:port');
    }
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
        throw new ConfigError(`the SMTP transport needs a smtp:// or smtps:// URL, not ${parsed.protocol}//`);
    }
    const secure = parsed.protocol === 'smtps:';
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw new ConfigError(`${parsed.protocol}// URL without a host`);
    const port = parsed.port ? Number(parsed.port) : secure ? 465 : 587;
    const description = `${parsed.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (parsed.username || parsed.password) {
        throw new ConfigError(
            `${description}: the URL carries a user name or password. Secrets must not live in config files: ` +
                `remove them from the URL and set ${SMTP_USER_ENV} and ${SMTP_PASSWORD_ENV} in the environment instead.`,
        );
    }
    if (parsed.pathname && parsed.pathname !== '/') throw new ConfigError(`${description}: an SMTP URL has no path (got ${parsed.pathname})`);
    const endpoint: SmtpEndpoint = { secure, host, port, description };
    for (const [key, value] of parsed.searchParams) {
        if (key === 'maxConnections') {
            const n = Number(value);
            if (!Number.isInteger(n) || n < 1 || n > 100) throw new ConfigError(`${description}: maxConnections must be an integer from 1 to 100`);
            endpoint.maxConnections = n;
        } else if (key === 'requireTLS') {
            if (value !== 'true' && value !== 'false') throw new ConfigError(`${description}: requireTLS must be true or false`);
            endpoint.requireTLS = value === 'true';
        } else {
            throw new ConfigError(`${description}: unknown URL parameter ${JSON.stringify(key)} (known: maxConnections, requireTLS)`);
        }
    }
    return endpoint;
}

/** The credentials from the environment: both, or neither. */
function credentialsFrom(env: Readonly<Record<string, string | undefined>>, description: string): { user: string; pass: string } | undefined {
    const user = env[SMTP_USER_ENV] || undefined;
    const pass = env[SMTP_PASSWORD_ENV] || undefined;
    if (user === undefined && pass === undefined) return undefined;
    if (user === undefined || pass === undefined) {
        const missing = user === undefined ? SMTP_USER_ENV : SMTP_PASSWORD_ENV;
        throw new ConfigError(`${description}: ${SMTP_USER_ENV} and ${SMTP_PASSWORD_ENV} go together, ${missing} is not set`);
    }
    return { user, pass };
}

/** How one attempt ended, before the retry policy. */
export type AttemptOutcome =
    | { status: 'sent'; providerId?: string }
    | { status: 'failed'; error: string }
    /** `again`: worth another attempt within this send (a 4xx or a connection failure). */
    | { status: 'retry'; error: string; retryAfterMs: number; again: boolean };

/** The `retryAfterMs` suggested per kind of failure. */
export interface RetryAfter {
    reply: number;
    connection: number;
    auth: number;
}

const CONNECTION_CODES = new Set([
    'ECONNECTION',
    'ESOCKET',
    'ETIMEDOUT',
    'EDNS',
    'ETLS',
    'EPROXY',
    'EABORT',
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
]);

/** A one-line summary of a nodemailer error: the server's reply when there is one. */
function describeError(err: NodemailerError): string {
    const code = err.originalCode ?? err.code;
    const reply = err.response?.replace(/\s+/g, ' ').trim();
    const text = reply ? (err.command ? `${err.command}: ${reply}` : reply) : err.message;
    return code && !text.includes(code) ? `${text} (${code})` : text;
}

/**
 * Maps a nodemailer error onto a result: SMTP 4xx (and 503, a session in the wrong state) →
 * retry; other 5xx → failed, except 530/534/535/538 (credentials) → retry without retrying here;
 * connection failures → retry; errors about the message itself (no reply code) → failed.
 */
export function classifySmtpError(err: NodemailerError, retryAfter: RetryAfter): AttemptOutcome {
    const error = describeError(err);
    const responseCode = err.responseCode;
    if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || responseCode === 530 || responseCode === 534 || responseCode === 535 || responseCode === 538) {
        return {
            status: 'retry',
            error: `the server refused the credentials (${error}): check ${SMTP_USER_ENV} and ${SMTP_PASSWORD_ENV}`,
            retryAfterMs: retryAfter.auth,
            again: false,
        };
    }
    if (typeof responseCode === 'number' && responseCode >= 200) {
        if (responseCode >= 500 && responseCode < 600 && responseCode !== 503) return { status: 'failed', error };
        // 4xx, 503, or a 2xx/3xx where another reply was expected: the same message can go
        // through later, on another connection.
        return { status: 'retry', error, retryAfterMs: retryAfter.reply, again: true };
    }
    if ((err.code && CONNECTION_CODES.has(err.code)) || (err.originalCode && CONNECTION_CODES.has(err.originalCode)) || err.message === 'Connection pool was closed') {
        return { status: 'retry', error, retryAfterMs: retryAfter.connection, again: true };
    }
    if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE' || err.code === 'EMAXRECIPIENTS' || err.code === 'ESTREAM' || err.code === 'EFILEACCESS' || err.code === 'EURLACCESS') {
        return { status: 'failed', error };
    }
    // Something unexpected: not lost, but not hammered here either.
    return { status: 'retry', error, retryAfterMs: retryAfter.connection, again: false };
}

type SmtpPool = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export class SmtpTransport implements Transport {
    readonly description: string;
    private readonly poolOptions: SMTPPoolOptions;
    /** Made at the first send: nodemailer's SMTP client is loaded only by a process that sends over SMTP. */
    private transporter?: Promise<SmtpPool>;
    private readonly from: string;
    private readonly retryDelaysMs: readonly number[];
    private readonly retryAfter: RetryAfter;
    private readonly secrets: string[];
    private readonly inFlight = new Set<Promise<SendResult>>();
    /** Aborted by close(): cuts short the waits between attempts. */
    private readonly closing = new AbortController();

    constructor(url: string, options: SmtpTransportOptions) {
        const endpoint = parseSmtpUrl(url);
        this.description = endpoint.description;
        if (typeof options.from !== 'string' || !singleAddressOf(options.from)) {
            throw new ConfigError(`${endpoint.description}: "from" must be one email address, like "Shop <hello@shop.example>"`);
        }
        this.from = options.from;
        const auth = credentialsFrom(options.env ?? process.env, endpoint.description);
        this.secrets = auth ? secretForms(auth.user, auth.pass) : [];
        this.retryDelaysMs = options.retryDelaysMs ?? DEFAULTS.retryDelaysMs;
        this.retryAfter = {
            reply: options.retryAfterMs ?? DEFAULTS.retryAfterMs,
            connection: options.connectionRetryAfterMs ?? DEFAULTS.connectionRetryAfterMs,
            auth: options.authRetryAfterMs ?? DEFAULTS.authRetryAfterMs,
        };
        const maxConnections = options.maxConnections ?? endpoint.maxConnections ?? DEFAULTS.maxConnections;
        if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new ConfigError(`${endpoint.description}: maxConnections must be a positive integer`);
        // Credentials in clear over the network are refused: STARTTLS is required unless the
        // server is on this machine (or the URL says requireTLS=false).
        const requireTLS = endpoint.requireTLS ?? (!endpoint.secure && auth !== undefined && !LOOPBACK.test(endpoint.host));
        const connectionTimeout = options.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs;
        this.poolOptions = {
            pool: true,
            host: endpoint.host,
            port: endpoint.port,
            secure: endpoint.secure,
            requireTLS,
            ...(auth ? { auth: { user: auth.user, pass: auth.pass } } : {}),
            ...(options.tls ? { tls: options.tls } : {}),
            maxConnections,
            // Keep connections for good (PERFORMANCE.md: 946/s → 1,452/s against reconnecting every 100).
            maxMessages: Infinity,
            // One requeue, for a kept-open connection the server dropped while idle: the rest
            // of the retrying is done (and bounded) in send().
            maxRequeues: 1,
            connectionTimeout,
            greetingTimeout: connectionTimeout,
            socketTimeout: options.socketTimeoutMs ?? DEFAULTS.socketTimeoutMs,
            // The content is always strings from the renderer: nothing may point at a file or URL.
            disableFileAccess: true,
            disableUrlAccess: true,
            logger: false,
            debug: false,
        };
    }

    private pool(): Promise<SmtpPool> {
        this.transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(this.poolOptions));
        return this.transporter;
    }

    send(message: OutgoingMessage): Promise<SendResult> {
        const sending = this.deliver(message);
        this.inFlight.add(sending);
        void sending.finally(() => this.inFlight.delete(sending));
        return sending;
    }

    private async deliver(message: OutgoingMessage): Promise<SendResult> {
        if (this.closing.signal.aborted) return { status: 'retry', error: `${this.description}: the transport is closed` };
        if (message.channel !== 'email') return { status: 'failed', error: `${this.description} sends email, not ${message.channel}` };
        if (!isSingleEmailAddress(message.to)) return { status: 'failed', error: `not an email address: ${JSON.stringify(message.to)}` };
        const headersProblem = extraHeadersProblem(message.headers);
        if (headersProblem) return { status: 'failed', error: headersProblem };

        // Built once: every attempt sends the same bytes, Message-ID (and Date) included.
        let mail: MailMessage;
        try {
            const messageId = messageIdFor(message.deliveryId);
            const raw = buildEmail({
                from: this.from,
                to: message.to,
                subject: message.subject,
                text: message.text,
                html: message.html,
                messageId,
                headers: message.headers,
                date: message.date,
            });
            mail = prebuiltMail(raw, envelopeOf(this.from, message.to), messageId);
        } catch (error) {
            return { status: 'failed', error: `the message can't be written as MIME: ${(error as Error).message}` };
        }
        for (let attempt = 1; ; attempt++) {
            const outcome = await this.attempt(mail);
            if (outcome.status !== 'retry') return outcome;
            const delay = this.retryDelaysMs[attempt - 1];
            if (!outcome.again || delay === undefined || this.closing.signal.aborted) {
                const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
                return { status: 'retry', error: `${this.description}: ${outcome.error}${tries}`, retryAfterMs: outcome.retryAfterMs };
            }
            await pause(jitter(delay), this.closing.signal);
        }
    }

    /** One try: the built message straight to nodemailer's pool (prebuilt-mail.ts). */
    private async attempt(mail: MailMessage): Promise<AttemptOutcome> {
        try {
            const pool = (await this.pool()).transporter;
            const info = await new Promise<SMTPPoolSentMessageInfo>((resolve, reject) => {
                pool.send(mail as MailMessage<SMTPPoolSentMessageInfo>, (error, sent) => (error ? reject(error) : resolve(sent!)));
            });
            if (info.rejected?.length) return { status: 'failed', error: this.redact(`recipient refused: ${info.response}`) };
            const providerId = info.serverMessageId ?? info.response?.trim();
            return providerId ? { status: 'sent', providerId } : { status: 'sent' };
        } catch (error) {
            const outcome = classifySmtpError(error as NodemailerError, this.retryAfter);
            return outcome.status === 'sent' ? outcome : { ...outcome, error: this.redact(outcome.error) };
        }
    }

    /** Nothing the server (or a library) says about the credentials gets into a result. */
    private redact(text: string): string {
        let out = text;
        for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
        return out;
    }

    /**
     * Closes the pool: idle connections at once, a connection in the middle of a message after it;
     * sends waiting for a connection or between attempts end as `retry`. Resolves once every
     * send has settled.
     */
    async close(): Promise<void> {
        if (!this.closing.signal.aborted) {
            this.closing.abort();
            void this.transporter?.then((pool) => pool.close());
        }
        await Promise.allSettled([...this.inFlight]);
    }
}

/** `new SmtpTransport(url, options)`, for create-transport. */
export function createSmtpTransport(url: string, options: SmtpTransportOptions): SmtpTransport {
    return new SmtpTransport(url, options);
}

/** The credentials as they could come back in a reply: plain, and base64 as AUTH PLAIN/LOGIN sends them. */
function secretForms(user: string, pass: string): string[] {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const forms = [pass, b64(pass), b64(`\0${user}\0${pass}`), b64(`${user}\0${user}\0${pass}`)];
    // A user name of a letter or two would redact ordinary words (and is hardly a secret).
    if (user.length >= 3) forms.push(user, b64(user));
    // Longest first, so a form that contains another is replaced whole.
    return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** ±20% around `ms`, so many sends failing together don't come back together. */
function jitter(ms: number): number {
    return Math.max(0, Math.round(ms * (0.8 + Math.random() * 0.4)));
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise(resolve => {
        const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
    });
}
