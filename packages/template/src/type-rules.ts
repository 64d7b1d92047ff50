// How the template language sees the semantic types: which values compare with which, and which
// can be printed.

import { type FuType, isBoolean, isNumeric, isTemporal, isTextual } from './fu-type.js';

/** Values of one class compare with each other; `time` values also compare with date strings. */
export type ValueClass = 'number' | 'text' | 'time' | 'bool';

export function valueClass(type: FuType): ValueClass | undefined {
    if (isNumeric(type)) return 'number';
    if (isTextual(type)) return 'text';
    if (isTemporal(type)) return 'time';
    if (isBoolean(type)) return 'bool';
    return undefined;
}

/** A single printable value: not a list, not a record. */
export function isScalar(type: FuType): boolean {
    return type.kind === 'primitive';
}

export function isKnown(type: FuType): boolean {
    return type.kind !== 'unknown';
}

/** `2024-05-01`, `2024-05-01T09:30`, `2024-05-01T09:30:00Z`, `2024-05-01 09:30:00+02:00`. */
export function isDateLiteral(value: string): boolean {
    return /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
        && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
}
