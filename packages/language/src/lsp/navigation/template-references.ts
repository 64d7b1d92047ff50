// Field references inside `{{ }}`: the template checker knows which declared field each path
// segment names; here they become locations in the .followup file (inline parts, through string
// escapes and `"""` dedent) or in the template file.
import { AstUtils } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Location, Range } from 'vscode-languageserver-types';
import { checkTemplate } from '@followup/template';
import {
    isEvent, isField, isListType, isProfile, isRecordType, isRecordTypeRef, type Field, type Profile, type RecordType, type TypeRef,
} from '../../generated/ast.js';
import { declaredFields } from '../../model/schema.js';
import { workspaceTemplates, type TemplateFilter, type WorkspaceTemplate } from './template-sources.js';

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

/** The field references in the workspace's templates (those `where` keeps). */
export function templateFieldReferences(shared: LangiumSharedServices, where?: TemplateFilter): TemplateFieldReference[] {
    const out: TemplateFieldReference[] = [];
    for (const t of workspaceTemplates(shared, { where })) {
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
    return templateFieldReferences(shared, (_, templateUri) => templateUri === uri).filter(r => r.location.uri === uri && r.start <= offset && offset <= r.end);
}

/** Every use of a field in templates: only the templates of messages whose event can reach the field are checked. */
export function templateReferencesTo(shared: LangiumSharedServices, field: Field): TemplateFieldReference[] {
    const events = eventsReaching(shared, field);
    return templateFieldReferences(shared, message => events.has(message.event?.ref)).filter(r => r.field === field);
}

/** The events whose data can hold the field: its own event, events targeting the profile, events with a field of its record type (at any depth). */
function eventsReaching(shared: LangiumSharedServices, field: Field): Set<unknown> {
    const owner = field.$container;
    const events = shared.workspace.IndexManager.allElements('Event').map(d => d.node).filter(isEvent).toArray();
    if (isEvent(owner)) return new Set([owner]);
    const profileReaches = isProfile(owner) || reachesRecord(declaredFields(shared.workspace.IndexManager.allElements('Profile').map(d => d.node).find(isProfile) as Profile | undefined).map(f => f.type), owner as RecordType);
    return new Set(events.filter(e => (profileReaches && e.targetsProfile) || (isRecordType(owner) && reachesRecord(declaredFields(e).map(f => f.type), owner))));
}

function reachesRecord(types: (TypeRef | undefined)[], record: RecordType, seen = new Set<RecordType>()): boolean {
    return types.some(type => {
        if (isListType(type)) return reachesRecord([type.element], record, seen);
        if (!isRecordTypeRef(type)) return false;
        const target = type.record?.ref;
        if (!target || seen.has(target)) return false;
        if (target === record) return true;
        seen.add(target);
        return reachesRecord(target.fields.map(f => f.type), record, seen);
    });
}
