export type { ServeContext, ServePlugin } from './serve-context.js';
export { startServer, defaultBodyLimits, type StartServerOptions, type RunningServer, type BodyLimits } from './start-server.js';
export { connectionLimitsFromEnvironment, defaultConnectionLimits, type ConnectionLimits } from './request-limits.js';
export { createClock, type Clock, type ClockOptions } from './clock.js';
export { createJsonLogger, environmentSecrets, type JsonLoggerOptions, type LogLevel } from './logger.js';
export { MetricsRegistry, serveMetricDeclarations, METRICS_CONTENT_TYPE, DEFAULT_BUCKETS, type MetricDeclaration, type MetricKind } from './metrics.js';
export { apiKeysProblem, createApiKeyCheck, MIN_API_KEY_LENGTH, parseApiKeys, type ApiKeyCheck } from './api-keys.js';
export { startTransactionalDispatcher, type TransactionalDispatcher, type TransactionalDispatcherOptions } from './transactional-dispatcher.js';
export { Ingestor, IngestRejected, type EventAnswer, type IngestorOptions } from './ingest/ingestor.js';
export { pruneIdempotencyKeys, IDEMPOTENCY_KEY_TTL_MS } from './ingest/idempotency.js';
export {
    transactionalDeliveryId,
    type DecorateMessage,
    type MessageDraft,
    type IncomingEvent,
    type NotSent,
} from './ingest/prepare-events.js';
export { addFollowupFormats, ajvOptions } from './json-formats.js';
export { trackingRoutes, TRANSPARENT_GIF } from './tracking/tracking-routes.js';
export { providerWebhooks, type ProviderWebhookOptions } from './tracking/webhook-routes.js';
export { SENDGRID_PUBLIC_KEY_ENV, SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './tracking/sendgrid.js';
export { MAILGUN_SIGNING_KEY_ENV } from './tracking/mailgun.js';
export { isMachineOpen, machineOpener, type OpenSource } from './tracking/machine-opens.js';
export { operatorUi, type OperatorUiOptions } from './ui/ui-routes.js';
