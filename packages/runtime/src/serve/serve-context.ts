// What every part of `followup serve` (ingestion, tracking, provider webhooks, the scheduler) shares:
// one store, one clock, one logger, one metrics registry, and the secrets from the environment.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/** JSON-lines logger. Fields are structured; secrets, API keys and tokens must never be passed in. */
export interface StructuredLogger {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}

/** Prometheus-style counters and histograms; label values are low-cardinality (rule, channel, outcome). */
export interface ServeMetrics {
    increment(name: string, labels?: Record<string, string>, by?: number): void;
    observe(name: string, value: number, labels?: Record<string, string>): void;
    setGauge(name: string, value: number, labels?: Record<string, string>): void;
}

export interface ServeContext {
    store: Store;
    /** Injectable for tests; the real clock otherwise. */
    clock: () => Date;
    /** FOLLOWUP_SECRET: signs tracking links and unsubscribe tokens. */
    secret: string;
    /** FOLLOWUP_PUBLIC_URL without a trailing slash, e.g. `http://127.0.0.1:8080`. */
    publicUrl: string;
    log: StructuredLogger;
    metrics: ServeMetrics;
}

/** A group of HTTP routes (tracking, provider webhooks, ...) registered on the serve app. */
export type ServePlugin = (app: FastifyInstance, context: ServeContext) => Promise<void> | void;
