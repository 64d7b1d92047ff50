// Reading event schemas off the AST: field types, an event's fields, the event a rule is about.
import type { AstNode } from 'langium';
import { unknownType, type FieldView, type FuType, type PrimitiveTypeName } from '@followup/template';
import {
    isEvent, isField, isListType, isPrimitiveType, isRecordTypeRef, isRule,
    type Event, type Field, type Profile, type RecordType, type Rule, type TypeRef
} from '../generated/ast.js';

export function typeOfTypeRef(ref: TypeRef | undefined): FuType {
    if (!ref) return unknownType;
    if (isPrimitiveType(ref)) return { kind: 'primitive', name: ref.name as PrimitiveTypeName };
    if (isListType(ref)) return { kind: 'list', element: typeOfTypeRef(ref.element) };
    if (isRecordTypeRef(ref)) {
        const record = ref.record?.ref;
        return record ? recordType(record) : unknownType;
    }
    return unknownType;
}

export function recordType(record: RecordType): FuType {
    return { kind: 'record', name: record.name, fields: () => record.fields.map(fieldView) };
}

export function fieldView(field: Field): FieldView {
    return { name: field.name, type: typeOfTypeRef(field.type), optional: field.optional, declaration: field };
}

export function declaredFields(owner: Event | Profile | undefined): Field[] {
    return owner ? owner.members.filter(isField) : [];
}

export function fieldViews(owner: Event | Profile | undefined): FieldView[] {
    return declaredFields(owner).map(fieldView);
}

/** The record type holding an event's (or the profile's) fields, for path resolution. */
export function schemaType(owner: Event | Profile, name: string): FuType {
    return { kind: 'record', name, fields: () => fieldViews(owner) };
}

/**
 * The event a rule is about: its trigger's event, or for a chained trigger (`when reminder sent ...`)
 * the event of the rule it names. Undefined when unresolved or cyclic.
 */
export function ruleEvent(rule: Rule, seen: Set<Rule> = new Set()): Event | undefined {
    if (seen.has(rule)) return undefined;
    seen.add(rule);
    const source = rule.trigger?.source?.ref;
    if (isEvent(source)) return source;
    if (isRule(source)) return ruleEvent(source, seen);
    return undefined;
}

export function containingRule(node: AstNode | undefined): Rule | undefined {
    for (let n = node; n; n = n.$container) if (isRule(n)) return n;
    return undefined;
}

/** The key field an event or profile declares (`key customerId`), if any. */
export function keyField(owner: Event | Profile | undefined): Field | undefined {
    const decl = owner?.members.find(m => m.$type === 'KeyDecl');
    return decl && decl.$type === 'KeyDecl' ? decl.field?.ref : undefined;
}

/** The fields reachable after a field of this declared type: a record's, or a list's elements'. */
export function fieldsOfTypeRef(ref: TypeRef | undefined): Field[] {
    if (isListType(ref)) return fieldsOfTypeRef(ref.element);
    if (isRecordTypeRef(ref)) return ref.record?.ref?.fields ?? [];
    return [];
}
