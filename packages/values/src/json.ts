// Whole JSON values (an event's data, a record): what the store keeps exactly as given.
import { isStorableNumber, NON_FINITE_NUMBER_MESSAGE } from './numbers.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './text.js';

/** Steps from the root: keys and array indexes. */
export type ValuePath = (string | number)[];

export interface ValueProblem {
    path: ValuePath;
    message: string;
}

/** Deeper values are refused: nothing a declaration describes nests this deep, and jsonb has a stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * What in `value` (parsed JSON) the store cannot keep exactly: strings and keys with a NUL or a lone
 * surrogate, numbers that are not finite (`1e400`), nesting deeper than MAX_JSON_DEPTH. At most `max`
 * problems; an empty list when all of it can be stored. Iterative: no depth overflows the stack.
 */
export function storableJsonProblems(value: unknown, max = 50): ValueProblem[] {
    const problems: ValueProblem[] = [];
    const stack: { value: unknown; path: ValuePath }[] = [{ value, path: [] }];
    while (stack.length > 0 && problems.length < max) {
        const { value: v, path } = stack.pop()!;
        if (typeof v === 'string') {
            if (!isStorableText(v)) problems.push({ path, message: UNSTORABLE_TEXT_MESSAGE });
        } else if (typeof v === 'number') {
            if (!isStorableNumber(v)) problems.push({ path, message: NON_FINITE_NUMBER_MESSAGE });
        } else if (typeof v === 'object' && v !== null) {
            if (path.length >= MAX_JSON_DEPTH) {
                problems.push({ path, message: `nested more than ${MAX_JSON_DEPTH} levels deep` });
                continue;
            }
            const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
            for (let i = entries.length - 1; i >= 0; i--) {
                const [key, item] = entries[i]!;
                if (typeof key === 'string' && !isStorableText(key)) {
                    problems.push({ path: [...path, key], message: `this key ${UNSTORABLE_TEXT_MESSAGE}` });
                    continue;
                }
                stack.push({ value: item, path: [...path, key] });
            }
        }
    }
    return problems;
}

/** `/data/items/1/price` (RFC 6901). */
export function jsonPointer(path: readonly (string | number)[]): string {
    return path.map((step) => `/${String(step).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** `data.items[1].price`; keys that are not identifiers as `["odd key"]`. */
export function dottedPath(root: string, path: readonly (string | number)[]): string {
    let out = root;
    for (const step of path) {
        if (typeof step === 'number') out += `[${step}]`;
        else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step)) out += out === '' ? step : `.${step}`;
        else out += `[${JSON.stringify(step)}]`;
    }
    return out;
}
