// The HTTP surface of `followup serve` (fastify): event ingestion, profiles, health, readiness and
// metrics, plus the routes of the plugins (tracking, provider webhooks) given by the caller.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IngestionPlans } from '@followup/compiler';
import { currentSchemaVersion, latestSchemaVersion } from '@followup/runtime';
import { apiKeysProblem, createApiKeyCheck } from './api-keys.js';
import { registerEventRoutes } from './event-routes.js';
import type { DecorateMessage } from './ingest/prepare-events.js';
import { IDEMPOTENCY_KEY_TTL_MS, pruneIdempotencyKeys } from './ingest/idempotency.js';
import { Ingestor } from './ingest/ingestor.js';
import { type AjvErrorLike, problemsFromAjv } from './ingest/problems.js';
import { ajvOptions } from './json-formats.js';
import { METRICS_CONTENT_TYPE, type MetricsRegistry } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerProfileRoute } from './profile-routes.js';
import { defaultConnectionLimits, enforceConnectionLimits, fastifyConnectionOptions, type ConnectionLimits } from './request-limits.js';
import type { ServeContext, ServePlugin } from './serve-context.js';

export interface BodyLimits {
    /** Bytes of one event (POST /v1/events/<type>, /v1/profiles); default 1 MiB. */
    event: number;
    /** Bytes of a batch (POST /v1/events); default 10 MiB. */
    batch: number;
    /** Events in one batch; default 10,000. */
    batchEvents: number;
}

export const defaultBodyLimits: BodyLimits = { event: 1024 * 1024, batch: 10 * 1024 * 1024, batchEvents: 10_000 };

export interface StartServerOptions {
    context: ServeContext & { metrics: MetricsRegistry };
    plans: IngestionPlans;
    /** FOLLOWUP_API_KEYS: requests to /v1/events and /v1/profiles must carry one as a Bearer token. */
    apiKeys: readonly string[];
    host?: string;
    /** 0 picks a free port. */
    port?: number;
    /** Route groups registered after the built-in ones: tracking, provider webhooks. */
    plugins?: readonly ServePlugin[];
    /** Rewrites each rendered transactional message before it is recorded (tracking). */
    decorate?: DecorateMessage;
    /** Called after each commit with the transactional deliveries queued (wakes the dispatcher). */
    onQueued?: (deliveryIds: string[]) => void;
    limits?: Partial<BodyLimits>;
    /** Deadlines for a request to arrive, the connection cap (request-limits.ts). */
    connections?: Partial<ConnectionLimits>;
    /** How long an Idempotency-Key's answer is kept (default 24 h); older keys are deleted hourly. */
    idempotencyKeyTtlMs?: number;
    /** Where phone numbers without a country code are read (followup.config.json `phoneRegion`). */
    phoneRegion?: string;
}

export interface RunningServer {
    /** `http://host:port`. */
    url: string;
    port: number;
    app: FastifyInstance;
    ingestor: Ingestor;
    /** Readiness goes 503 (load balancers stop sending), then the server stops accepting and waits for requests in flight. */
    close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
    const { context, plans } = options;
    const limits = { ...defaultBodyLimits, ...options.limits };
    const keysProblem = apiKeysProblem(options.apiKeys);
    if (keysProblem) throw new Error(keysProblem);
    const apiKeys = createApiKeyCheck(options.apiKeys);
    const ingestor = new Ingestor({
        store: context.store,
        plans,
        clock: context.clock,
        metrics: context.metrics,
        ...(options.decorate ? { decorate: options.decorate } : {}),
        ...(options.onQueued ? { onQueued: options.onQueued } : {}),
        ...(options.phoneRegion !== undefined ? { phoneRegion: options.phoneRegion } : {}),
    });
    let draining = false;

    const connections = { ...defaultConnectionLimits, ...options.connections };
    const app = Fastify({
        logger: false,
        bodyLimit: limits.event,
        ajv: ajvOptions,
        return503OnClosing: true,
        // A client that trickles its request in (slowloris) is cut off instead of holding a socket forever.
        ...fastifyConnectionOptions(connections),
    });
    enforceConnectionLimits(app, connections, context.metrics);

    // GET /openapi.json: the routes below, as OpenAPI 3.1 (registered first: it sees the routes added after it).
    await registerOpenApi(app, '0.1.0');

