// Type checking of a parsed template against the event's fields (and the profile's): paths,
// filters, comparisons, loops. Also collects what the template reads and where it refers to fields.

import {
    type FieldView, type FuType, isList, isNumeric, isTemporal, primitive, typeToString, unknownType,
} from './fu-type.js';
import type {
    CompareCond, Condition, EachNode, Expr, InvalidExpr, PathExpr, PathSegment, Span, TemplateAst, TemplateNode,
} from './ast.js';
import { didYouMeanHint } from './did-you-mean.js';
import { errorAt, TemplateCodes, type TemplateDiagnostic } from './diagnostics.js';
import { checkFilter, filterNames, isFilterName, type TypedArg } from './filter-types.js';
import { parseTemplate } from './parse-template.js';
import { isDateLiteral, isKnown, isScalar, type ValueClass, valueClass } from './type-rules.js';

export interface TemplateContext {
    /** The event's fields: the root scope. */
    fields: readonly FieldView[];
    /** Present only when the event targets a profile: `profile.x`. */
    profileFields?: readonly FieldView[];
    /** `html`: every output is HTML-escaped unless `| raw`. */
    mode: 'html' | 'text';
    /** The event's name, for messages: "Unknown field 'x' on event 'cartAbandonment'". */
    eventName?: string;
}

export interface TemplateReference {
    start: number;
    end: number;
    field: FieldView;
    /** The field's path as in `reads`: `items[].name`, `profile.country`. */
    path: string;
}

/** Where a path's value comes from at run time: `it.d`, `it.p` or a loop variable, then keys. */
export interface PathResolution {
    base: { kind: 'event' } | { kind: 'profile' } | { kind: 'loop'; id: string };
    keys: (string | number)[];
}

/** How a comparison compares its operands at run time. */
export type CompareKind = ValueClass;

/** What the compiler needs beyond the tree; filled by the checker for every valid node. */
export interface TemplateResolution {
    paths: Map<PathExpr, PathResolution>;
    /** The JavaScript identifier of each loop's variable: `_v0`, `_v1`, ... */
    loops: Map<EachNode, string>;
    compares: Map<CompareCond, CompareKind>;
}

export interface CheckedTemplate {
    ast: TemplateAst;
    diagnostics: TemplateDiagnostic[];
    /** Sorted unique field paths read: `cartTotal`, `items`, `items[].name`, `profile.country`. */
    reads: string[];
    /** Each path segment that resolved to a declared field. */
    references: TemplateReference[];
    resolution: TemplateResolution;
}

export function checkTemplate(text: string, ctx: TemplateContext): CheckedTemplate {
    const parsed = parseTemplate(text);
    const checker = new Checker(text, ctx);
    checker.nodes(parsed.ast.body);
    const diagnostics = [...parsed.diagnostics, ...checker.diagnostics].sort((a, b) => a.start - b.start || a.end - b.end);
    return {
        ast: parsed.ast,
        diagnostics,
        reads: [...checker.reads].sort(),
        references: checker.references,
        resolution: checker.resolution,
    };
}

interface LoopScope {
    name: string;
    type: FuType;
    /** Read path of the element: `items[]`. */
    path: string;
    id: string;
}

interface Typed {
    type: FuType;
    /** Where a path was resolved: its read path, for messages and loops. */
    path?: string;
}

const { unknownField, notAList, notPrintable, filterType, unknownFilter, incompatibleComparison, operatorMismatch } = TemplateCodes;

class Checker {
    readonly diagnostics: TemplateDiagnostic[] = [];
    readonly reads = new Set<string>();
    readonly references: TemplateReference[] = [];
    readonly resolution: TemplateResolution = { paths: new Map(), loops: new Map(), compares: new Map() };
    private readonly scopes: LoopScope[] = [];
    private loopCount = 0;
    private readonly eventType: FuType;
    private readonly profileType: FuType | undefined;

    constructor(private readonly text: string, private readonly ctx: TemplateContext) {
        this.eventType = { kind: 'record', name: 'event', fields: () => ctx.fields };
        const profileFields = ctx.profileFields;
        this.profileType = profileFields ? { kind: 'record', name: 'profile', fields: () => profileFields } : undefined;
    }

    private report(d: TemplateDiagnostic): void {
        this.diagnostics.push(d);
    }

    private source(node: { start: number; end: number }): string {
        return this.text.slice(node.start, node.end);
    }

    // ------------------------------------------------------------ nodes

    nodes(nodes: readonly TemplateNode[]): void {
        for (const node of nodes) {
            switch (node.kind) {
                case 'text':
                    break;
                case 'output':
                    if (node.expr.kind !== 'invalid') this.output(node.expr);
                    break;
                case 'each':
                    this.each(node);
                    break;
                case 'if':
                    if (node.condition.kind !== 'invalid') this.condition(node.condition);
                    this.nodes(node.then);
                    if (node.else) this.nodes(node.else);
                    break;
            }
        }
    }

