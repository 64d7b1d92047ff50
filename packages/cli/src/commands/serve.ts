// `followup serve`: the long-running runtime (README.md "Running followup serve"). Events in over HTTP, transactional messages
// out at once, health and metrics; tracking routes and the scheduler plug in at the marked steps.
import {
    createChannelTransports,
    startDispatchWorkers,
    startScheduler,
    ensureIndexes,
    reconcileRuleIdentities,
    trackingDecorator,
    trackingDraftDecorator,
    trackingFromEnvironment,
    type TrackingDecoratorOptions,
} from '@followup/runtime';
import {
    createClock,
    createJsonLogger,
    environmentSecrets,
    apiKeysProblem,
    connectionLimitsFromEnvironment,
    MetricsRegistry,
    parseApiKeys,
    startServer,
    startTransactionalDispatcher,
    providerWebhooks,
    trackingRoutes,
    operatorUi,
    type Clock,
    type ServeContext,
    type ServePlugin,
} from '@followup/server';
import { openCliStore, parseInstantArgument, projectConfig, resolveDbTarget, sendLeaseMs } from '../runtime-context.js';
import { executablePlans, plansHelp, plansOption } from '../project-plans.js';
import { ExitCode, UsageError, type Command, type Io, type ParsedArgs } from './command.js';
import { summaryOf } from './registry.js';

