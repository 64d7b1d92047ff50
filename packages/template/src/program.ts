// A compiled template as data: the form a render plan carries and the runtime renders.
//
// Plans are files (`followup compile --out`, soon `run --plans`), so whatever is in them must not be
// able to run code when rendered. Templates therefore cross as a plain-JSON program that the runtime
// checks node by node (`validateProgram`) and turns into closures over the filters of filters.ts
// (`programRenderer`): nothing read from a plan is ever compiled, evaluated or used as a property
// name to look up code. Closures rather than generated source, because they render faster than the
// Eta functions they replaced (bench/render.mjs, bench/README.md) and leave no code generator for a
// crafted plan to aim at.
//
// The compiler (compiler.ts) emits it from a checked template; this module is reached from
// `@followup/template/runtime`, so it must not import the parser or the checker.

import { templateFilters } from './filters.js';

/** A data key: a field name, or a list index. */
export type ProgramKey = string | number;

/**
 * Where a value is read from: the event's data, the profile's, or the element of an enclosing
 * `#each` — `loop` counts the enclosing loops from the outermost (0) — then keys, own properties only.
 */
export type ProgramPath =
    | { kind: 'path'; base: 'event' | 'profile'; keys: ProgramKey[] }
    | { kind: 'path'; base: 'loop'; loop: number; keys: ProgramKey[] };

/** What a filter argument may be: the language's operands. */
export type ProgramOperand =
    | ProgramPath
    | { kind: 'string'; value: string }
    | { kind: 'number'; value: number }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'count'; arg: ProgramPath };

export type ProgramExpr = ProgramOperand | { kind: 'filter'; name: ProgramFilterName; input: ProgramExpr; args: ProgramOperand[] };

export type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** How the checker decided the two sides compare (checker.ts `CompareKind`). */
export type CompareAs = 'number' | 'text' | 'time' | 'bool';

export type ProgramCondition =
    | { kind: 'and' | 'or'; left: ProgramCondition; right: ProgramCondition }
    | { kind: 'not'; operand: ProgramCondition }
    | { kind: 'truthy'; expr: ProgramExpr }
    | { kind: 'compare'; op: CompareOperator; as: CompareAs; left: ProgramExpr; right: ProgramExpr };

export type ProgramNode =
    | { kind: 'text'; value: string }
    /** `escape`: HTML-escaped (html parts, unless `| raw`); decided by the compiler. */
    | { kind: 'output'; escape: boolean; expr: ProgramExpr }
    | { kind: 'each'; list: ProgramPath; body: ProgramNode[] }
    | { kind: 'if'; condition: ProgramCondition; then: ProgramNode[]; else?: ProgramNode[] };

/** A template: its nodes, in order. */
export type TemplateProgram = ProgramNode[];

/**
 * The filters a program may call, with their argument counts: the language's list (filter-types.ts
 * `filterNames`; test/program.test.ts keeps the two equal), fixed here so that no name read from a
 * plan is ever looked up on an object it could reach the prototype of.
 */
const filterArity = new Map([
    ['upper', 0], ['lower', 0], ['trim', 0], ['default', 1], ['count', 0], ['truncate', 1], ['date', 1], ['money', 1], ['raw', 0],
] as const);

export type ProgramFilterName = typeof filterArity extends Map<infer K, unknown> ? K : never;

export const programFilterNames: readonly ProgramFilterName[] = Object.freeze([...filterArity.keys()]);

// ---------------------------------------------------------------- validation

/** Nesting deeper than this is refused: no plan a template compiles to comes near it, and rendering recurses. */
export const maxProgramDepth = 200;
/** Objects (nodes, expressions, conditions) in one program, at most. */
export const maxProgramSize = 200_000;

/** What is wrong with a program, and where: `path` is the JSON path of the offending value. */
export class TemplateProgramError extends Error {
    constructor(readonly path: string, readonly problem: string) {
        super(`Invalid template program at ${path}: ${problem}`);
        this.name = 'TemplateProgramError';
    }
}

declare const validated: unique symbol;
/** A program `validateProgram` accepted. */
export type ValidProgram = TemplateProgram & { readonly [validated]: true };

