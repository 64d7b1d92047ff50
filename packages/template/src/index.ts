// @followup/template: the `{{ }}` personalisation language — parsing, type checking, compiling to a
// template program (plain data), and what renders programs (their validation, the filters) — with
// the semantic types it checks against, the string literals templates are written in, and the
// schedule's time of day. The language package (and through it the compiler and the editor) imports
// this entry; it loads Chevrotain. The runtime imports `@followup/template/runtime` instead
// (src/runtime.ts), which does not.

export type { TemplateDiagnostic } from './diagnostics.js';
export { TemplateCodes } from './diagnostics.js';
export type {
    CheckedTemplate, CompareKind, PathResolution, TemplateContext, TemplateReference, TemplateResolution,
} from './checker.js';
export { checkTemplate } from './checker.js';
export type { ParsedTemplate } from './parse-template.js';
export { parseTemplate } from './parse-template.js';
export { compileTemplate } from './compiler.js';
export {
    programRenderer, TemplateProgramError, validateProgram, type ProgramNode, type TemplateProgram, type ValidProgram,
} from './program.js';
export { filterNames } from './filter-types.js';
export { templateFilters, type TemplateFilters } from './filters.js';
export { didYouMean, didYouMeanHint, editDistance } from './did-you-mean.js';
export type { TemplateAst, TemplateNode } from './ast.js';
/** Every syntax-tree type of templates (`TemplateSyntax.PathExpr`, ...), kept apart from the .followup AST's names. */
export type * as TemplateSyntax from './ast.js';
/** The lexer's token types, for the editor's semantic highlighting of templates. */
export * as TemplateTokens from './lexer.js';
export * from './fu-type.js';
export { decodeStringLiteral, type DecodedString } from './string-literal.js';
export { parseTimeOfDay, type TimeOfDay } from './time-of-day.js';
