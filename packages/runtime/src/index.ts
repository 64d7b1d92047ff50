export { openStore, SMALL_STORE_SHARED_BUFFERS, type OpenStoreOptions } from './store/open.js';
export {
    StoreSchemaTooNewError,
    StoreUnavailableError,
    TransactionAbortedError,
    type QueryResult,
    type Store,
    type StoreEngine,
    type StoreTx,
    type TransactionOptions,
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
export { channels, recordKinds, type Channel, type ImportRecord, type ImportSchemas, type RecordKind } from './import/records.js';
export {
    closestName,
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
    DECIDING_TRANSACTION,
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
export type { Logger, MetricsSink } from './observability/observability.js';
export {
    applyTracking,
    clickUrl,
    openPixelUrl,
    unsubscribeUrl,
    trackingDecorator,
    trackingDraftDecorator,
    trackingFromEnvironment,
    TrackingConfigError,
    signToken,
    verifyToken,
    deliveryIdFromMessageId,
    escapeHtml,
    recordTracking,
    suppressAddress,
    findDelivery,
    type ContentDecorator,
    type TrackingOptions,
    type TrackingDecoratorOptions,
    type TrackingToken,
    type TrackingRecord,
    type SuppressionReason,
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
export { renderReportHtml, ruleSection, REPORT_CSS } from './report/html-report.js';
export { CHARTS_SCRIPT, inlineScript, uplotAssets } from './report/charts.js';
export { amount as formatAmount, count as formatCount, goalWords, groupLine, liftLine, percent as formatPercent, verdictWords } from './report/format-report.js';
export { holdoutPoint, holdoutPerson, holdoutDecision, type HoldoutDetail } from './executor/policies/holdout.js';
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
export { loadCompiledPlans, supportedPlanFormat, PlanFolderError, type CompiledPlans } from './plans/compiled-plans.js';
export { pruneStore, safePruneBound, prunedTables, UnsafePruneError, type PruneBound, type PruneCounts, type PruneNeed, type PruneOptions, type PruneReport, type PrunedTable } from './store/prune.js';
