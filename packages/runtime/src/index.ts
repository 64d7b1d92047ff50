export { openStore, type OpenStoreOptions } from './store/open.js';
export {
    StoreSchemaTooNewError,
    StoreUnavailableError,
    TransactionAbortedError,
    type QueryResult,
    type Store,
    type StoreEngine,
    type StoreTx,
} from './store/store.js';
export { currentSchemaVersion, latestSchemaVersion, migrate, type MigrateResult } from './store/migrate.js';
export { ensureIndexes, neededIndexes, describeCreatedIndex, describeFailedIndex, type CreatedIndex, type EnsureIndexesResult } from './store/derived-indexes.js';
export { migrations, storeTables, type Migration, type StoreTable } from './store/migrations/index.js';
export type { ChannelName, OutgoingMessage, SendResult, Transport } from './transport/transport.js';
export { defaultConfig, type ProjectConfig } from './config/project-config.js';
export { loadConfig, ConfigError } from './config/load-config.js';
export { explainEvent, explainAddress, instant, ExplainInputError, type EventExplanation, type Verdict, type VerdictKind } from './explain/explain.js';
export {
    importHistory,
    formatProblem,
    ImportRejectedError,
    type ImportOptions,
    type ImportProblem,
    type ImportProgress,
    type ImportResult,
} from './import/import-history.js';
export { recordKinds, type ImportRecord, type ImportSchemas, type RecordKind } from './import/records.js';
export {
    eventDataValidator,
    fieldTypeName,
    validateEventData,
    type DataValidator,
    type EventSchema,
    type FieldType,
    type PrimitiveFieldType,
    type SchemaField,
    type SchemaProblem,
} from './import/validate-event.js';
export {
    runRules,
    runRule,
    selectPlans,
    UnknownRuleError,
    addCounts,
    zeroCounts,
    followupDeliveryId,
    recheck,
    selectDue,
    bindParameters,
    refreshPlannerStatistics,
    reconcileRuleIdentities,
    RuleIdentityError,
    type Renamed,
    type RunRulesOptions,
    type RunRuleOptions,
    type RuleRunResult,
    type QueuedMessage,
    type RunCounts,
    type RunReport,
    type RuleRunReport,
    type RecheckOutcome,
    type SelectedRow,
    type OutboxContent,
} from './executor/index.js';
export { createRenderer, type MessageRenderer, type MessagePart, type RenderedContent } from './render/message-renderer.js';
export {
    dispatchOutbox,
    applyDispatch,
    defaultRetryPolicy,
    retryDelayMs,
    type DispatchCounts,
    type DispatchOptions,
    type DispatchReport,
    type SentMessage,
    type RetryPolicy,
} from './dispatch/index.js';
export { createOutboxFolderTransport, fileStem, type OutboxFolderOptions } from './transport/outbox-folder.js';
export {
    createTransport,
    createChannelTransports,
    TransportConfigError,
    type ChannelTransports,
    type CreateTransportOptions,
} from './transport/create-transport.js';
export { SmtpTransport, createSmtpTransport, type SmtpTransportOptions } from './transport/smtp.js';
export { WebhookTransport, createWebhookTransport, type WebhookTransportOptions, type WebhookPayload } from './transport/webhook.js';
export {
    startScheduler,
    startDispatchWorkers,
    fireTimes,
    defaultSchedule,
    ScheduleError,
    type Scheduler,
    type SchedulerOptions,
    type ScheduledRunResult,
    type DispatchWorkers,
    type DispatchWorkersOptions,
    type FireTimes,
    type Schedule,
} from './scheduler/index.js';
export type { ServeContext, ServePlugin, ServeMetrics, StructuredLogger } from './serve/serve-context.js';
export { startServer, defaultBodyLimits, type StartServerOptions, type RunningServer, type BodyLimits } from './serve/start-server.js';
export { connectionLimitsFromEnvironment, defaultConnectionLimits, type ConnectionLimits } from './serve/request-limits.js';
export { createClock, type Clock, type ClockOptions } from './serve/clock.js';
export { createJsonLogger, environmentSecrets, type JsonLoggerOptions, type LogLevel } from './serve/logger.js';
export { MetricsRegistry, serveMetricDeclarations, METRICS_CONTENT_TYPE, DEFAULT_BUCKETS, type MetricDeclaration, type MetricKind } from './serve/metrics.js';
export { apiKeysProblem, createApiKeyCheck, MIN_API_KEY_LENGTH, parseApiKeys, type ApiKeyCheck } from './serve/api-keys.js';
export { startTransactionalDispatcher, type TransactionalDispatcher, type TransactionalDispatcherOptions } from './serve/transactional-dispatcher.js';
export { Ingestor, IngestRejected, type EventAnswer, type IngestorOptions } from './serve/ingest/ingestor.js';
export { pruneIdempotencyKeys, IDEMPOTENCY_KEY_TTL_MS } from './serve/ingest/idempotency.js';
export {
    transactionalDeliveryId,
    type DecorateMessage,
    type MessageDraft,
    type IncomingEvent,
    type NotSent,
} from './serve/ingest/prepare-events.js';
export { addFollowupFormats, ajvOptions } from './serve/json-formats.js';
export {
    applyTracking,
    clickUrl,
    openPixelUrl,
    unsubscribeUrl,
    trackingDecorator,
    trackingDraftDecorator,
    trackingFromEnvironment,
    TrackingConfigError,
    trackingRoutes,
    providerWebhooks,
    signToken,
    verifyToken,
    machineOpener,
    deliveryIdFromMessageId,
    type ContentDecorator,
    type TrackingOptions,
    type TrackingDecoratorOptions,
    type TrackingToken,
    type ProviderWebhookOptions,
} from './tracking/index.js';
export {
    buildReport,
    REPORT_SETTINGS,
    ruleReport,
    notEnoughData,
    reportRuntimeValues,
    MINIMUM as REPORT_MINIMUM,
    LIFT_METHOD,
    RELATIVE_METHOD,
    type Report,
    type RuleReport,
    type GroupReport,
    type LiftReport,
    type MessageReport,
    type ReportOptions,
} from './report/build-report.js';
export { wilsonInterval, newcombeDifference, relativeLift, Z95, type Interval } from './report/statistics.js';
export { renderReportHtml } from './report/html-report.js';
export { amount as formatAmount, count as formatCount, goalWords, groupLine, liftLine, percent as formatPercent, verdictWords } from './report/format-report.js';
export { holdoutPoint, holdoutPerson, holdoutDecision, type HoldoutDetail } from './executor/policies/holdout.js';
export { operatorUi, type OperatorUiOptions } from './serve/ui/ui-routes.js';
export {
    runScenario,
    runScenarios,
    openScenarioStore,
    emptyStore,
    createMemoryTransport,
    reasonMatches,
    describeReason,
    type ScenarioFailure,
    type ScenarioOptions,
    type ScenarioResult,
    type ScenarioRun,
    type ScenarioStore,
    type ScenarioStoreOptions,
    type MemoryTransport,
    type ScenarioVerdict,
} from './scenario/index.js';
export {
    simulate,
    zeroSimulationCounts,
    simulatedPlans,
    inlineStore,
    SIMULATED_PREFIX,
    type RuleSimulation,
    type SimulateOptions,
    type SimulationCounts,
    type SimulationReport,
    type SimulatedPlan,
} from './simulate/index.js';
export { pruneStore, safePruneBound, prunedTables, UnsafePruneError, type PruneBound, type PruneCounts, type PruneNeed, type PruneOptions, type PruneReport, type PrunedTable } from './store/prune.js';
