/**
 * Helpers for the tracking and webhook route tests: a fastify app with the tracking plugins on a
 * real store, a ServeContext whose logs and metrics the test can read, and seeded deliveries.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createJsonLogger } from '../../packages/server/src/logger.js';
import { MetricsRegistry } from '../../packages/server/src/metrics.js';
import type { ServeContext, ServePlugin } from '../../packages/server/src/serve-context.js';
import type { Store } from '../../packages/runtime/src/index.js';

export const SECRET = 'tracking-test-secret-0123456789';
export const PUBLIC_URL = 'https://t.shop.example';

export interface TrackingApp {
    app: FastifyInstance;
    ctx: ServeContext;
    metrics: MetricsRegistry;
    logs: string[];
    /** Moves the injected clock. */
    setNow(now: Date): void;
}

export async function trackingApp(store: Store, plugins: ServePlugin[], now = new Date('2026-11-20T10:00:00Z')): Promise<TrackingApp> {
    let clock = now;
    const logs: string[] = [];
    const metrics = new MetricsRegistry({});
    const ctx: ServeContext = {
        store,
        clock: () => clock,
        secret: SECRET,
        publicUrl: PUBLIC_URL,
        log: createJsonLogger({ write: (line) => logs.push(line), secrets: [SECRET], clock: () => clock }),
        metrics,
    };
    const app = Fastify({ logger: false });
    for (const plugin of plugins) await plugin(app, ctx);
    await app.ready();
    return { app, ctx, metrics, logs, setNow: (d) => (clock = d) };
}

/** An event with one original email delivery to `to`; returns the delivery id. */
export async function seedDelivery(store: Store, id: string, to: string, sentAt = new Date('2026-11-19T10:00:00Z')): Promise<string> {
    await store.query(`INSERT INTO events (id, type, occurred_at, payload) VALUES ($1, 'cartAbandonment', $2, '{}') ON CONFLICT DO NOTHING`, [`ev-${id}`, sentAt]);
    await store.query(
        `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES ($1, $2, 'transactional', 'email', $3, $4, 'sent')`,
        [id, `ev-${id}`, to, sentAt],
    );
    return id;
}

export interface TrackingRow {
    kind: string;
    at: Date;
    url: string | null;
    link: string | null;
    hard: boolean | null;
    machine: boolean;
    source_key: string;
}

export async function trackingOf(store: Store, deliveryId: string): Promise<TrackingRow[]> {
    const { rows } = await store.query<TrackingRow>(
        'SELECT kind, at, url, link, hard, machine, source_key FROM tracking WHERE delivery_id = $1 ORDER BY id',
        [deliveryId],
    );
    return rows;
}

export async function suppressionsOf(store: Store, address: string): Promise<{ channel: string; reason: string; source: string | null }[]> {
    const { rows } = await store.query<{ channel: string; reason: string; source: string | null }>(
        'SELECT channel, reason, source FROM suppressions WHERE address = $1 ORDER BY reason',
        [address],
    );
    return rows;
}

/** The value of one series in the registry's exposition text (0 when absent). */
export function metricValue(metrics: MetricsRegistry, name: string, labels: Record<string, string>): number {
    const text = metrics.render();
    const wanted = Object.entries(labels);
    let total = 0;
    for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (wanted.every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
}
