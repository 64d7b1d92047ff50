export { runRules, selectPlans, UnknownRuleError, type RunRulesOptions } from './run-rules.js';
export { DECIDING_TRANSACTION, runRule, type RunRuleOptions, type RuleRunResult } from './run-rule.js';
export { addCounts, zeroCounts, type QueuedMessage, type RunCounts, type RunReport, type RuleRunReport } from './run-report.js';
export { followupDeliveryId } from './delivery-id.js';
export { recheck, selectDue, type RecheckOutcome, type SelectedRow } from './rule-queries.js';
export { bindParameters } from './bind-parameters.js';
export { refreshPlannerStatistics } from './planner-statistics.js';
export type { OutboxContent } from './record-decisions.js';
export { reconcileRuleIdentities, RuleIdentityError, type Renamed } from './rule-identity.js';