    private output(expr: Expr): void {
        const { type } = this.expr(expr);
        if (!isKnown(type) || isScalar(type)) return;
        const shown = this.source(expr);
        const hint = isList(type)
            ? `Use count(${shown}) for how many there are, or {{#each ${shown} as item}} ... {{/each}} to print each one`
            : type.kind === 'record' && type.fields()[0]
                ? `Print one of its fields, e.g. '${shown}.${type.fields()[0]!.name}'`
                : undefined;
        this.report(errorAt(notPrintable, expr.start, expr.end, `Cannot print '${shown}': it is ${typeToString(type)}, not a single value`, hint));
    }

    private each(node: EachNode): void {
        let element: FuType = unknownType;
        let path = '';
        if (node.list.kind !== 'invalid') {
            const list = this.path(node.list);
            if (isList(list.type)) {
                element = list.type.element;
                path = `${list.path}[]`;
            } else if (isKnown(list.type)) {
                this.report(errorAt(notAList, node.list.start, node.list.end,
                    `Cannot loop over '${this.source(node.list)}': it is ${typeToString(list.type)}, not a list`));
            }
        }
        const id = `_v${this.loopCount++}`;
        this.resolution.loops.set(node, id);
        if (node.item) this.scopes.push({ name: node.item.name, type: element, path, id });
        this.nodes(node.body);
        if (node.item) this.scopes.pop();
    }

    // ------------------------------------------------------------ expressions

    private expr(expr: Expr | InvalidExpr): Typed {
        switch (expr.kind) {
            case 'invalid': return { type: unknownType };
            case 'path': return this.path(expr);
            case 'string': return { type: primitive('string') };
            case 'number': return { type: primitive(Number.isInteger(expr.value) && !expr.raw.includes('.') ? 'int' : 'decimal') };
            case 'boolean': return { type: primitive('boolean') };
            case 'count': {
                const arg = this.path(expr.arg);
                if (isKnown(arg.type) && !isList(arg.type)) {
                    this.report(errorAt(filterType, expr.start, expr.start + 'count'.length,
                        `Function 'count' expects a list, but '${this.source(expr.arg)}' is ${typeToString(arg.type)}`));
                }
                return { type: primitive('int') };
            }
            case 'filter': {
                const input = this.expr(expr.input);
                const args: TypedArg[] = expr.args.map(a => ({ expr: a, type: this.expr(a).type, text: this.source(a) }));
                if (!isFilterName(expr.name)) {
                    this.report(errorAt(unknownFilter, expr.nameStart, expr.nameEnd, `Unknown filter '${expr.name}'`,
                        didYouMeanHint(expr.name, filterNames) ?? `Filters: ${filterNames.join(', ')}`));
                    return { type: unknownType };
                }
                return {
                    type: checkFilter({ call: expr, input: input.type, inputText: this.source(expr.input), args, report: d => this.report(d) }),
                };
            }
        }
    }

    /** Resolves a path: loop variables first, then `event.` and `profile.`, then the event's fields. */
    private path(expr: PathExpr): Typed {
        const [first, ...rest] = expr.segments;
        const loop = this.loopVariable(first.name);
        let type: FuType;
        let path: string;
        let base: PathResolution['base'];
        let segments: readonly PathSegment[] = rest;
        if (loop) {
            type = loop.type;
            path = loop.path;
            base = { kind: 'loop', id: loop.id };
        } else if (first.name === 'event') {
            type = this.eventType;
            path = '';
            base = { kind: 'event' };
        } else if (first.name === 'profile' && (this.profileType || !this.ctx.fields.some(f => f.name === 'profile'))) {
            if (!this.profileType) {
                this.report(errorAt(unknownField, first.start, first.end,
                    `The event does not target a profile, so '${this.source(expr)}' is not available`,
                    "Declare the event with 'targeting profile' to use profile fields"));
                return { type: unknownType };
            }
            type = this.profileType;
            path = 'profile';
            base = { kind: 'profile' };
        } else {
            type = this.eventType;
            path = '';
            base = { kind: 'event' };
            segments = expr.segments;
        }

        const keys: (string | number)[] = [];
        // The part of the path before the current segment, for messages.
        let previous: Span | undefined = segments === rest ? first : undefined;
        for (const segment of segments) {
            if (!isKnown(type)) {
                // Nothing is known below an unknown type: no errors, and no reads either.
                return { type: unknownType };
            }
            if (segment.kind === 'index') {
                if (!isList(type)) {
                    const of = this.source({ start: expr.start, end: segment.start });
                    this.report(errorAt(notAList, segment.start, segment.end,
                        `Cannot index '${of}' with ${this.source(segment)}: it is ${typeToString(type)}, not a list`));
                    return { type: unknownType };
                }
                type = type.element;
                path = `${path}[]`;
                keys.push(segment.index);
                previous = segment;
                continue;
            }
            const field = type.kind === 'record' ? type.fields().find(f => f.name === segment.name) : undefined;
            if (!field) {
                this.unknownField(segment.name, segment, type, expr, previous);
                return { type: unknownType };
            }
            path = path === '' ? field.name : `${path}.${field.name}`;
            this.references.push({ start: segment.start, end: segment.end, field, path });
            type = field.type;
            keys.push(field.name);
            previous = segment;
        }
        if (path !== '') this.reads.add(path);
        this.resolution.paths.set(expr, { base, keys });
        return { type, path };
    }

