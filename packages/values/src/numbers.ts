// Numbers: JSON numbers (finite doubles), and decimals and integers as the SQL guards read them.
import { describeValue } from './text.js';

/**
 * A decimal written as a string (amounts beyond a double's precision): optional sign, digits with an
 * optional point (`5`, `5.`, `.5`, `-0.25`), an optional exponent of at most three digits. Written so
 * that JavaScript, JSON Schema (ajv) and PostgreSQL's regular expressions read it the same way; the
 * SQL guard casts to `numeric` exactly the strings it matches (and that are at most
 * MAX_DECIMAL_TEXT_LENGTH long), so no stored value can make the cast fail.
 */
export const DECIMAL_TEXT_PATTERN = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$';

/** Longer decimal strings are refused: PostgreSQL's numeric has finite precision (and it bounds the work). */
export const MAX_DECIMAL_TEXT_LENGTH = 1000;

const DECIMAL_TEXT = new RegExp(DECIMAL_TEXT_PATTERN);

export function isDecimalText(text: string): boolean {
    return text.length <= MAX_DECIMAL_TEXT_LENGTH && DECIMAL_TEXT.test(text);
}

/**
 * A JSON number the store keeps: finite. (`1e400` parses to Infinity in JavaScript, and would be
 * stored as `null`.) Every finite double is within PostgreSQL's numeric.
 */
export function isStorableNumber(value: number): boolean {
    return Number.isFinite(value);
}

export const NON_FINITE_NUMBER_MESSAGE = 'is not a finite number (too large for a double): write it as a decimal string, or check the value';

/** Why `value` is not a `decimal` (a finite number, or a decimal string), or undefined. */
export function decimalProblem(value: unknown): string | undefined {
    if (typeof value === 'number' ? isStorableNumber(value) : typeof value === 'string' && isDecimalText(value)) return undefined;
    return `expected a decimal (a number, or a numeric string such as "19.99"), got ${describeValue(value)}`;
}

/** Why `value` is not an `int` (an integer within ±(2^53 − 1), exact in a double), or undefined. */
export function intProblem(value: unknown): string | undefined {
    return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : `expected an integer, got ${describeValue(value)}`;
}
