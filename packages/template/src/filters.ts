// Run-time helpers and filters called by compiled templates as `it.f.<name>(...)`. Plain functions
// over plain data: no evaluation of anything, no access beyond own properties.

import { formatDateUtc } from './date-format.js';

const hasOwn = Object.prototype.hasOwnProperty;

type Key = string | number;

/** `base[k1][k2]...`, following own properties only (never `constructor`, `__proto__`, ...). */
function get(base: unknown, keys: readonly Key[]): unknown {
    let current = base;
    for (const key of keys) {
        if (current === null || typeof current !== 'object') return undefined;
        if (typeof key === 'number') {
            if (!Array.isArray(current) || !Number.isInteger(key) || key < 0 || !hasOwn.call(current, key)) return undefined;
        } else if (Array.isArray(current) || !hasOwn.call(current, key)) {
            return undefined;
        }
        current = (current as Record<Key, unknown>)[key];
    }
    return current;
}

/** The elements to loop over: a list, or nothing. */
function list(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

const missing = (value: unknown): value is null | undefined => value === null || value === undefined;

/** What an output prints: `null`/`undefined` print nothing, numbers print as JavaScript does. */
function text(value: unknown): string {
    return missing(value) ? '' : String(value);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const htmlSpecial = /[&<>"']/;

function escape(value: unknown): string {
    const s = text(value);
    // Most values have nothing to escape; testing first spares the replace and its callback.
    return htmlSpecial.test(s) ? s.replace(/[&<>"']/g, c => htmlEntities[c]!) : s;
}

/** `#if` on a bare value: false for missing, `false`, 0, NaN, '' and []; true otherwise. */
function truthy(value: unknown): boolean {
    if (missing(value)) return false;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
    if (typeof value === 'string') return value.length > 0;
    if (Array.isArray(value)) return value.length > 0;
    return true;
}

/** Epoch milliseconds of a date or timestamp; a time without zone is UTC. */
function toMillis(value: unknown): number {
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return NaN;
    const withZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
    return Date.parse(withZone);
}

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
type CompareKind = 'number' | 'text' | 'time' | 'bool';

/**
 * A comparison of `#if`, by the kind the checker determined. A missing value equals only another
 * missing value and is neither less nor greater than anything; so is a value that is not a number
 * (or not a date) where one is expected.
 */
function compare(left: unknown, op: Op, right: unknown, kind: CompareKind): boolean {
    if (missing(left) || missing(right)) {
        const both = missing(left) && missing(right);
        return op === '=' ? both : op === '!=' ? !both : false;
    }
    let a: number | string | boolean;
    let b: number | string | boolean;
    switch (kind) {
        case 'number': a = Number(left); b = Number(right); break;
        case 'time': a = toMillis(left); b = toMillis(right); break;
        case 'bool': a = left === true || left === 'true'; b = right === true || right === 'true'; break;
        default: a = String(left); b = String(right);
    }
    if (Number.isNaN(a) || Number.isNaN(b)) return op === '!=';
    switch (op) {
        case '=': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
    }
}

// ---------------------------------------------------------------- the filters of the language
// A missing input stays missing (so that `| default(...)` after them still applies).

function upper(value: unknown): unknown {
    return missing(value) ? value : String(value).toUpperCase();
}

function lower(value: unknown): unknown {
    return missing(value) ? value : String(value).toLowerCase();
}

function trim(value: unknown): unknown {
    return missing(value) ? value : String(value).trim();
}

/** The fallback when the value is missing or the empty string. */
function defaultFilter(value: unknown, fallback: unknown): unknown {
    return missing(value) || value === '' ? fallback : value;
}

function count(value: unknown): number {
    return Array.isArray(value) ? value.length : 0;
}

/** At most `length` characters; when cut, trailing blanks are dropped and '…' appended. */
function truncate(value: unknown, length: number): unknown {
    if (missing(value)) return value;
    const chars = Array.from(String(value));
    if (chars.length <= length) return String(value);
    return `${chars.slice(0, Math.max(0, length)).join('').trimEnd()}…`;
}

/** Formats a date or timestamp in UTC; a value that is not a date prints as it is. */
function date(value: unknown, format: string): unknown {
    if (missing(value)) return value;
    const millis = toMillis(value);
    return Number.isNaN(millis) ? String(value) : formatDateUtc(new Date(millis), String(format));
}

const moneyFormats = new Map<string, Intl.NumberFormat>();
// Intl's format is most of a message's rendering time, and prices repeat: the strings of recent
// amounts are kept per currency (at most this many; the cache starts over when full).
const moneyStrings = new Map<string, Map<number, string>>();
const moneyStringsPerCurrency = 2048;

/** `€120.50`; with an invalid currency code, `120.5 XYZ`; without one, the bare amount. */
function money(value: unknown, currency: unknown): unknown {
    if (missing(value)) return value;
    const amount = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(amount)) return String(value);
    const code = missing(currency) ? '' : String(currency).trim();
    if (code === '') return String(value);
    try {
        let strings = moneyStrings.get(code);
        // -0 formats as "-€0.00", but a Map does not tell it from 0.
        if (Object.is(amount, -0)) strings = undefined;
        const known = strings?.get(amount);
        if (known !== undefined) return known;
        let format = moneyFormats.get(code);
        if (!format) {
            format = new Intl.NumberFormat('en', { style: 'currency', currency: code });
            moneyFormats.set(code, format);
        }
        const formatted = format.format(amount);
        if (Object.is(amount, -0)) return formatted;
        if (!strings || strings.size >= moneyStringsPerCurrency) moneyStrings.set(code, (strings = new Map()));
        strings.set(amount, formatted);
        return formatted;
    } catch {
        return `${String(value)} ${code}`;
    }
}

/** `raw` only changes how the compiler escapes; at run time it is the identity. */
function raw(value: unknown): unknown {
    return value;
}

/** Everything a compiled template may call, passed to Eta as `f`. */
export const templateFilters = Object.freeze({
    get, list, text, escape, truthy, compare,
    upper, lower, trim, default: defaultFilter, count, truncate, date, money, raw,
});

export type TemplateFilters = typeof templateFilters;
