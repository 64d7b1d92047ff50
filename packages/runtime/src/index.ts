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
export { migrations, storeTables, type Migration, type StoreTable } from './store/migrations/index.js';
export type { ChannelName, OutgoingMessage, SendResult, Transport } from './transport/transport.js';
export { defaultConfig, type ProjectConfig } from './config/project-config.js';
export { loadConfig, ConfigError } from './config/load-config.js';
export { explainEvent, explainAddress, instant, ExplainInputError, type EventExplanation, type Verdict, type VerdictKind } from './explain/explain.js';
