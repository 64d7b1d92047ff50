/**
 * Helpers for the serve tests: an in-process `startServer` on a real store with a project's
 * ingestion plans, delivering through a real transport (an SMTP sink), with logs and metrics the
 * test can read; and cart events as the example project declares them.
 */
import * as path from 'node:path';
import { compileIngestionPlans, type IngestionPlans } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { createSmtpTransport, type RetryPolicy, type Store, type Transport } from '@followup/runtime';
import {
    createJsonLogger,
    MetricsRegistry,
    startServer,
    startTransactionalDispatcher,
    type ConnectionLimits,
    type RunningServer,
    type ServeContext,
    type ServePlugin,
    type TransactionalDispatcher,
} from '@followup/server';

export const repo = path.resolve(import.meta.dirname, '../..');
export const API_KEY = 'test-api-key-7f3a9c1e5b';
export const OTHER_API_KEY = 'other-api-key-2d8e4f6a0c';
export const NOW = new Date('2026-11-20T10:00:00Z');

const planCache = new Map<string, Promise<IngestionPlans>>();

/** The ingestion plans of an example project (compiled once per test file). */
export function examplePlans(name: 'cart-abandonment' | 'order-shipped'): Promise<IngestionPlans> {
    let plans = planCache.get(name);
    if (!plans) {
        plans = loadProject([path.join(repo, 'examples', name)]).then((project) => {
            if (project.errorCount > 0) throw new Error(`examples/${name} has errors`);
            return compileIngestionPlans(project);
        });
        planCache.set(name, plans);
    }
    return plans;
}

export interface TestServer {
    server: RunningServer;
    url: string;
    metrics: MetricsRegistry;
    logs: string[];
    dispatcher: TransactionalDispatcher;
    close(): Promise<void>;
}

export async function startTestServer(
    store: Store,
    plans: IngestionPlans,
    options: {
        smtpUrl?: string;
        transport?: Transport;
        limits?: { event?: number; batch?: number; batchEvents?: number };
        connections?: Partial<ConnectionLimits>;
        plugins?: ServePlugin[];
        retry?: RetryPolicy;
        /** How often the dispatcher looks for rows due for a retry (default 5 s). */
        dispatchIntervalMs?: number;
        /** Default: fixed at NOW (retries then never come due: give a running clock to see them). */
        clock?: () => Date;
        phoneRegion?: string;
    } = {},
): Promise<TestServer> {
    const logs: string[] = [];
    const metrics = new MetricsRegistry();
    const log = createJsonLogger({ write: (line) => logs.push(line), secrets: [API_KEY, OTHER_API_KEY], clock: () => NOW });
    const transport = options.transport ?? createSmtpTransport(options.smtpUrl!, { from: 'Shop <shop@example.com>', env: {} });
    const clock = options.clock ?? (() => NOW);
    const context: ServeContext & { metrics: MetricsRegistry } = { store, clock, secret: 'serve-test-secret-0123456789', publicUrl: '', log, metrics };
    const dispatcher = startTransactionalDispatcher({
        store,
        transports: { email: transport, sms: transport, push: transport },
        clock,
        log,
        metrics,
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.dispatchIntervalMs ? { intervalMs: options.dispatchIntervalMs } : {}),
    });
    const server = await startServer({
        context,
        plans,
        apiKeys: [API_KEY, OTHER_API_KEY],
        host: '127.0.0.1',
        port: 0,
        onQueued: () => dispatcher.wake(),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.connections ? { connections: options.connections } : {}),
        ...(options.plugins ? { plugins: options.plugins } : {}),
        ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}),
    });
    return {
        server,
        url: server.url,
        metrics,
        logs,
        dispatcher,
        async close() {
            await server.close();
            await dispatcher.stop();
            await transport.close();
        },
    };
}

export interface Answer {
    status: number;
    body: any;
    headers: Headers;
}

/** POSTs JSON (or a string as it is) with the test API key unless `key` says otherwise (null: no header). */
export async function post(url: string, body: unknown, options: { key?: string | null; headers?: Record<string, string>; contentType?: string } = {}): Promise<Answer> {
    const key = options.key === undefined ? API_KEY : options.key;
    const response = await fetch(url, {
        method: 'POST',
        headers: {
            'content-type': options.contentType ?? 'application/json',
            ...(key !== null ? { authorization: `Bearer ${key}` } : {}),
            ...options.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
        parsed = JSON.parse(text);
    } catch {
        // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
}

/** A valid cartAbandonment's data for customer `n`. */
export function cartData(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        customerId: `c${n}`,
        email: `user${n}@example.com`,
        firstName: `User${n}`,
        cartTotal: 120.5,
        currency: 'EUR',
        items: [{ sku: 'sku-1', name: 'Shoe', price: '60.25', quantity: 2 }],
        cartUrl: `https://shop.example/cart/${n}`,
        loyaltyMember: false,
        abandonedAt: '2026-11-20T09:55:00Z',
        ...overrides,
    };
}

export async function count(store: Store, table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const { rows } = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return Number(rows[0]!.n);
}

/** Counts of what ingestion writes, to assert that a refused request stored nothing. */
export async function storedCounts(store: Store): Promise<Record<string, number>> {
    return {
        events: await count(store, 'events'),
        deliveries: await count(store, 'deliveries'),
        outbox: await count(store, 'outbox'),
        idempotency_keys: await count(store, 'idempotency_keys'),
    };
}

/** Polls `check` until it holds (or fails after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 50));
    }
}