export const serveCommand: Command = {
    name: 'serve',
    summary: summaryOf('serve'),
    usage: 'followup serve <project> | --plans <dir> [--db <target>] [--port 8080] [--host 127.0.0.1] [--no-send] [--now <instant>]',
    help: `Checks the project (errors: printed, exit 1), then serves until SIGTERM or SIGINT:
  POST /v1/events/<type>   one event: {"id"?, "at"?, "data": {...}}  (id: default a new UUID;
                           at: when it happened, default now). Answers 202 {"event", "deliveries"}
  POST /v1/events          a batch: a JSON array of {"type", "id"?, "at"?, "data"}, or JSON lines
                           (Content-Type: application/x-ndjson); all or nothing. 202 {"events": [...]}
  POST /v1/profiles        a new version of a profile: {"key"?, "at"?, "data": {...}} (valid from at, default now)
  GET  /healthz, /readyz, /metrics (Prometheus)
  GET  /ui                 the operator page (read-only): each rule's runs, decisions per day, the
                           outbox depth, the report, an explain box; key: FOLLOWUP_UI_KEYS, else an
                           API key, as Bearer token or as the password of the browser's login prompt
  GET  /t/o/<token>, /t/c/<token>  the open pixel and signed click redirects written into HTML emails
  GET, POST /u/<token>     unsubscribe page and RFC 8058 one-click unsubscribe (List-Unsubscribe)
  POST /v1/webhooks/sendgrid, /v1/webhooks/mailgun  provider events (signatures checked with
                           FOLLOWUP_SENDGRID_PUBLIC_KEY, FOLLOWUP_MAILGUN_SIGNING_KEY)
Events are validated against their declarations (400 lists the JSON path of every problem, and
nothing is stored). When the event has a 'transactional' message, it is rendered and recorded with
the event in one transaction, and sent right after. An Idempotency-Key header makes a retried
request get the first answer and store nothing new. Every rule runs on its schedule (default every
day at 00:00 UTC) as of its fire instant, once across all serve processes; see docs/scheduling.md.

  --db <target>     the store (default <project>/.followup/db; or FOLLOWUP_DB, or postgres://...).
                    Several serve processes may share one PostgreSQL; an embedded store serves one.
  --port <n>        default 8080 (0: a free port)
  --host <address>  default 127.0.0.1
  --no-send         queue messages but send none from this process (ingestion-only processes; other
                    serve processes on the same PostgreSQL send them)
${plansHelp(18)}
  --now <instant>   a fixed clock (tests, demos); FOLLOWUP_CLOCK_START=<instant> starts a running
                    clock there instead, FOLLOWUP_CLOCK_RATE=<n> makes it run n times faster

Environment: FOLLOWUP_API_KEYS (comma-separated keys accepted as "Authorization: Bearer <key>";
required), FOLLOWUP_SECRET (signs tracking links; without it emails are not tracked),
FOLLOWUP_PUBLIC_URL (base URL of tracking links; default http://<host>:<port>); see docs/tracking.md.
FOLLOWUP_REQUEST_TIMEOUT (seconds, default 30: a request must arrive whole within it, its headers
within a third of it), FOLLOWUP_MAX_CONNECTIONS (default 1000 open connections per process),
FOLLOWUP_SEND_LEASE (seconds, default 60: how long a batch being sent is claimed without renewal).
Logs are JSON lines on standard output, without secrets.

Exit codes: 0 stopped by a signal, 1 the project has errors (or the --plans folder is not whole), 2 usage or environment errors (no API
keys, port in use, database unreachable, unsupported transport).`,
    options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'no-send': { type: 'boolean' }, ...plansOption },
    async run(args, io) {
        const port = parsePort(args.values['port'] as string | undefined);
        const host = (args.values['host'] as string | undefined) ?? '127.0.0.1';
        const clock = serveClock(args, io);
        const apiKeys = parseApiKeys(io.env['FOLLOWUP_API_KEYS']);
        const keysProblem = apiKeysProblem(apiKeys);
        if (keysProblem) throw new UsageError(keysProblem);
        const connections = connectionLimitsFromEnvironment(io.env);
        if (typeof connections === 'string') throw new UsageError(connections);
        const leaseMs = sendLeaseMs(io);

        // Tracking (docs/tracking.md): with FOLLOWUP_SECRET, HTML emails get signed click redirects, an
        // open pixel and one-click unsubscribe headers, pointing at FOLLOWUP_PUBLIC_URL (default: where
        // we listen, known once listening). Provider webhooks check their own keys.
        const tracking: TrackingDecoratorOptions | undefined = trackingFromEnvironment(io.env, () => context.publicUrl);
        const webhooks: ServePlugin = providerWebhooks({ env: io.env });

        const project = await executablePlans(args, io, { command: 'serve', json: false, stream: io.err });
        if (typeof project === 'number') return project;
        const rulePlans = project.rules;
        const ingestion = project.ingestion();

        const config = projectConfig(project.root);
        const channels = createChannelTransports(config, { projectRoot: project.root, env: io.env });
        const target = resolveDbTarget(args, io, project.root, config);
        const log = createJsonLogger({
            write: (line) => io.out.write(line),
            secrets: [...environmentSecrets(io.env), ...apiKeys, ...parseApiKeys(io.env['FOLLOWUP_UI_KEYS']), ...urlPassword(target)],
            base: { pid: process.pid },
            clock,
        });
        for (const plan of ingestion.events) {
            for (const t of plan.transactional) if (t.problem) log.warn('transactional message will not be sent', { event: plan.event, channel: t.channel, reason: t.problem });
        }

        let store;
        try {
            store = await openCliStore(target, { longRunning: true });
        } catch (error) {
            await channels.close();
            throw error;
        }
        try {
            for (const r of await reconcileRuleIdentities(store, rulePlans)) {
                log.info('rule renamed: its decisions kept', { rule: r.to, was: r.from, decisions: r.decisions });
            }
            // The indexes the rules' queries need (derived by the compiler), built before the first run.
            const indexes = await ensureIndexes(store, rulePlans);
            for (const index of indexes.created) {
                log.info(`${index.action} index`, { index: index.name, table: index.table, reason: index.reason, seconds: Number((index.ms / 1000).toFixed(3)) });
            }
            for (const name of indexes.building) log.warn('index being built by another process', { index: name });
            for (const failed of indexes.failed) log.warn('could not create index: the rules run without it', { index: failed.name, error: failed.error });
        } catch (error) {
            await store.close();
            await channels.close();
            throw error;
        }
        const metrics = new MetricsRegistry();
        const context: ServeContext & { metrics: MetricsRegistry } = {
            store,
            clock,
            secret: io.env['FOLLOWUP_SECRET'] ?? '',
            publicUrl: (io.env['FOLLOWUP_PUBLIC_URL'] ?? '').replace(/\/+$/, ''),
            log,
            metrics,
        };

        // Step 1, background workers. Transactional messages are sent right after their commit by this
        // dispatcher. (The scheduler — rules on their schedule, dispatch workers for follow-ups — starts here too.)
        // --no-send: this process only queues (ingestion, scheduled runs); other serve processes send.
        const send = !args.values['no-send'];
        if (!send) log.info('sending is off (--no-send): messages are queued for other serve processes to send');
        const lease = leaseMs !== undefined ? { leaseMs } : {};
        const dispatcher = send ? startTransactionalDispatcher({ store, transports: channels.transports, clock, log, metrics, ...lease }) : idleWorker();
        // Every rule on its schedule, each period once across processes; the workers send what runs queue.
        const decorate = tracking ? { decorate: trackingDecorator(tracking) } : {};
        const workers = send ? startDispatchWorkers({ store, transports: channels.transports, plans: rulePlans, clock, log, metrics, ...lease, ...decorate }) : idleWorker();
        const scheduler = startScheduler({ store, plans: rulePlans, clock, log, metrics, onRunFinished: () => workers.wake(), ...decorate });
        const stopScheduling = async () => {
            await scheduler.stop();
            await workers.stop();
        };

        // Step 2, the HTTP server. Route plugins (tracking, provider webhooks) go in `plugins`, the
        // tracking of rendered emails in `decorate`.
        const plugins: ServePlugin[] = tracking ? [trackingRoutes, webhooks] : [webhooks];
        // The operator page (/ui, read-only): FOLLOWUP_UI_KEYS, else the API keys (docs/measuring.md).
        const uiKeys = parseApiKeys(io.env['FOLLOWUP_UI_KEYS']);
        plugins.push(operatorUi({ plans: rulePlans, keys: uiKeys.length > 0 ? uiKeys : apiKeys }));
        if (!tracking) log.warn('tracking is off: set FOLLOWUP_SECRET to track opens and clicks and offer one-click unsubscribe');
        let server;
        try {
            server = await startServer({
                context,
                plans: ingestion,
                apiKeys,
                host,
                port,
                plugins,
                connections,
                ...(tracking ? { decorate: trackingDraftDecorator(tracking) } : {}),
                ...(config.phoneRegion !== undefined ? { phoneRegion: config.phoneRegion } : {}),
                onQueued: () => dispatcher.wake(),
            });
        } catch (error) {
            await stopScheduling();
            await dispatcher.stop();
            await store.close();
            await channels.close();
            const code = (error as { code?: string }).code;
            if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
                throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
            }
            throw error;
        }
        io.err.write(`followup serve: listening on ${server.url}\n`);
        log.info('listening', { url: server.url, publicUrl: context.publicUrl, events: ingestion.events.map((e) => e.event), rules: rulePlans.length, store: store.engine });

        const signal = await new Promise<NodeJS.Signals>((resolve) => {
            process.once('SIGTERM', () => resolve('SIGTERM'));
            process.once('SIGINT', () => resolve('SIGINT'));
        });
        // Shutdown: stop accepting and answer what is in flight (every 202 is committed before it is
        // sent), then let the workers finish their batch, then close the store.
        log.info('shutting down', { signal });
        await server.close();
        // Step 3, stop the background workers: the run in flight commits, the batches in flight settle.
        await stopScheduling();
        await dispatcher.stop();
        await channels.close();
        await store.close();
        log.info('stopped', { signal });
        return ExitCode.ok;
    },
};

