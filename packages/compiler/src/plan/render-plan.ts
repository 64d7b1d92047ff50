// The render plan (docs/language.md §8): everything the runtime needs to execute a rule without the source.
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { partTemplate, type Message, type Profile } from '@followup/language';
import { checkTemplate, compileTemplate, type TemplateProgram } from '@followup/template';
import type { RuleIR } from '../ir/rule-ir.js';
import type { ExplainQuery } from '../sql/explain-query.js';
import type { DerivedIndex } from '../sql/derived-indexes.js';
import type { ReportQueries } from '../sql/report-query.js';
import type { RuleQuery } from '../sql/rule-queries.js';

// 2: templates are programs (data the runtime validates), no longer Eta source.
export const planFormat = 'followup.plan/2';

export interface CompiledTemplate {
    /** html bodies are HTML-escaped at every output; subjects and text parts are not. */
    mode: 'html' | 'text';
    /** The template as data (packages/template/src/program.ts): the runtime validates it before rendering. */
    program: TemplateProgram;
    /** The field paths the template reads. */
    reads: string[];
    /** Where the template text came from: `inline` or the template file, relative to the project. */
    from: string;
}

export interface RenderPlan extends Omit<RuleIR, 'derivedName'> {
    format: typeof planFormat;
    derivedName: boolean;
    sourceHash: string;
    templates: Partial<Record<'subject' | 'html' | 'text' | 'title', CompiledTemplate>>;
    /** Every field path any template of the message reads. */
    reads: string[];
    /**
     * selection: who is due; recheck: still due right before sending; explain: one event's verdict,
     * condition by condition; report: what the rule decided and what came of it (docs/measuring.md);
     * indexes: what the queries probe beyond the store's own indexes (created by run and serve when missing).
     */
    queries: { dialect: string; selection: RuleQuery; recheck: RuleQuery; explain: ExplainQuery; report: ReportQueries; indexes: DerivedIndex[] };
}

export function compileMessageTemplates(message: Message, profile: Profile | undefined, projectRoot: string): RenderPlan['templates'] {
    const templates: RenderPlan['templates'] = {};
    for (const part of message.parts) {
        const template = partTemplate(part, profile);
        if (!template || template.source.text === undefined) continue;
        const checked = checkTemplate(template.source.text, template.context);
        templates[part.part as keyof RenderPlan['templates']] = {
            mode: template.mode,
            program: compileTemplate(checked, template.mode),
            reads: checked.reads,
            from: template.source.kind === 'file'
                ? nodePath.relative(projectRoot, template.source.path).split(nodePath.sep).join('/')
                : 'inline',
        };
    }
    return templates;
}

export function buildRenderPlan(
    ir: RuleIR, templates: RenderPlan['templates'], queries: RenderPlan['queries']
): RenderPlan {
    const reads = [...new Set(Object.values(templates).flatMap(t => t?.reads ?? []))].sort();
    const body = { ...ir, templates, reads, queries };
    const sourceHash = 'sha256:' + createHash('sha256').update(JSON.stringify(body)).digest('hex');
    return { format: planFormat, ...ir, sourceHash, templates, reads, queries };
}
