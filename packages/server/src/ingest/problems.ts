// Validation errors as the API reports them: one `{ path, message }` per invalid value, the path a
// JSON Pointer into the request body (`/data/items/0/price`; `/3/data/email` in a batch).
import { describeValue, idProblem, jsonPointer, storableJsonProblems } from '@followup/values';

export interface Problem {
    path: string;
    message: string;
}

/** The fields of an ajv error this module reads (fastify puts ajv's errors in `error.validation`). */
export interface AjvErrorLike {
    keyword: string;
    instancePath: string;
    schemaPath: string;
    params: Record<string, unknown>;
    message?: string;
    data?: unknown;
    parentSchema?: Record<string, unknown>;
}

const FORMAT_MESSAGES: Record<string, string> = {
    email: 'expected an email address',
    uri: 'expected an absolute http(s) URL',
    'date-time': 'expected an ISO-8601 instant with a time zone, such as "2026-11-20T10:00:00Z"',
    date: 'expected a date written yyyy-mm-dd',
};

/** ajv's errors (with `verbose: true`, so each carries the value) → problems, one per path and reason. */
export function problemsFromAjv(errors: readonly AjvErrorLike[], prefix = ''): Problem[] {
    const problems: Problem[] = [];
    const seen = new Set<string>();
    const add = (path: string, message: string) => {
        const key = `${path}\u0000${message}`;
        if (!seen.has(key)) {
            seen.add(key);
            problems.push({ path: prefix + path, message });
        }
    };
    // An optional record field is `anyOf: [null, record]`: its "must be null" branch and the anyOf
    // summary say nothing the record's own errors do not.
    const nullBranch = errors.some((e) => e.keyword === 'anyOf');
    for (const e of errors) {
        if (e.keyword === 'anyOf') continue;
        if (nullBranch && e.keyword === 'type' && /\/anyOf\/0\/type$/.test(e.schemaPath) && e.params['type'] === 'null') continue;
        add(...describe(e));
    }
    return problems;
}

function describe(e: AjvErrorLike): [string, string] {
    const got = `got ${describeValue(e.data)}`;
    switch (e.keyword) {
        case 'required':
            return [`${e.instancePath}/${escapePointer(String(e.params['missingProperty']))}`, 'missing (a required field)'];
        case 'additionalProperties':
            return [`${e.instancePath}/${escapePointer(String(e.params['additionalProperty']))}`, 'unknown field: not declared'];
        case 'format':
            return [e.instancePath, `${FORMAT_MESSAGES[String(e.params['format'])] ?? `expected the format ${String(e.params['format'])}`}, ${got}`];
        case 'type':
            return [e.instancePath, `expected ${typeWords(e.params['type'])}, ${got}`];
        case 'pattern':
            return [e.instancePath, `expected a decimal (a number, or a numeric string such as "19.99"), ${got}`];
        case 'minimum':
        case 'maximum':
            return [e.instancePath, `expected an integer within ±2^53, ${got}`];
        case 'enum':
            return [e.instancePath, `expected one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, ${got}`];
        case 'const':
            return [e.instancePath, `expected ${JSON.stringify(e.params['allowedValue'])}, ${got}`];
        case 'minLength':
            return [e.instancePath, 'must not be empty'];
        case 'maxLength':
            return [e.instancePath, `must be at most ${String(e.params['limit'])} characters long`];
        default:
            return [e.instancePath, e.message ?? `invalid (${e.keyword})`];
    }
}

const TYPE_WORDS: Record<string, string> = {
    string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false',
    object: 'an object', array: 'an array', null: 'null',
};

function typeWords(type: unknown): string {
    const types = (Array.isArray(type) ? type : String(type).split(',')).map(String).filter((t) => t !== 'null');
    if (types.length === 2 && types.includes('number') && types.includes('string')) return 'a decimal (a number, or a numeric string)';
    return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

export function escapePointer(key: string): string {
    return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * What in a request body the store cannot keep exactly (@followup/values: NUL, lone surrogates,
 * numbers that are not finite, nesting too deep), as problems with JSON Pointers under `prefix`.
 */
export function unstorableProblems(body: unknown, prefix = '', max = 1000): Problem[] {
    return storableJsonProblems(body, max).map((p) => ({ path: prefix + jsonPointer(p.path), message: p.message }));
}

/** An event envelope's values the store cannot keep, and its `id` when it is not an id by the id rule. */
export function envelopeProblems(envelope: unknown, prefix = '', max = 1000): Problem[] {
    const problems = unstorableProblems(envelope, prefix, max);
    const id = (envelope as { id?: unknown } | null)?.id;
    const idMessage = id === undefined ? undefined : idProblem(id);
    if (idMessage !== undefined && !problems.some((p) => p.path === `${prefix}/id`)) problems.unshift({ path: `${prefix}/id`, message: idMessage });
    return problems;
}