/** The workers of a --no-send process: nothing to wake, nothing to stop. */
function idleWorker(): { wake(): void; stop(): Promise<void> } {
    return { wake() {}, async stop() {} };
}

function parsePort(given: string | undefined): number {
    if (given === undefined) return 8080;
    const port = Number(given);
    if (!/^\d+$/.test(given) || port > 65535) throw new UsageError(`--port takes a port number (0-65535), not '${given}'`);
    return port;
}

/** --now (or FOLLOWUP_NOW) fixes the clock; FOLLOWUP_CLOCK_START starts a running one there, FOLLOWUP_CLOCK_RATE speeds it. */
function serveClock(args: ParsedArgs, io: Io): Clock {
    const instant = parseInstantArgument;
    const fixed = (args.values['now'] as string | undefined) ?? io.env['FOLLOWUP_NOW'];
    if (fixed) return createClock({ fixed: instant(fixed, '--now') });
    const start = io.env['FOLLOWUP_CLOCK_START'];
    if (!start) return createClock();
    const rateText = io.env['FOLLOWUP_CLOCK_RATE'] ?? '1';
    const rate = Number(rateText);
    if (!Number.isFinite(rate) || rate <= 0) throw new UsageError(`FOLLOWUP_CLOCK_RATE takes a positive number, not '${rateText}'`);
    return createClock({ startAt: instant(start, 'FOLLOWUP_CLOCK_START'), rate });
}

function urlPassword(target: string): string[] {
    try {
        const password = new URL(target).password;
        return password ? [password, decodeURIComponent(password)] : [];
    } catch {
        return [];
    }
}