/**
 * Checks that `value` is a template program and nothing else: only the node kinds and keys above,
 * plain objects and arrays of data properties, the language's filters with their argument counts,
 * loop references to enclosing loops, keys that are strings or non-negative integers, bounded depth
 * and size. Throws a `TemplateProgramError` naming the first problem's JSON path (`at` is the root's).
 * Returns a copy of what it checked, which is what `programRenderer` takes.
 */
export function validateProgram(value: unknown, at = 'program'): ValidProgram {
    return new Validator().nodes(value, at, 0, 0) as ValidProgram;
}

const hasOwn = Object.prototype.hasOwnProperty;
const nodeKinds = ['text', 'output', 'each', 'if'];
const operandKinds = ['path', 'string', 'number', 'boolean', 'count'];
const conditionKinds = ['and', 'or', 'not', 'truthy', 'compare'];
const operators: readonly CompareOperator[] = ['=', '!=', '<', '<=', '>', '>='];
const compareAs: readonly CompareAs[] = ['number', 'text', 'time', 'bool'];

const describe = (value: unknown): string =>
    value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;

const keyPath = (at: string, key: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);

class Validator {
    private size = 0;

    private fail(at: string, problem: string): never {
        throw new TemplateProgramError(at, problem);
    }

    /** The own data properties of a plain object, which must be exactly `required` plus some of `optional`. */
    private record(value: unknown, at: string, depth: number, what: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
        if (depth > maxProgramDepth) this.fail(at, `nested more than ${maxProgramDepth} deep`);
        if (++this.size > maxProgramSize) this.fail(at, `more than ${maxProgramSize} nodes`);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, `expected ${what}, found ${describe(value)}`);
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) this.fail(at, `expected ${what} as a plain object`);
        const fields: Record<string, unknown> = Object.create(null);
        for (const key of Reflect.ownKeys(value)) {
            if (typeof key !== 'string') this.fail(at, 'has a symbol key');
            if (!required.includes(key) && !optional.includes(key)) {
                this.fail(keyPath(at, key), `unknown key ${JSON.stringify(key)} in ${what} (expected ${[...required, ...optional].join(', ')})`);
            }
            const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
            if (!('value' in descriptor)) this.fail(keyPath(at, key), 'is an accessor, not data');
            fields[key] = descriptor.value;
        }
        for (const key of required) if (!hasOwn.call(fields, key)) this.fail(at, `${what} without "${key}"`);
        return fields;
    }

    /** The kind of a node-like object, checked against `kinds`, before its other keys are known. */
    private kind(value: unknown, at: string, what: string, kinds: readonly string[]): string {
        const kind = typeof value === 'object' && value !== null && !Array.isArray(value) && hasOwn.call(value, 'kind')
            ? Object.getOwnPropertyDescriptor(value, 'kind')!.value : undefined;
        if (typeof kind !== 'string' || !kinds.includes(kind)) {
            if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, `expected ${what}, found ${describe(value)}`);
            this.fail(`${at}.kind`, `unknown ${what} kind ${describe(kind)} (expected ${kinds.join(', ')})`);
        }
        return kind;
    }

    private array(value: unknown, at: string, depth: number, what: string): unknown[] {
        if (depth > maxProgramDepth) this.fail(at, `nested more than ${maxProgramDepth} deep`);
        if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) this.fail(at, `expected ${what}, found ${describe(value)}`);
        const items: unknown[] = [];
        for (const key of Reflect.ownKeys(value)) {
            if (key === 'length') continue;
            if (typeof key !== 'string' || String(items.length) !== key) this.fail(at, `has a key ${String(key)} that is not the next index`);
            const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
            if (!('value' in descriptor)) this.fail(`${at}[${key}]`, 'is an accessor, not data');
            items.push(descriptor.value);
        }
        if (items.length !== value.length) this.fail(at, 'has holes');
        return items;
    }

    private string(value: unknown, at: string): string {
        if (typeof value !== 'string') this.fail(at, `expected a string, found ${describe(value)}`);
        return value;
    }

    private boolean(value: unknown, at: string): boolean {
        if (typeof value !== 'boolean') this.fail(at, `expected true or false, found ${describe(value)}`);
        return value;
    }

    private oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[], what: string): T {
        if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
            this.fail(at, `unknown ${what} ${describe(value)} (expected ${allowed.join(', ')})`);
        }
        return value as T;
    }

    // Each method returns a copy made of the values it checked, so that what is rendered is what was
    // validated, whatever the input object does afterwards.

    // ------------------------------------------------------------ nodes

    /** `loops`: how many `#each` enclose the nodes. */
    nodes(value: unknown, at: string, depth: number, loops: number): ProgramNode[] {
        return this.array(value, at, depth, 'a list of template nodes').map((node, i) => this.node(node, `${at}[${i}]`, depth + 1, loops));
    }

    private node(value: unknown, at: string, depth: number, loops: number): ProgramNode {
        switch (this.kind(value, at, 'template node', nodeKinds)) {
            case 'text': {
                const node = this.record(value, at, depth, 'a text node', ['kind', 'value']);
                return { kind: 'text', value: this.string(node.value, `${at}.value`) };
            }
            case 'output': {
                const node = this.record(value, at, depth, 'an output node', ['kind', 'escape', 'expr']);
                return { kind: 'output', escape: this.boolean(node.escape, `${at}.escape`), expr: this.expr(node.expr, `${at}.expr`, depth + 1, loops) };
            }
            case 'each': {
                const node = this.record(value, at, depth, 'an each node', ['kind', 'list', 'body']);
                return { kind: 'each', list: this.path(node.list, `${at}.list`, depth + 1, loops), body: this.nodes(node.body, `${at}.body`, depth + 1, loops + 1) };
            }
            default: {
                const node = this.record(value, at, depth, 'an if node', ['kind', 'condition', 'then'], ['else']);
                const condition = this.condition(node.condition, `${at}.condition`, depth + 1, loops);
                const then = this.nodes(node.then, `${at}.then`, depth + 1, loops);
                if (!hasOwn.call(node, 'else')) return { kind: 'if', condition, then };
                return { kind: 'if', condition, then, else: this.nodes(node.else, `${at}.else`, depth + 1, loops) };
            }
        }
    }

    // ------------------------------------------------------------ conditions

    private condition(value: unknown, at: string, depth: number, loops: number): ProgramCondition {
        const kind = this.kind(value, at, 'condition', conditionKinds);
        switch (kind) {
            case 'and':
            case 'or': {
                const cond = this.record(value, at, depth, 'a condition', ['kind', 'left', 'right']);
                return {
                    kind: kind === 'and' ? 'and' : 'or',
                    left: this.condition(cond.left, `${at}.left`, depth + 1, loops),
                    right: this.condition(cond.right, `${at}.right`, depth + 1, loops),
                };
            }
            case 'not': {
                const cond = this.record(value, at, depth, 'a not condition', ['kind', 'operand']);
                return { kind: 'not', operand: this.condition(cond.operand, `${at}.operand`, depth + 1, loops) };
            }
            case 'truthy': {
                const cond = this.record(value, at, depth, 'a truthy condition', ['kind', 'expr']);
                return { kind: 'truthy', expr: this.expr(cond.expr, `${at}.expr`, depth + 1, loops) };
            }
            default: {
                const cond = this.record(value, at, depth, 'a comparison', ['kind', 'op', 'as', 'left', 'right']);
                return {
                    kind: 'compare',
                    op: this.oneOf(cond.op, `${at}.op`, operators, 'comparison operator'),
                    as: this.oneOf(cond.as, `${at}.as`, compareAs, 'comparison kind'),
                    left: this.expr(cond.left, `${at}.left`, depth + 1, loops),
                    right: this.expr(cond.right, `${at}.right`, depth + 1, loops),
                };
            }
        }
    }

    // ------------------------------------------------------------ expressions

    private expr(value: unknown, at: string, depth: number, loops: number): ProgramExpr {
        if (this.kind(value, at, 'expression', [...operandKinds, 'filter']) !== 'filter') return this.operand(value, at, depth, loops);
        const call = this.record(value, at, depth, 'a filter call', ['kind', 'name', 'input', 'args']);
        const name = this.oneOf(call.name, `${at}.name`, programFilterNames, 'filter');
        const input = this.expr(call.input, `${at}.input`, depth + 1, loops);
        const args = this.array(call.args, `${at}.args`, depth + 1, 'a list of filter arguments');
        const arity = filterArity.get(name)!;
        if (args.length !== arity) this.fail(`${at}.args`, `filter '${name}' takes ${arity} argument${arity === 1 ? '' : 's'}, found ${args.length}`);
        return { kind: 'filter', name, input, args: args.map((arg, i) => this.operand(arg, `${at}.args[${i}]`, depth + 2, loops)) };
    }

    private operand(value: unknown, at: string, depth: number, loops: number): ProgramOperand {
        switch (this.kind(value, at, 'operand', operandKinds)) {
            case 'path':
                return this.path(value, at, depth, loops);
            case 'string':
                return { kind: 'string', value: this.string(this.record(value, at, depth, 'a string literal', ['kind', 'value']).value, `${at}.value`) };
            case 'number': {
                const number = this.record(value, at, depth, 'a number literal', ['kind', 'value']).value;
                if (typeof number !== 'number' || !Number.isFinite(number)) this.fail(`${at}.value`, `expected a finite number, found ${describe(number)}`);
                return { kind: 'number', value: number };
            }
            case 'boolean':
                return { kind: 'boolean', value: this.boolean(this.record(value, at, depth, 'a boolean literal', ['kind', 'value']).value, `${at}.value`) };
            default:
                return { kind: 'count', arg: this.path(this.record(value, at, depth, 'a count', ['kind', 'arg']).arg, `${at}.arg`, depth + 1, loops) };
        }
    }

    private path(value: unknown, at: string, depth: number, loops: number): ProgramPath {
        this.kind(value, at, 'path', ['path']);
        const path = this.record(value, at, depth, 'a path', ['kind', 'base', 'keys'], ['loop']);
        const base = this.oneOf(path.base, `${at}.base`, ['event', 'profile', 'loop'] as const, 'path base');
        const keys = this.array(path.keys, `${at}.keys`, depth + 1, 'a list of keys').map((key, i) => {
            if (typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key) && key >= 0)) return key;
            return this.fail(`${at}.keys[${i}]`, `expected a field name or a list index (an integer ≥ 0), found ${describe(key)}`);
        });
        if (base !== 'loop') {
            if (hasOwn.call(path, 'loop')) this.fail(`${at}.loop`, `a path from the ${base} has no loop index`);
            return { kind: 'path', base, keys };
        }
        const loop = path.loop;
        if (typeof loop !== 'number' || !Number.isInteger(loop) || loop < 0 || loop >= loops) {
            this.fail(`${at}.loop`, loops === 0
                ? `refers to a loop variable (${describe(loop)}) outside any #each`
                : `expected the index of an enclosing #each, 0 to ${loops - 1}, found ${describe(loop)}`);
        }
        return { kind: 'path', base, loop, keys };
    }
}

