/**
 * Validating an event's `data` (or a profile's) against its declared schema, for `followup import`
 * and for ingestion by `serve` (which answers 400 with every problem's JSON path).
 *
 * The boundary is plain data, not the language's AST: an `EventSchema` lists the fields with their
 * types. The language's `FuType` and `FieldView` (from `fieldViews(event)`) are structurally
 * assignable to `FieldType` and `SchemaField`, so the CLI builds an `EventSchema` straight from a
 * checked project, and the runtime never imports the language.
 *
 * What is checked:
 * - every declared field that is not optional is present (an optional one may be absent or `null`);
 * - each value has its field's type, by the value rules of @followup/values: `string`, `phone` and
 *   `pushToken` are strings; `email` looks like `local@domain.tld` once its blanks are trimmed; `url` is
 *   an absolute http(s) URL; `int` an integer within ±(2^53 − 1); `decimal` a finite number or a decimal
 *   string (`"19.99"`, `".5"`, `"1e3"`); `boolean` true or false; `timestamp` an ISO-8601 instant with a
 *   zone in the years 0001-9999; `date` a real calendar day `yyyy-mm-dd`; `list<T>` an array whose
 *   elements are checked one by one; a `type` a JSON object checked recursively, with the same rules;
 * - fields that are not declared are errors too: a typo in a field name (`firstname` for
 *   `firstName`) would otherwise be stored, silently ignored by every rule and template, and the
 *   real field reported missing only in the message that renders empty.
 *
 * Each problem has the JSON path of the value (`data.items[1].price`) and a message.
 */

import { dateProblem, decimalProblem, describeValue, emailProblem, instantProblem, intProblem, urlProblem } from '@followup/values';

/** The primitive types of the language (docs/language.md §2). */
export type PrimitiveFieldType =
    | 'string' | 'int' | 'decimal' | 'boolean' | 'timestamp' | 'date' | 'email' | 'phone' | 'url' | 'pushToken';

/** A field's type: the language's `FuType` is assignable to it. */
export type FieldType =
    | { readonly kind: 'primitive'; readonly name: PrimitiveFieldType }
    | { readonly kind: 'list'; readonly element: FieldType }
    | { readonly kind: 'record'; readonly name: string; readonly fields: () => readonly SchemaField[] }
    /** A type the checker could not resolve: any value is accepted (a project with errors is refused before). */
    | { readonly kind: 'unknown' };

export interface SchemaField {
    readonly name: string;
    readonly type: FieldType;
    readonly optional: boolean;
}

/** An event's declared data (or the profile's, named `profile`). */
export interface EventSchema {
    /** The event's name (`profile` for the profile). */
    readonly name: string;
    /** What is declared: an event (the default) or the profile; messages say `event 'x'` or `the profile`. */
    readonly kind?: 'event' | 'profile';
    readonly fields: readonly SchemaField[];
    /** The `key` field, when the declaration names one. */
    readonly key?: string;
}

export interface SchemaProblem {
    /** JSON path of the value, from the root given to the validator: `data.items[1].price`. */
    readonly path: string;
    readonly message: string;
}

export type DataValidator = (data: unknown, root?: string) => SchemaProblem[];

/** Stops collecting problems of one value after this many (a list of 10,000 wrong items is one mistake). */
const DEFAULT_MAX_PROBLEMS = 50;

/** Validates `data` against `schema` once; build the validator with `eventDataValidator` to validate many. */
export function validateEventData(schema: EventSchema, data: unknown, root = 'data'): SchemaProblem[] {
    return eventDataValidator(schema)(data, root);
}

/**
 * Compiles `schema` into a function validating one value of it (the root path defaults to `data`).
 * Record types are compiled once each, by name, so recursive types are fine.
 */
export function eventDataValidator(schema: EventSchema, options: { maxProblems?: number } = {}): DataValidator {
    const compiler = new Compiler();
    const check = compiler.object(schema.kind === 'profile' ? 'the profile' : `event '${schema.name}'`, schema.fields);
    const max = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
    return (data, root = 'data') => {
        const problems = new Problems(max);
        check(data, root, problems);
        return problems.list;
    };
}

/** The human name of a type, as written in source: `list<CartItem>`, `decimal`. */
export function fieldTypeName(type: FieldType): string {
    switch (type.kind) {
        case 'primitive': return type.name;
        case 'list': return `list<${fieldTypeName(type.element)}>`;
        case 'record': return type.name;
        case 'unknown': return 'unknown';
    }
}

