/**
 * A real SMTP server for tests (`smtp-server` on 127.0.0.1, a free port), keeping every message it
 * accepts, parsed back with mailparser. Its answers to DATA can be scripted: `respondWith(['451',
 * '250'])` makes the next message get a temporary failure and the one after it go through; once
 * the script is used up, messages are accepted. Every DATA is counted, accepted or not.
 *
 *   const sink = await startSmtpSink();
 *   ... send to sink.url ...
 *   sink.messages[0].parsed.subject
 *   await sink.close();
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

/** A scripted answer to DATA: an SMTP reply code (`'250'` accepts, `'4xx'`/`'5xx'` refuse). */
export type SinkReply = string | number;

export interface SinkMessage {
    envelope: { from: string; to: string[] };
    /** The user the client logged in as, when it did. */
    user?: string;
    raw: Buffer;
    /** Only with `parse: true` (the default). */
    parsed?: ParsedMail;
}

export interface SinkAttempt {
    /** The reply code DATA got. */
    code: number;
    /** The Message-ID header of what was sent, read off the raw header block. */
    messageId?: string;
    to: string[];
}

export interface SinkAuth {
    method: string;
    username?: string;
    password?: string;
    accepted: boolean;
}

export interface SmtpSink {
    readonly host: string;
    readonly port: number;
    /** `smtp://127.0.0.1:PORT` (or smtps://). */
    readonly url: string;
    /** Accepted messages, in order. */
    readonly messages: SinkMessage[];
    /** Every DATA, accepted or not, in order. */
    readonly attempts: SinkAttempt[];
    /** Every AUTH. */
    readonly auths: SinkAuth[];
    /** Accepted messages (also counted when not kept: `keep: false`). */
    readonly accepted: number;
    /** Connections opened so far. */
    readonly connections: number;
    /** The answers to the next DATA commands, in order; after them, 250. */
    respondWith(replies: SinkReply[]): void;
    /** From now on, answer each DATA only after `ms` (a slow server); 0 answers at once. */
    delayReplies(ms: number): void;
    /** Resolves once `count` messages were accepted (rejects after `timeoutMs`). */
    waitForMessages(count: number, timeoutMs?: number): Promise<void>;
    close(): Promise<void>;
}

export interface SmtpSinkOptions {
    /** Parse each message with mailparser (default true). */
    parse?: boolean;
    /** Keep the raw messages (default true); false only counts them (for throughput runs). */
    keep?: boolean;
    /** The only user/password accepted by AUTH; without it every login is accepted. AUTH is optional either way. */
    auth?: { user: string; password: string };
    /** Implicit TLS (smtps) with smtp-server's built-in test certificate. */
    secure?: boolean;
    /** The port to listen on (default: a free one); a sink started again on a closed one's port is that server back up. */
    port?: number;
}

const REPLY_TEXT: Record<string, string> = {
    '4': 'Temporary failure (scripted by the test sink)',
    '5': 'Message rejected (scripted by the test sink)',
};

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const parse = options.parse ?? true;
    const keep = options.keep ?? true;
    const script: number[] = [];
    const messages: SinkMessage[] = [];
    const attempts: SinkAttempt[] = [];
    const auths: SinkAuth[] = [];
    let accepted = 0;
    let connections = 0;
    let waiters: Array<() => void> = [];
    let replyDelayMs = 0;

    const serverOptions: SMTPServerOptions = {
        secure: options.secure ?? false,
        authOptional: true,
        allowInsecureAuth: true,
        disabledCommands: options.secure ? [] : ['STARTTLS'],
        logger: false,
        // Many messages on one connection are the point of the pool.
        maxAllowedUnauthenticatedCommands: false,
        closeTimeout: 1_000,
        onConnect(_session, callback) {
            connections++;
            callback();
        },
        onAuth(auth, _session, callback) {
            const ok = !options.auth || (auth.username === options.auth.user && auth.password === options.auth.password);
            auths.push({ method: auth.method, ...(auth.username !== undefined ? { username: auth.username } : {}), ...(auth.password ? { password: auth.password } : {}), accepted: ok });
            if (!ok) return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
            callback(null, { user: auth.username });
        },
        onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
            const chunks: Buffer[] = [];
            stream.on('data', (chunk: Buffer) => {
                if (keep) chunks.push(chunk);
            });
            stream.on('end', () => {
                void (async () => {
                    if (replyDelayMs > 0) await new Promise((r) => setTimeout(r, replyDelayMs));
                    const code = script.shift() ?? 250;
                    const raw = Buffer.concat(chunks);
                    const to = session.envelope.rcptTo.map(a => a.address);
                    const messageId = /^message-id:\s*(<[^>\r\n]*>)/im.exec(headerBlock(raw))?.[1];
                    attempts.push({ code, to, ...(messageId ? { messageId } : {}) });
                    if (code >= 400) {
                        const text = REPLY_TEXT[String(code)[0]!] ?? 'Refused';
                        return callback(Object.assign(new Error(text), { responseCode: code }));
                    }
                    if (keep) {
                        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
                        const user = typeof session.user === 'string' ? session.user : undefined;
                        const parsed = parse ? await simpleParser(raw) : undefined;
                        messages.push({ envelope: { from, to }, raw, ...(user ? { user } : {}), ...(parsed ? { parsed } : {}) });
                    }
                    // Counted only once kept and parsed, so waitForMessages never returns ahead of `messages`.
                    accepted++;
                    callback(null, `OK: queued as sink-${accepted}`);
                    const ready = waiters;
                    waiters = [];
                    for (const wake of ready) wake();
                })().catch(error => callback(error as Error));
            });
        },
    };
    const server = new SMTPServer(serverOptions);
    server.on('error', () => {
        // A client that drops its connection is part of some tests.
    });
    const port = await new Promise<number>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => {
            const address = server.server.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('the SMTP sink has no port'));
        });
    });
    const host = '127.0.0.1';
    let closed: Promise<void> | undefined;

    return {
        host,
        port,
        url: `${options.secure ? 'smtps' : 'smtp'}://${host}:${port}`,
        messages,
        attempts,
        auths,
        get accepted() {
            return accepted;
        },
        get connections() {
            return connections;
        },
        respondWith(replies) {
            script.push(...replies.map(r => Number(r)));
        },
        delayReplies(ms) {
            replyDelayMs = ms;
        },
        async waitForMessages(count, timeoutMs = 10_000) {
            const deadline = Date.now() + timeoutMs;
            while (accepted < count) {
                const left = deadline - Date.now();
                if (left <= 0) throw new Error(`the SMTP sink got ${accepted} messages, not ${count}, in ${timeoutMs} ms`);
                await new Promise<void>(resolve => {
                    const timer = setTimeout(resolve, left);
                    waiters.push(() => {
                        clearTimeout(timer);
                        resolve();
                    });
                });
            }
        },
        close() {
            closed ??= new Promise<void>(resolve => server.close(() => resolve()));
            return closed;
        },
    };
}

function headerBlock(raw: Buffer): string {
    const text = raw.subarray(0, 64 * 1024).toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    return (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}
