// Strings: what the store can keep, and the one set of blanks every trim uses.

/**
 * NUL and lone UTF-16 surrogates: JSON and JavaScript allow them in strings, PostgreSQL's `text` and
 * `jsonb` do not (a NUL is refused, a lone surrogate is silently replaced by U+FFFD on the way in —
 * so two different ids would become one).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = 'contains a NUL character or a lone UTF-16 surrogate, which the store cannot keep';

/** A string PostgreSQL keeps exactly as given: no NUL, no lone surrogate. */
export function isStorableText(text: string): boolean {
    return !UNSTORABLE.test(text);
}

/**
 * The blanks trimmed around addresses (and ids, when asked): every character JavaScript's `trim()`
 * removes (ASCII white space, line terminators, no-break spaces, the Unicode space separators, the
 * byte order mark) and U+0085 (next line). The SQL side trims exactly this set
 * (`btrim(x, <these characters>)`, see `Dialect.trimBlanks`), never PostgreSQL's default of spaces only.
 */
export const BLANK_CHARACTERS =
    '\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

const BLANKS = new Set(BLANK_CHARACTERS);

/** `text` without the blanks of BLANK_CHARACTERS at either end. */
export function trimBlanks(text: string): string {
    let start = 0;
    let end = text.length;
    while (start < end && BLANKS.has(text[start]!)) start++;
    while (end > start && BLANKS.has(text[end - 1]!)) end--;
    return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** ASCII letters lower-cased, nothing else: the same on every engine and in every locale (SQL: `translate`). */
export function lowerAscii(text: string): string {
    return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text;
}

/** A JSON value, briefly, for messages: `"abc"`, `42`, `null`, `an array`, `an object`. */
export function describeValue(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    switch (typeof value) {
        case 'string': {
            const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
            // A cut may leave half a surrogate pair: show it escaped rather than as U+FFFD.
            return JSON.stringify(shown);
        }
        case 'number': return String(value);
        case 'boolean': return String(value);
        case 'object': return 'an object';
        default: return typeof value;
    }
}

/**
 * The order of names and paths in everything followup writes or prints: case-insensitive first,
 * then by UTF-16 code units, so `Apple` sits beside `apple` and ahead of `banana`. Not
 * `localeCompare`: that follows the machine's locale (a compiled project would list its rules in
 * another order under another `LANG`), and its collator costs ~10 ms of a command's start.
 */
export function compareText(a: string, b: string): number {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    if (la !== lb) return la < lb ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}