// ---------------------------------------------------------------- rendering

/** Renders one template for an event's data and its profile's (`{}` when it has none). */
export type ProgramRender = (event: unknown, profile: unknown) => string;

interface Scope {
    readonly d: unknown;
    readonly p: unknown;
    /** The current element of each enclosing loop, outermost first. */
    readonly v: unknown[];
}

type Piece = (scope: Scope) => string;
type Value = (scope: Scope) => unknown;
type Test = (scope: Scope) => boolean;

const { get, list, text, escape, truthy, compare } = templateFilters;

/** The run-time function of each filter, looked up only by a name `validateProgram` accepted. */
const filterFunctions = new Map<ProgramFilterName, (input: unknown, ...args: never[]) => unknown>(
    programFilterNames.map(name => [name, templateFilters[name]]),
);

/**
 * The render function of a validated program. Every piece is a closure over values copied out of the
 * program now, so changing the program afterwards changes nothing.
 */
export function programRenderer(program: ValidProgram): ProgramRender {
    const render = sequence(program, 0);
    return (event, profile) => render({ d: event, p: profile ?? {}, v: [] });
}

/** `loops`: how many `#each` enclose these nodes, the slot the next loop's element goes in. */
function sequence(nodes: readonly ProgramNode[], loops: number): Piece {
    // Text between the dynamic pieces is concatenated in place rather than called for: most of a
    // template is text, and a call per text node cost more than the rest of rendering.
    const texts: string[] = [''];
    const pieces: Piece[] = [];
    for (const node of nodes) {
        if (node.kind === 'text') texts[texts.length - 1] += node.value;
        else {
            pieces.push(piece(node, loops));
            texts.push('');
        }
    }
    const [first] = texts as [string];
    switch (pieces.length) {
        case 0: return () => first;
        case 1: {
            const [a] = pieces as [Piece];
            const [, after] = texts as [string, string];
            return scope => first + a(scope) + after;
        }
        case 2: {
            const [a, b] = pieces as [Piece, Piece];
            const [, t1, t2] = texts as [string, string, string];
            return scope => first + a(scope) + t1 + b(scope) + t2;
        }
        default:
            return scope => {
                let out = first;
                for (let i = 0; i < pieces.length; i++) out += pieces[i]!(scope) + texts[i + 1]!;
                return out;
            };
    }
}

