// Phone numbers (docs/language.md §2): a `phone` value is kept and compared in E.164 (`+33622222222`),
// so an SMS opt-out recorded as `+33622222222` suppresses data holding `+33 6 22 22 22 22`. Numbers
// written without a country code (`06 22 22 22 22`) are read in the project's default region
// (`phoneRegion` in followup.config.json); without one, they must start with `+`.
// libphonenumber-js (Google's libphonenumber metadata) knows each country's prefixes and lengths.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ValuePath, ValueProblem } from './json.js';
import { describeValue, isStorableText, trimBlanks } from './text.js';

/** A two-letter region libphonenumber knows (`FR`, `US`), or undefined. */
export function phoneRegion(text: string | undefined): CountryCode | undefined {
    return text !== undefined && isSupportedCountry(text) ? (text as CountryCode) : undefined;
}

/** The number in E.164 (`+33622222222`), or undefined when it is not a phone number of a possible length. */
export function e164(text: string, region?: string): string | undefined {
    if (!isStorableText(text) || text.length > 64) return undefined;
    const parsed = parsePhoneNumberFromString(trimBlanks(text), phoneRegion(region));
    return parsed?.isPossible() ? parsed.number : undefined;
}

/** Why `value` is not a phone number (read in `region` when it has no country code), or undefined. */
export function phoneProblem(value: unknown, region?: string): string | undefined {
    if (typeof value === 'string' && e164(value, region) !== undefined) return undefined;
    const how = phoneRegion(region)
        ? `with its country code (+44 20 7946 0958) or as dialled in ${region} (the project's phoneRegion)`
        : 'with its country code (+33 6 22 22 22 22), or set phoneRegion in followup.config.json to read local numbers';
    return `expected a phone number ${how}, got ${describeValue(value)}`;
}

/** A step of a path to the phone fields of an event: a field name, or `*` for every element of a list. */
export type PhonePath = readonly (string | '*')[];

/**
 * Rewrites every phone number at `paths` inside `data` to E.164, in place; returns the problems (a
 * value that is not a phone number), each with its path inside `data`. Missing values are left alone.
 */
export function normalisePhonesAt(data: unknown, paths: readonly PhonePath[], region: string | undefined): ValueProblem[] {
    const problems: ValueProblem[] = [];
    const visit = (holder: Record<string, unknown> | unknown[], key: string | number, rest: PhonePath, at: ValuePath): void => {
        const value = (holder as Record<string | number, unknown>)[key];
        if (value === undefined || value === null) return;
        if (rest.length === 0) {
            const normal = typeof value === 'string' ? e164(value, region) : undefined;
            if (normal === undefined) problems.push({ path: at, message: phoneProblem(value, region)! });
            else (holder as Record<string | number, unknown>)[key] = normal;
            return;
        }
        walk(value, rest, at);
    };
    const walk = (value: unknown, path: PhonePath, at: ValuePath): void => {
        const [step, ...rest] = path;
        if (step === '*') {
            if (Array.isArray(value)) value.forEach((_, i) => visit(value, i, rest, [...at, i]));
        } else if (step !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, step)) {
            visit(value as Record<string, unknown>, step, rest, [...at, step]);
        }
    };
    for (const path of paths) walk(data, path, []);
    return problems;
}

/** A declared field, as the language's FieldView and the runtime's SchemaField both are. */
export interface TypedField {
    readonly name: string;
    readonly type: FieldShape;
}
type FieldShape =
    | { readonly kind: 'primitive'; readonly name: string }
    | { readonly kind: 'list'; readonly element: FieldShape }
    | { readonly kind: 'record'; readonly name: string; readonly fields: () => readonly TypedField[] }
    | { readonly kind: 'unknown' };

/** Where the `phone` values of data with these fields are: `phone`, `contacts.*.mobile`, ... */
export function phonePaths(fields: readonly TypedField[], within: readonly string[] = []): PhonePath[] {
    const paths: PhonePath[] = [];
    const add = (type: FieldShape, path: PhonePath): void => {
        if (type.kind === 'primitive' && type.name === 'phone') paths.push(path);
        else if (type.kind === 'list') add(type.element, [...path, '*']);
        // A record type inside itself (a tree) is followed once per path.
        else if (type.kind === 'record' && !within.includes(type.name)) paths.push(...phonePaths(type.fields(), [...within, type.name]).map(p => [...path, ...p]));
    };
    for (const field of fields) add(field.type, [field.name]);
    return paths;
}
