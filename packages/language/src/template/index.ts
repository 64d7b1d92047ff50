// The `{{ }}` personalisation language: parsing, type checking, compiling to Eta, and the run-time
// filters compiled templates call.

export type { TemplateDiagnostic } from './diagnostics.js';
export { TemplateCodes } from './diagnostics.js';
export type {
    CheckedTemplate, CompareKind, PathResolution, TemplateContext, TemplateReference, TemplateResolution,
} from './checker.js';
export { checkTemplate } from './checker.js';
export type { ParsedTemplate } from './parse-template.js';
export { parseTemplate } from './parse-template.js';
export { compileTemplate } from './compiler.js';
export { filterNames } from './filter-types.js';
export { templateFilters, type TemplateFilters } from './filters.js';
export { didYouMean, didYouMeanHint, editDistance } from './did-you-mean.js';
export type { TemplateAst, TemplateNode } from './ast.js';
/** Every syntax-tree type of templates (`TemplateSyntax.PathExpr`, ...), kept apart from the .followup AST's names. */
export type * as TemplateSyntax from './ast.js';
