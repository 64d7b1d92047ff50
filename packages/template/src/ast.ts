// The syntax tree of a personalisation template. Every node carries `start`/`end` offsets (end
// exclusive) into the template text.

export interface Span {
    readonly start: number;
    readonly end: number;
}

// ---------------------------------------------------------------- expressions

export interface NameSegment extends Span {
    readonly kind: 'name';
    readonly name: string;
}

export interface IndexSegment extends Span {
    readonly kind: 'index';
    readonly index: number;
}

export type PathSegment = NameSegment | IndexSegment;

/** `firstName`, `items[0].name`, `event.firstName`, `profile.country`, `item.name`. */
export interface PathExpr extends Span {
    readonly kind: 'path';
    readonly segments: readonly [NameSegment, ...PathSegment[]];
}

export interface StringExpr extends Span {
    readonly kind: 'string';
    readonly value: string;
}

export interface NumberExpr extends Span {
    readonly kind: 'number';
    readonly value: number;
    /** As written: `3`, `19.99`, `-1`. */
    readonly raw: string;
}

export interface BooleanExpr extends Span {
    readonly kind: 'boolean';
    readonly value: boolean;
}

/** The function form `count(items)`. */
export interface CountExpr extends Span {
    readonly kind: 'count';
    readonly arg: PathExpr;
}

export type Operand = PathExpr | StringExpr | NumberExpr | BooleanExpr | CountExpr;

/** `input | name` or `input | name(arg, ...)`; `start` is the input's start, `end` the call's end. */
export interface FilterExpr extends Span {
    readonly kind: 'filter';
    readonly input: Expr;
    readonly name: string;
    /** The filter name's range. */
    readonly nameStart: number;
    readonly nameEnd: number;
    readonly args: readonly Operand[];
    /** Whether the call was written with parentheses (`upper()` vs `upper`). */
    readonly parens: boolean;
}

export type Expr = Operand | FilterExpr;

/** Placeholder for the content of a tag that failed to parse (a diagnostic was reported). */
export interface InvalidExpr extends Span {
    readonly kind: 'invalid';
}

// ---------------------------------------------------------------- conditions

/** `=` and `==` are the same operator; the tree keeps `=`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface CompareCond extends Span {
    readonly kind: 'compare';
    readonly op: CompareOp;
    readonly opStart: number;
    readonly opEnd: number;
    readonly left: Expr;
    readonly right: Expr;
}

export interface LogicalCond extends Span {
    readonly kind: 'and' | 'or';
    readonly left: Condition;
    readonly right: Condition;
}

export interface NotCond extends Span {
    readonly kind: 'not';
    readonly operand: Condition;
}

/** A bare operand used as a condition: `{{#if firstName}}`. */
export interface TruthyCond extends Span {
    readonly kind: 'truthy';
    readonly expr: Expr;
}

export type Condition = CompareCond | LogicalCond | NotCond | TruthyCond;

// ---------------------------------------------------------------- template nodes

export interface TextNode extends Span {
    readonly kind: 'text';
    readonly value: string;
}

/** `{{ expr }}`; the span is the whole tag, braces included. */
export interface OutputNode extends Span {
    readonly kind: 'output';
    readonly expr: Expr | InvalidExpr;
}

export interface LoopVariable extends Span {
    readonly name: string;
}

/** `{{#each list as item}} body {{/each}}`; the span runs from `{{#each` to the end of `{{/each}}`. */
export interface EachNode extends Span {
    readonly kind: 'each';
    readonly list: PathExpr | InvalidExpr;
    /** Missing only when the opening tag is too broken to tell. */
    readonly item: LoopVariable | undefined;
    readonly body: readonly TemplateNode[];
    readonly open: Span;
    /** Missing when the block is not closed (a diagnostic was reported). */
    readonly close: Span | undefined;
}

/** `{{#if cond}} then {{else}} else {{/if}}`. */
export interface IfNode extends Span {
    readonly kind: 'if';
    readonly condition: Condition | InvalidExpr;
    readonly then: readonly TemplateNode[];
    readonly else: readonly TemplateNode[] | undefined;
    readonly open: Span;
    readonly elseTag: Span | undefined;
    readonly close: Span | undefined;
}

export type TemplateNode = TextNode | OutputNode | EachNode | IfNode;

export interface TemplateAst extends Span {
    readonly kind: 'template';
    readonly body: readonly TemplateNode[];
}
