export * from './ir/rule-ir.js';
export { lowerRule, LoweringError } from './lower/lower-rule.js';
export { Dialect, type SqlParamType } from './sql/dialect.js';
export { PostgresDialect } from './sql/postgres-dialect.js';
export { getDialect, dialectNames } from './sql/dialects.js';
export type { ParameterSpec } from './sql/parameters.js';
export { buildRuleQueries, type RuleQueries, type RuleQuery } from './sql/rule-queries.js';
export * from './plan/render-plan.js';
export * from './compile-project.js';
