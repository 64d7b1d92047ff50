// Connection and request limits of `followup serve`, on every route (public ones included: webhooks,
// /t/*, /u/*): a client that trickles a request in, or opens connections and sends nothing, holds a
// socket for a bounded time, and one process holds a bounded number of sockets.
//
// - Headers: Node's own `headersTimeout`, checked every second (its default check runs every 30 s).
// - Body: Node's `requestTimeout` does not cover a body that trickles in once the headers are read,
//   so each request with a body still to come gets a timer here; when it fires before the body is
//   complete, the client gets a 408 and the connection is closed.
// - An answer sent before the body was read (401 without a key, 404, 413) closes the connection
//   (`Connection: close`): otherwise Node would keep reading and discarding the rest of the body.
// - `maxConnections`: connections beyond it are closed as they arrive.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { MetricsSink } from '@followup/runtime';

export interface ConnectionLimits {
    /** The whole request (headers, then body) must arrive within this; default 30 s. */
    requestTimeoutMs: number;
    /** Its headers within this, from the connection's first byte (or the previous request's end); default 10 s. */
    headersTimeoutMs: number;
    /** Open connections per process at most; default 1,000. */
    maxConnections: number;
    /** A connection with nothing sent or received for this long is closed; default 120 s. */
    idleTimeoutMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    maxConnections: 1000,
    idleTimeoutMs: 120_000,
};

/**
 * The limits of FOLLOWUP_REQUEST_TIMEOUT (seconds: the whole request; its headers get a third of it)
 * and FOLLOWUP_MAX_CONNECTIONS; an error message for a value that is not a positive number.
 */
export function connectionLimitsFromEnvironment(env: Readonly<Record<string, string | undefined>>): Partial<ConnectionLimits> | string {
    const limits: Partial<ConnectionLimits> = {};
    const timeout = env['FOLLOWUP_REQUEST_TIMEOUT'];
    if (timeout !== undefined && timeout !== '') {
        const seconds = Number(timeout);
        if (!/^[0-9]+(\.[0-9]+)?$/.test(timeout) || seconds < 0.1 || seconds > 3600) return `FOLLOWUP_REQUEST_TIMEOUT takes seconds (0.1 to 3600), not '${timeout}'`;
        limits.requestTimeoutMs = Math.round(seconds * 1000);
        limits.headersTimeoutMs = Math.round((seconds * 1000) / 3);
    }
    const max = env['FOLLOWUP_MAX_CONNECTIONS'];
    if (max !== undefined && max !== '') {
        if (!/^[0-9]+$/.test(max) || Number(max) < 1) return `FOLLOWUP_MAX_CONNECTIONS takes a positive integer, not '${max}'`;
        limits.maxConnections = Number(max);
    }
    return limits;
}

/** The fastify options these limits need (the http server is created with them). */
export function fastifyConnectionOptions(limits: ConnectionLimits) {
    const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
    return {
        requestTimeout: limits.requestTimeoutMs,
        connectionTimeout: limits.idleTimeoutMs,
        keepAliveTimeout: Math.min(72_000, limits.idleTimeoutMs),
        http: { headersTimeout, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
    };
}

const TIMEOUT_BODY = JSON.stringify({ error: 'the request was not received in time; nothing was stored' });
const TIMEOUT_RESPONSE =
    'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(TIMEOUT_BODY)}\r\n\r\n${TIMEOUT_BODY}`;

/** Registers the body deadline and the early-answer close on `app` (before any other hook), and caps its connections. */
export function enforceConnectionLimits(app: FastifyInstance, limits: ConnectionLimits, metrics: MetricsSink): void {
    const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
    const bodyTimeout = Math.max(1, limits.requestTimeoutMs - headersTimeout);
    app.server.maxConnections = limits.maxConnections;

    app.addHook('onRequest', (request, _reply, done) => {
        const raw = request.raw;
        if (!raw.complete) {
            const timer = setTimeout(() => {
                if (raw.complete) return;
                metrics.increment('followup_http_requests_timed_out_total');
                cut(raw.socket, !request.raw.socket.destroyed && !_reply.raw.headersSent);
            }, bodyTimeout);
            timer.unref();
            raw.once('end', () => clearTimeout(timer));
            raw.once('close', () => clearTimeout(timer));
        }
        done();
    });

    app.addHook('onSend', (request, reply, payload, done) => {
        if (!request.raw.complete) reply.header('connection', 'close');
        done(null, payload);
    });
}

/** Answers 408 (when nothing was answered yet) and closes the connection. */
function cut(socket: Socket, answer: boolean): void {
    if (socket.destroyed) return;
    const fallback = setTimeout(() => socket.destroy(), 1000);
    fallback.unref();
    if (answer) socket.end(TIMEOUT_RESPONSE, () => socket.destroy());
    else socket.destroy();
}