function piece(node: Exclude<ProgramNode, { kind: 'text' }>, loops: number): Piece {
    switch (node.kind) {
        case 'output': {
            const value = expr(node.expr);
            return node.escape ? scope => escape(value(scope)) : scope => text(value(scope));
        }
        case 'each': {
            const items = path(node.list);
            const body = sequence(node.body, loops + 1);
            const slot = loops;
            return scope => {
                let out = '';
                for (const item of list(items(scope))) {
                    scope.v[slot] = item;
                    out += body(scope);
                }
                return out;
            };
        }
        case 'if': {
            const test = condition(node.condition);
            const then = sequence(node.then, loops);
            const otherwise = sequence(node.else ?? [], loops);
            return scope => (test(scope) ? then(scope) : otherwise(scope));
        }
    }
}

function condition(cond: ProgramCondition): Test {
    switch (cond.kind) {
        case 'and': {
            const left = condition(cond.left);
            const right = condition(cond.right);
            return scope => left(scope) && right(scope);
        }
        case 'or': {
            const left = condition(cond.left);
            const right = condition(cond.right);
            return scope => left(scope) || right(scope);
        }
        case 'not': {
            const operand = condition(cond.operand);
            return scope => !operand(scope);
        }
        case 'truthy': {
            const value = expr(cond.expr);
            return scope => truthy(value(scope));
        }
        case 'compare': {
            const left = expr(cond.left);
            const right = expr(cond.right);
            const { op, as } = cond;
            return scope => compare(left(scope), op, right(scope), as);
        }
    }
}