// ---------------------------------------------------------------------------------------------
// The value rules are @followup/values' (the JSON Schemas of `serve`, import and the SQL guards share
// them); re-exported here for the modules that already import them from this file.
export { describeValue, INSTANT_EXAMPLE, isHttpUrl, isIsoDate, looksLikeEmail, parseInstant } from '@followup/values';

/** `root.key`, or `root["odd key"]` when the key is not an identifier. */
export function childPath(root: string, key: string): string {
    const plain = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key);
    if (root === '') return plain ? key : `[${JSON.stringify(key)}]`;
    return plain ? `${root}.${key}` : `${root}[${JSON.stringify(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The closest of `candidates` to a misspelt `name` (same letters in another case, or 2 edits), if any. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    const lower = name.toLowerCase();
    for (const candidate of candidates) {
        if (candidate.toLowerCase() === lower) return candidate;
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
    }
    const allowed = name.length <= 3 ? 1 : 2;
    return bestDistance <= allowed ? best : undefined;
}

// ---------------------------------------------------------------------------------------------

type Check = (value: unknown, path: string, out: Problems) => void;

class Problems {
    readonly list: SchemaProblem[] = [];
    constructor(private readonly max: number) {}
    get full(): boolean {
        return this.list.length >= this.max;
    }
    add(path: string, message: string): void {
        if (!this.full) this.list.push({ path, message });
    }
}

/** A check from a value rule's `...Problem` function (undefined when the value is fine). */
const rule = (problem: (value: unknown) => string | undefined): Check => (value, path, out) => {
    const message = problem(value);
    if (message !== undefined) out.add(path, message);
};

const primitiveChecks: Record<PrimitiveFieldType, Check> = {
    string: text('a string'),
    phone: text('a phone number (a string)'),
    pushToken: text('a push token (a string)'),
    email: rule(emailProblem),
    url: rule(urlProblem),
    int: rule(intProblem),
    decimal: rule(decimalProblem),
    boolean: (value, path, out) => {
        if (typeof value !== 'boolean') out.add(path, `expected true or false, got ${describeValue(value)}`);
    },
    timestamp: rule(instantProblem),
    date: rule(dateProblem),
};

function text(what: string): Check {
    return (value, path, out) => {
        if (typeof value !== 'string') out.add(path, `expected ${what}, got ${describeValue(value)}`);
    };
}

const anything: Check = () => {};

class Compiler {
    /** Record types by name; a placeholder is set before compiling the fields, for recursive types. */
    private readonly records = new Map<string, Check>();

    type(type: FieldType): Check {
        switch (type.kind) {
            case 'primitive':
                return primitiveChecks[type.name] ?? anything;
            case 'unknown':
                return anything;
            case 'list': {
                const element = this.type(type.element);
                const name = fieldTypeName(type);
                return (value, path, out) => {
                    if (!Array.isArray(value)) {
                        out.add(path, `expected a ${name} (a JSON array), got ${describeValue(value)}`);
                        return;
                    }
                    for (let i = 0; i < value.length && !out.full; i++) element(value[i], `${path}[${i}]`, out);
                };
            }
            case 'record': {
                const known = this.records.get(type.name);
                if (known) return known;
                let compiled: Check | undefined;
                const lazy: Check = (value, path, out) => compiled!(value, path, out);
                this.records.set(type.name, lazy);
                compiled = this.object(`type '${type.name}'`, type.fields());
                return lazy;
            }
        }
    }

    object(owner: string, fields: readonly SchemaField[]): Check {
        const declared = new Map(fields.map(f => [f.name, { field: f, check: this.type(f.type) }]));
        return (value, path, out) => {
            if (!isPlainObject(value)) {
                out.add(path, `expected an object (the fields of ${owner}), got ${describeValue(value)}`);
                return;
            }
            for (const [name, { field, check }] of declared) {
                const v = Object.hasOwn(value, name) ? value[name] : undefined;
                if (v === undefined || v === null) {
                    if (!field.optional) {
                        const what = `required ${fieldTypeName(field.type)} field of ${owner}`;
                        out.add(childPath(path, name), v === null ? `must not be null (${what})` : `missing (${what})`);
                    }
                    continue;
                }
                check(v, childPath(path, name), out);
            }
            for (const key of Object.keys(value)) {
                if (declared.has(key)) continue;
                const near = closestName(key, declared.keys());
                out.add(childPath(path, key), `unknown field: ${owner} declares no '${key}'${near ? `; did you mean '${near}'?` : ''}`);
            }
        };
    }
}

function editDistance(a: string, b: string): number {
    if (Math.abs(a.length - b.length) > 3) return Infinity;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length]!;
}
