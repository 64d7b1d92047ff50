// The semantic types of the language, independent of the AST so that the template checker, the
// compiler and the editor can all reason about values without knowing how they were declared.

export type PrimitiveTypeName =
    | 'string' | 'int' | 'decimal' | 'boolean' | 'timestamp' | 'date' | 'email' | 'phone' | 'url' | 'pushToken';

export const primitiveTypeNames: readonly PrimitiveTypeName[] = [
    'string', 'int', 'decimal', 'boolean', 'timestamp', 'date', 'email', 'phone', 'url', 'pushToken'
];

export interface FieldView {
    readonly name: string;
    readonly type: FuType;
    readonly optional: boolean;
    /** Where the field is declared, for go-to-definition; opaque to this module. */
    readonly declaration?: unknown;
}

export type FuType =
    | { readonly kind: 'primitive'; readonly name: PrimitiveTypeName }
    | { readonly kind: 'list'; readonly element: FuType }
    | { readonly kind: 'record'; readonly name: string; readonly fields: () => readonly FieldView[] }
    | { readonly kind: 'unknown' };

export const unknownType: FuType = { kind: 'unknown' };

export function primitive(name: PrimitiveTypeName): FuType {
    return { kind: 'primitive', name };
}

/** Human-readable type, as written in source: `list<CartItem>`, `decimal`. */
export function typeToString(type: FuType): string {
    switch (type.kind) {
        case 'primitive': return type.name;
        case 'list': return `list<${typeToString(type.element)}>`;
        case 'record': return type.name;
        case 'unknown': return 'unknown';
    }
}

/** Types whose values are text (compared, filtered and stored as strings). */
export function isTextual(type: FuType): boolean {
    return type.kind === 'primitive' && ['string', 'email', 'phone', 'url', 'pushToken'].includes(type.name);
}

export function isNumeric(type: FuType): boolean {
    return type.kind === 'primitive' && (type.name === 'int' || type.name === 'decimal');
}

export function isTemporal(type: FuType): boolean {
    return type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'date');
}

export function isBoolean(type: FuType): boolean {
    return type.kind === 'primitive' && type.name === 'boolean';
}

export function isList(type: FuType): type is Extract<FuType, { kind: 'list' }> {
    return type.kind === 'list';
}

export function fieldOf(type: FuType, name: string): FieldView | undefined {
    return type.kind === 'record' ? type.fields().find(f => f.name === name) : undefined;
}