    /** The innermost loop variable of that name. */
    private loopVariable(name: string): LoopScope | undefined {
        for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.name === name) return this.scopes[i];
        return undefined;
    }

    private unknownField(name: string, at: { start: number; end: number }, owner: FuType, expr: PathExpr, previous: { start: number; end: number } | undefined): void {
        const ownerText = previous ? this.source({ start: expr.start, end: previous.end }) : undefined;
        if (owner.kind === 'record') {
            const candidates = owner.fields().map(f => f.name);
            // At the root, loop variables and `event` are names too.
            if (!ownerText) candidates.push(...this.scopes.map(s => s.name), ...(this.profileType ? ['profile'] : []));
            const ownerName = owner === this.eventType && this.ctx.eventName ? `event '${this.ctx.eventName}'` : owner.name;
            this.report(errorAt(unknownField, at.start, at.end, `Unknown field '${name}' on ${ownerName}`, didYouMeanHint(name, candidates)));
            return;
        }
        const hint = isList(owner)
            ? `'${ownerText}' is a list: use {{#each ${ownerText} as item}} ... {{ item.${name} }} ... {{/each}}, or ${ownerText}[0].${name}`
            : `'${ownerText}' is ${typeToString(owner)} and has no fields`;
        this.report(errorAt(unknownField, at.start, at.end, `Unknown field '${name}' on ${typeToString(owner)}`, hint));
    }

    // ------------------------------------------------------------ conditions

    private condition(cond: Condition): void {
        switch (cond.kind) {
            case 'and':
            case 'or':
                this.condition(cond.left);
                this.condition(cond.right);
                return;
            case 'not':
                this.condition(cond.operand);
                return;
            case 'truthy':
                this.expr(cond.expr);
                return;
            case 'compare':
                this.compare(cond);
                return;
        }
    }

    private compare(cond: CompareCond): void {
        const left = this.expr(cond.left).type;
        const right = this.expr(cond.right).type;
        if (!isKnown(left) || !isKnown(right)) return;
        const describe = (e: Expr, t: FuType): string => `${typeToString(t)} '${this.source(e)}'`;

        for (const [e, t] of [[cond.left, left], [cond.right, right]] as const) {
            if (!isScalar(t)) {
                this.report(errorAt(incompatibleComparison, cond.start, cond.end, `Cannot compare ${describe(e, t)}: it is not a single value`,
                    isList(t) ? `Compare count(${this.source(e)}) instead` : undefined));
                return;
            }
        }

        // FU131 is about the type of what is compared (a field, a filtered value): literals only
        // decide it when both sides are literals. A literal of the wrong type is FU130 below.
        const ordering = cond.op !== '=' && cond.op !== '!=';
        if (ordering) {
            const isLiteral = (e: Expr): boolean => e.kind === 'string' || e.kind === 'number' || e.kind === 'boolean';
            const judged = [[cond.left, left], [cond.right, right]].filter(([e]) => !isLiteral(e as Expr)) as [Expr, FuType][];
            for (const [e, t] of judged.length > 0 ? judged : [[cond.left, left] as [Expr, FuType]]) {
                if (!isNumeric(t) && !isTemporal(t)) {
                    this.report(errorAt(operatorMismatch, cond.opStart, cond.opEnd,
                        `Operator '${cond.op}' does not apply to ${describe(e, t)}`,
                        valueClass(t) === 'text' ? 'Strings support only = and !=' : 'Ordering applies to numbers, dates and timestamps'));
                    return;
                }
            }
        }

        const l = valueClass(left)!;
        const r = valueClass(right)!;
        const dateLiteral = (e: Expr): boolean => e.kind === 'string' && isDateLiteral(e.value);
        if (l === r || (l === 'time' && dateLiteral(cond.right)) || (r === 'time' && dateLiteral(cond.left))) {
            this.resolution.compares.set(cond, l === 'time' || r === 'time' ? 'time' : l);
            return;
        }
        const timeVsString = (l === 'time' && cond.right.kind === 'string') || (r === 'time' && cond.left.kind === 'string');
        this.report(errorAt(incompatibleComparison, cond.start, cond.end,
            `Cannot compare ${describe(cond.left, left)} with ${describe(cond.right, right)}`,
            timeVsString ? "Write dates as 'yyyy-MM-dd' or ISO timestamps such as '2024-05-01T09:00:00Z'" : undefined));
    }
}