    // Every ingestion request: a valid API key, or 401 before anything is parsed. Decided on the route
    // the router matched, never on the raw URL: `/v1/%65vents/...` reaches the same route.
    app.decorateRequest('apiKeyScope', '');
    // No route: answered before any body is read (the connection then closes, request-limits.ts).
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.is404) {
            await reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` });
            return reply;
        }
    });
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const route = request.routeOptions.url ?? '';
        if (!route.startsWith('/v1/events') && !route.startsWith('/v1/profiles')) return;
        const scope = apiKeys.verify(request.headers.authorization);
        if (scope === undefined) {
            await reply.code(401).header('WWW-Authenticate', 'Bearer realm="followup"').send({ error: 'a valid API key is required: Authorization: Bearer <key>' });
            return reply;
        }
        (request as FastifyRequest & { apiKeyScope: string }).apiKeyScope = scope;
    });

    app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        const labels = { method: request.method, route, status: String(reply.statusCode) };
        context.metrics.increment('followup_http_requests_total', labels);
        context.metrics.observe('followup_http_request_duration_seconds', reply.elapsedTime / 1000, { route });
        if (reply.statusCode >= 500) context.log.error('request failed', { method: request.method, route, status: reply.statusCode });
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
        if (error.validation) {
            const problems = problemsFromAjv(error.validation as unknown as AjvErrorLike[]);
            context.metrics.increment('followup_events_rejected_total', { reason: 'invalid' });
            return reply.code(400).send({ error: 'the request does not match the schema; nothing was stored', problems });
        }
        if (error.statusCode && error.statusCode < 500) {
            return reply.code(error.statusCode).send({ error: error.message });
        }
        context.log.error('request failed', { method: request.method, route: request.routeOptions.url ?? 'unmatched', error });
        return reply.code(500).send({ error: 'internal error; nothing was acknowledged' });
    });

    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
        if (draining) return reply.code(503).send({ status: 'shutting down' });
        try {
            const version = await currentSchemaVersion(context.store);
            if (version !== latestSchemaVersion) return reply.code(503).send({ status: `store schema at version ${version}, expected ${latestSchemaVersion}` });
        } catch (error) {
            context.log.warn('readiness: the store is unreachable', { error: error as Error });
            return reply.code(503).send({ status: 'store unreachable' });
        }
        return { status: 'ready', events: plans.events.length };
    });
    app.get('/metrics', async (_request, reply) => {
        try {
            const { rows } = await context.store.query<{ depth: number }>(`SELECT count(*)::int AS depth FROM outbox WHERE status = 'pending'`);
            context.metrics.setGauge('followup_outbox_depth', Number(rows[0]?.depth ?? 0));
        } catch {
            // The store is down: the gauge keeps its last value; /readyz says why.
        }
        return reply.type(METRICS_CONTENT_TYPE).send(context.metrics.render());
    });

    registerEventRoutes(app, { ingestor, plans, limits, log: context.log, metrics: context.metrics });
    if (plans.profile) registerProfileRoute(app, { plan: plans.profile, context, limits, ...(options.phoneRegion !== undefined ? { phoneRegion: options.phoneRegion } : {}) });
    for (const plugin of options.plugins ?? []) await plugin(app, context);

    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    // The public URL defaults to where we listen; plugins read it at use time, after listen.
    if (context.publicUrl === '') {
        context.publicUrl = url;
        if (address.address === '0.0.0.0' || address.address === '::') {
            context.log.warn('FOLLOWUP_PUBLIC_URL is not set: tracking links will point at the listening address, which recipients cannot reach', { publicUrl: url });
        }
    }

    // Idempotency keys are kept for a day, then forgotten (by whichever process gets there first).
    const ttl = options.idempotencyKeyTtlMs ?? IDEMPOTENCY_KEY_TTL_MS;
    const prune = () => {
        pruneIdempotencyKeys(context.store, new Date(context.clock().getTime() - ttl)).catch((error: unknown) => {
            if (!draining) context.log.warn('could not delete expired idempotency keys', { error: error as Error });
        });
    };
    const pruneTimer = setInterval(prune, Math.min(ttl, 3_600_000));
    pruneTimer.unref();

    let closing: Promise<void> | undefined;
    return {
        url,
        port: address.port,
        app,
        ingestor,
        close() {
            closing ??= (async () => {
                draining = true;
                clearInterval(pruneTimer);
                await app.close();
                await ingestor.idle();
            })();
            return closing;
        },
    };
}
