export { runScenario, runScenarios, type ScenarioFailure, type ScenarioOptions, type ScenarioResult, type ScenarioRun } from './run-scenario.js';
export { openScenarioStore, emptyStore, type ScenarioStore, type ScenarioStoreOptions } from './scenario-store.js';
export { createMemoryTransport, type MemoryTransport } from './memory-transport.js';
export { reasonMatches, describeReason, type ScenarioVerdict } from './reasons.js';
