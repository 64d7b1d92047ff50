// `{{ }}` expressions inside inline message parts, positioned in the .followup file.
// Template files are checked by the workspace (their diagnostics belong to those files).
import { AstUtils, type ValidationAcceptor } from 'langium';
import { checkTemplate } from '@followup/template';
import type { MessagePart } from '../generated/ast.js';
import { partTemplate } from '../model/message-templates.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode, type DiagnosticCodeValue } from './codes.js';
import { report } from './report.js';

export class TemplateChecks {
    constructor(private readonly scopes: FollowupScopeProvider) {}

    checkPart = (part: MessagePart, accept: ValidationAcceptor): void => {
        if (!part.$container.event?.ref) return;
        const template = partTemplate(part, this.scopes.profile());
        if (!template) return;
        if (template.source.kind === 'file') {
            if (template.source.text === undefined) {
                report(accept, 'error', DiagnosticCode.TemplateFileNotFound, `Template file not found: ${part.file}`,
                    { node: part, property: 'file' }, `Looked for ${template.source.path} (paths are relative to this .followup file)`);
            }
            return;
        }
        const { sourceOffset } = template.source;
        const document = AstUtils.getDocument(part).textDocument;
        for (const d of checkTemplate(template.source.text, template.context).diagnostics) {
            const range = { start: document.positionAt(sourceOffset(d.start)), end: document.positionAt(sourceOffset(d.end)) };
            report(accept, d.severity, d.code as DiagnosticCodeValue, d.message, { node: part, range }, d.hint);
        }
    };
}

