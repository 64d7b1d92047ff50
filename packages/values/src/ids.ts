// Ids: event ids, delivery ids, profile keys, the references between records.
import { describeValue, isStorableText, trimBlanks, UNSTORABLE_TEXT_MESSAGE } from './text.js';

/** The longest id, in UTF-16 code units (a btree key must stay well under PostgreSQL's ~2.7 kB). */
export const MAX_ID_LENGTH = 200;

/**
 * Why `value` is not an id, or undefined: an id is a string of 1 to 200 characters, not only blanks,
 * that the store keeps exactly (no NUL, no lone surrogate: PostgreSQL would refuse the first and turn
 * the second into U+FFFD, making two ids one).
 */
export function idProblem(value: unknown): string | undefined {
    if (typeof value !== 'string') return `expected an id (a string of 1 to ${MAX_ID_LENGTH} characters), got ${describeValue(value)}`;
    if (trimBlanks(value) === '') return value === '' ? 'must not be empty' : 'must not be blank';
    if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters long`;
    if (!isStorableText(value)) return UNSTORABLE_TEXT_MESSAGE;
    return undefined;
}

export function isId(value: unknown): value is string {
    return idProblem(value) === undefined;
}