function expr(e: ProgramExpr): Value {
    switch (e.kind) {
        case 'path': return path(e);
        case 'string':
        case 'number':
        case 'boolean': {
            const value = e.value;
            return () => value;
        }
        case 'count': {
            const arg = path(e.arg);
            return scope => templateFilters.count(arg(scope));
        }
        case 'filter': {
            const fn = filterFunctions.get(e.name)! as (input: unknown, ...args: unknown[]) => unknown;
            const input = expr(e.input);
            const args = e.args.map(expr);
            if (args.length === 0) return scope => fn(input(scope));
            if (args.length === 1) {
                const arg = args[0]!;
                return scope => fn(input(scope), arg(scope));
            }
            return scope => fn(input(scope), ...args.map(a => a(scope)));
        }
    }
}

function path(p: ProgramPath): Value {
    const keys = Object.freeze([...p.keys]);
    const base = pathBase(p);
    if (keys.length === 0) return base;
    // One field name is most paths (`firstName`, `item.name`): read as `get` does, without its loop.
    const [key] = keys as [ProgramKey];
    if (keys.length === 1 && typeof key === 'string') {
        if (p.base === 'event') return scope => ownField(scope.d, key);
        if (p.base === 'loop') {
            const slot = p.loop;
            return scope => ownField(scope.v[slot], key);
        }
        return scope => ownField(base(scope), key);
    }
    return scope => get(base(scope), keys);
}

function ownField(value: unknown, key: string): unknown {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && hasOwn.call(value, key)
        ? (value as Record<string, unknown>)[key] : undefined;
}

function pathBase(p: ProgramPath): Value {
    if (p.base !== 'loop') return p.base === 'event' ? scope => scope.d : scope => scope.p;
    const slot = p.loop;
    return scope => scope.v[slot];
}
