// Ids: event ids, delivery ids, profile keys, the references between records.
import { describeValue, isStorableText, trimBlanks, UNSTORABLE_TEXT_MESSAGE } from './text.js';

/** The longest id, in UTF-16 code units (a btree key must stay well under PostgreSQL's ~2.7 kB). */
export const MAX_ID_LENGTH = 200;

/**
 * Why `value` is not an id, or undefined: an id is a string of 1 to 200 characters, with no blank
 * (BLANK_CHARACTERS) at either end, that the store keeps and reads back exactly: no NUL, no lone
 * surrogate (PostgreSQL refuses the first and turns the second into U+FFFD, making two ids one), and
 * no leading U+FEFF (the embedded store's reader drops it, as a byte order mark).
 */
export function idProblem(value: unknown): string | undefined {
    if (typeof value !== 'string') return `expected an id (a string of 1 to ${MAX_ID_LENGTH} characters), got ${describeValue(value)}`;
    const trimmed = trimBlanks(value);
    if (trimmed === '') return value === '' ? 'must not be empty' : 'must not be blank';
    if (trimmed !== value) return 'must not begin or end with a blank (a space, a tab, a line break, U+FEFF...)';
    if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters long`;
    if (!isStorableText(value)) return UNSTORABLE_TEXT_MESSAGE;
    return undefined;
}

export function isId(value: unknown): value is string {
    return idProblem(value) === undefined;
}
