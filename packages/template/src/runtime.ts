// @followup/template/runtime: what running compiled templates and schedules needs, and nothing that
// parses. The runtime imports only this entry, so that `followup run` and `serve` never load
// Chevrotain (nor, through the language, Langium); test/package/runtime-imports.test.ts checks it
// on the built packages. Keep every module this file reaches free of `chevrotain` imports.

export { templateFilters, type TemplateFilters } from './filters.js';
export {
    maxProgramDepth, maxProgramSize, programFilterNames, programRenderer, TemplateProgramError, validateProgram,
    type CompareAs, type CompareOperator, type ProgramCondition, type ProgramExpr, type ProgramFilterName, type ProgramKey,
    type ProgramNode, type ProgramOperand, type ProgramPath, type ProgramRender, type TemplateProgram, type ValidProgram,
} from './program.js';
export { parseTimeOfDay, type TimeOfDay } from './time-of-day.js';
