// What a path typed so far (`items[0].`, `profile.`, `item.`) names, in the semantic types, so that
// completion can list the fields that may follow. Shared by rule conditions and `{{ }}` templates:
// both walk a record's fields, and a list's elements' fields after a `.`.
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import { type FieldView, type FuType, fieldOf, typeToString } from '@followup/template';

export interface WrittenSegment {
    name: string;
    indexed: boolean;
}

const segmentPattern = /^(`?)([A-Za-z_][A-Za-z0-9_]*)\1\s*(\[\s*\d+\s*\])?$/;

/**
 * The complete segments of the path that ends right before `text`'s end with a `.` (and an
 * optional partial name), e.g. `... and items[0].na` → items[0]; undefined when no `.` precedes.
 */
export function segmentsBeforeDot(text: string): WrittenSegment[] | undefined {
    const match = /((?:`?[A-Za-z_][A-Za-z0-9_]*`?\s*(?:\[\s*\d+\s*\])?\s*\.\s*)+)`?[A-Za-z0-9_]*$/.exec(text);
    if (!match) return undefined;
    const segments: WrittenSegment[] = [];
    for (const raw of match[1]!.split('.').map(s => s.trim()).filter(s => s !== '')) {
        const m = segmentPattern.exec(raw);
        if (!m) return undefined;
        segments.push({ name: m[2]!, indexed: m[3] !== undefined });
    }
    return segments;
}

/** The type reached by walking `segments` from `root` (the first segment's type). Lists are walked through, as the scope provider does. */
export function walkSegments(root: FuType | undefined, rest: readonly WrittenSegment[], firstIndexed: boolean): FuType | undefined {
    let type = root && firstIndexed && root.kind === 'list' ? root.element : root;
    for (const segment of rest) {
        if (!type) return undefined;
        if (type.kind === 'list') type = type.element;
        const field = fieldOf(type, segment.name);
        if (!field) return undefined;
        type = field.type;
        if (segment.indexed && type.kind === 'list') type = type.element;
    }
    return type;
}

/** The fields one may write after a `.` on a value of this type. */
export function fieldsAfterDot(type: FuType | undefined): readonly FieldView[] {
    if (!type) return [];
    const target = type.kind === 'list' ? type.element : type;
    return target.kind === 'record' ? target.fields() : [];
}

export function fieldDetail(field: FieldView): string {
    return `${typeToString(field.type)}${field.optional ? '?' : ''}`;
}

/** A completion item for a field: its type as the detail, fields sorted before other names. */
export function fieldItem(field: FieldView, owner: string): CompletionItem {
    return {
        label: field.name,
        kind: CompletionItemKind.Field,
        detail: fieldDetail(field),
        documentation: `Field of ${owner}`,
        sortText: `0_${field.name}`,
    };
}
