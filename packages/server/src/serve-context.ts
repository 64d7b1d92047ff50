// What every part of `followup serve` (ingestion, tracking, provider webhooks, the scheduler) shares:
// one store, one clock, one logger, one metrics registry, and the secrets from the environment.
import type { FastifyInstance } from 'fastify';
import type { Logger, MetricsSink, Store } from '@followup/runtime';

export interface ServeContext {
    store: Store;
    /** Injectable for tests; the real clock otherwise. */
    clock: () => Date;
    /** FOLLOWUP_SECRET: signs tracking links and unsubscribe tokens. */
    secret: string;
    /** FOLLOWUP_PUBLIC_URL without a trailing slash, e.g. `http://127.0.0.1:8080`. */
    publicUrl: string;
    log: Logger;
    metrics: MetricsSink;
}

/** A group of HTTP routes (tracking, provider webhooks, ...) registered on the serve app. */
export type ServePlugin = (app: FastifyInstance, context: ServeContext) => Promise<void> | void;
