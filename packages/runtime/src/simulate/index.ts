export { simulate, zeroSimulationCounts, type RuleSimulation, type SimulateOptions, type SimulationCounts, type SimulationReport } from './simulate.js';
export { simulatedPlans, SIMULATED_PREFIX, type SimulatedPlan } from './simulated-plans.js';
export { inlineStore } from './inline-store.js';
