// Field references inside `{{ }}`: the template checker knows which declared field each path
// segment names; here they become locations in the .followup file (inline parts, through string
// escapes and `"""` dedent) or in the template file.
import { AstUtils } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Location, Range } from 'vscode-languageserver-types';
import { isField, type Field } from '../../generated/ast.js';
import { checkTemplate } from '../../template/index.js';
import { workspaceTemplates, type WorkspaceTemplate } from './template-sources.js';

export interface TemplateFieldReference {
    field: Field;
    location: Location;
    /** Offsets of the name in the document at `location.uri`. */
    start: number;
    end: number;
    /** The message whose template this is. */
    from: WorkspaceTemplate;
}

function rangeIn(t: WorkspaceTemplate, start: number, end: number): Range | undefined {
    if (t.fileDocument) return { start: t.fileDocument.positionAt(start), end: t.fileDocument.positionAt(end) };
    const { textDocument } = AstUtils.getDocument(t.message);
    return { start: textDocument.positionAt(start), end: textDocument.positionAt(end) };
}

/** Every field reference in every template of the workspace. */
export function templateFieldReferences(shared: LangiumSharedServices): TemplateFieldReference[] {
    const out: TemplateFieldReference[] = [];
    for (const t of workspaceTemplates(shared)) {
        const text = t.template.source.text;
        if (text === undefined) continue;
        for (const ref of checkTemplate(text, t.template.context).references) {
            const field = ref.field.declaration;
            if (!isField(field)) continue;
            const start = t.sourceOffset(ref.start);
            const end = t.sourceOffset(ref.end);
            const range = rangeIn(t, start, end);
            if (range) out.push({ field, location: { uri: t.uri, range }, start, end, from: t });
        }
    }
    return out;
}

/** The template references at an offset of a document (a .followup file or a template file). */
export function templateReferencesAt(shared: LangiumSharedServices, uri: string, offset: number): TemplateFieldReference[] {
    return templateFieldReferences(shared).filter(r => r.location.uri === uri && r.start <= offset && offset <= r.end);
}

export function templateReferencesTo(shared: LangiumSharedServices, field: Field): TemplateFieldReference[] {
    return templateFieldReferences(shared).filter(r => r.field === field);
}
