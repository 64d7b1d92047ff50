// The grammar of what is inside one `{{ ... }}` tag: expressions, filters, conditions and the head
// of `#each`. Each tag is parsed on its own (see parse-template.ts), so an error in one tag never
// hides the tags after it.

import { EmbeddedActionsParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import type {
    CompareOp, Condition, Expr, FilterExpr, NameSegment, Operand, PathExpr, PathSegment, Span,
} from './ast.js';
import { decodeStringLiteral } from './string-literal.js';
import {
    And, As, BacktickIdent, Comma, CompareOp as CompareOpToken, Count, Dot, Else, False, Ident, LBracket,
    LParen, Not, NumberLit, Or, parserTokens, Pipe, RBracket, RParen, StringLit, True,
} from './lexer.js';

export function tokenEnd(token: IToken): number {
    return token.startOffset + token.image.length;
}

/** What a tag parse returns: a value, or the first syntax error met. */
export type TagParse<T> =
    | { ok: true; value: T }
    | { ok: false; message: string; token: IToken };

const ruleDescriptions: Record<string, string> = {
    operand: 'a value (a field, a string, a number, true, false or count(...))',
    primaryCondition: 'a condition',
    notCondition: 'a condition',
    segmentName: "a field name after '.'",
};

function describeToken(token: IToken): string {
    if (token.tokenType === EOF) return "'}}'";
    return token.tokenType === StringLit ? token.image : `'${token.image}'`;
}

function labelOf(type: TokenType): string {
    return type.LABEL ?? type.name;
}

const errorMessages: IParserErrorMessageProvider = {
    buildMismatchTokenMessage({ expected, actual, previous }) {
        const found = describeToken(actual);
        if (expected === Ident) {
            if (previous?.tokenType === Pipe) return `Expected a filter name after '|' but found ${found}`;
            if (previous?.tokenType === As) return `Expected the loop variable's name after 'as' but found ${found}`;
            if (previous?.tokenType === LParen) return `Expected a list field inside count(...) but found ${found}`;
            return `Expected a field name but found ${found}`;
        }
        if (expected === NumberLit && previous?.tokenType === LBracket) return `Expected a list index (0, 1, 2, ...) but found ${found}`;
        return `Expected ${labelOf(expected)} but found ${found}`;
    },
    buildNotAllInputParsedMessage({ firstRedundant }) {
        return `Expected '}}' but found ${describeToken(firstRedundant)}`;
    },
    buildNoViableAltMessage({ actual, ruleName }) {
        return `Expected ${ruleDescriptions[ruleName] ?? 'an expression'} but found ${describeToken(actual[0]!)}`;
    },
    buildEarlyExitMessage({ actual, ruleName }) {
        return `Expected ${ruleDescriptions[ruleName] ?? 'an expression'} but found ${describeToken(actual[0]!)}`;
    },
};

function opOf(image: string): CompareOp {
    return image === '==' ? '=' : (image as CompareOp);
}

function spanOf(first: Span, last: Span): Span {
    return { start: first.start, end: last.end };
}

class TagParser extends EmbeddedActionsParser {
    /** Errors the grammar accepts but the language does not (a negative index, say). */
    public problems: { message: string; token: IToken }[] = [];

    /**
     * Chevrotain's grammar validations (ambiguities, left recursion) cost a few milliseconds of every
     * command that parses a template; the grammar is fixed, so they run in the test that builds the
     * parser with `validate` (checkTagGrammar), not at every start.
     */
    constructor(validate = false) {
        super(parserTokens, { recoveryEnabled: false, maxLookahead: 3, errorMessageProvider: errorMessages, skipValidations: !validate });
        this.performSelfAnalysis();
    }

    /** A field name after `.`: any word, keywords included. */
    public segmentName = this.RULE('segmentName', (): IToken =>
        this.OR([
            { ALT: () => this.CONSUME(Ident) },
            { ALT: () => this.CONSUME(Else) },
            { ALT: () => this.CONSUME(And) },
            { ALT: () => this.CONSUME(Or) },
            { ALT: () => this.CONSUME(Not) },
            { ALT: () => this.CONSUME(True) },
            { ALT: () => this.CONSUME(False) },
        ]));

    public path = this.RULE('path', (): PathExpr => {
        const root = this.CONSUME(Ident);
        const segments: PathSegment[] = [];
        this.MANY(() => {
            this.OR([
                {
                    ALT: () => {
                        this.CONSUME(Dot);
                        const name = this.SUBRULE(this.segmentName);
                        this.ACTION(() => segments.push(nameSegment(name)));
                    },
                },
                {
                    ALT: () => {
                        const open = this.CONSUME(LBracket);
                        const index = this.CONSUME(NumberLit);
                        const close = this.CONSUME(RBracket);
                        this.ACTION(() => {
                            if (!/^[0-9]+$/.test(index.image)) {
                                this.problems.push({ message: `Expected a list index (0, 1, 2, ...) but found '${index.image}'`, token: index });
                            }
                            segments.push({ kind: 'index', index: Number(index.image), start: open.startOffset, end: tokenEnd(close) });
                        });
                    },
                },
            ]);
        });
        return this.ACTION(() => {
            const first = nameSegment(root);
            const last = segments[segments.length - 1] ?? first;
            return { kind: 'path', segments: [first, ...segments], ...spanOf(first, last) } as PathExpr;
        })!;
    });

    public operand = this.RULE('operand', (): Operand =>
        this.OR<Operand>([
            {
                ALT: () => {
                    const name = this.CONSUME(Count);
                    this.CONSUME(LParen);
                    const arg = this.SUBRULE(this.path);
                    const close = this.CONSUME(RParen);
                    return this.ACTION(() => ({ kind: 'count', arg, start: name.startOffset, end: tokenEnd(close) }) as Operand)!;
                },
            },
            { ALT: () => this.SUBRULE2(this.path) },
            {
                ALT: () => {
                    const t = this.CONSUME(StringLit);
                    return this.ACTION(() => ({
                        kind: 'string', value: decodeStringLiteral(t.image).value, start: t.startOffset, end: tokenEnd(t),
                    }) as Operand)!;
                },
            },
            {
                ALT: () => {
                    const t = this.CONSUME(NumberLit);
                    return this.ACTION(() => ({
                        kind: 'number', value: Number(t.image), raw: t.image, start: t.startOffset, end: tokenEnd(t),
                    }) as Operand)!;
                },
            },
            {
                ALT: () => {
                    const t = this.CONSUME(True);
                    return this.ACTION(() => ({ kind: 'boolean', value: true, start: t.startOffset, end: tokenEnd(t) }) as Operand)!;
                },
            },
            {
                ALT: () => {
                    const t = this.CONSUME(False);
                    return this.ACTION(() => ({ kind: 'boolean', value: false, start: t.startOffset, end: tokenEnd(t) }) as Operand)!;
                },
            },
        ]));

    /** `operand (| filter(args))*`. */
    public expression = this.RULE('expression', (): Expr => {
        let expr = this.SUBRULE(this.operand) as Expr;
        this.MANY(() => {
            this.CONSUME(Pipe);
            const name = this.CONSUME(Ident);
            const args: Operand[] = [];
            let end = tokenEnd(name);
            let parens = false;
            this.OPTION(() => {
                this.CONSUME(LParen);
                this.OPTION2(() => {
                    args.push(this.SUBRULE2(this.operand));
                    this.MANY2(() => {
                        this.CONSUME(Comma);
                        args.push(this.SUBRULE3(this.operand));
                    });
                });
                const close = this.CONSUME(RParen);
                this.ACTION(() => {
                    end = tokenEnd(close);
                    parens = true;
                });
            });
            this.ACTION(() => {
                const filter: FilterExpr = {
                    kind: 'filter', input: expr, name: identName(name), nameStart: name.startOffset, nameEnd: tokenEnd(name),
                    args, parens, start: expr.start, end,
                };
                expr = filter;
            });
        });
        return expr;
    });

    /** `expression [op expression]`, or a parenthesised condition. */
    public primaryCondition = this.RULE('primaryCondition', (): Condition =>
        this.OR<Condition>([
            {
                ALT: () => {
                    const open = this.CONSUME(LParen);
                    const inner = this.SUBRULE(this.condition);
                    const close = this.CONSUME(RParen);
                    // The parentheses widen the span so that diagnostics on the group cover them.
                    return this.ACTION(() => ({ ...inner, start: open.startOffset, end: tokenEnd(close) }))!;
                },
            },
            {
                ALT: () => {
                    const left = this.SUBRULE(this.expression);
                    let cond: Condition | undefined;
                    this.OPTION(() => {
                        const op = this.CONSUME(CompareOpToken);
                        const right = this.SUBRULE2(this.expression);
                        this.ACTION(() => {
                            cond = {
                                kind: 'compare', op: opOf(op.image), opStart: op.startOffset, opEnd: tokenEnd(op),
                                left, right, start: left.start, end: right.end,
                            };
                        });
                    });
                    return this.ACTION(() => cond ?? { kind: 'truthy', expr: left, start: left.start, end: left.end })!;
                },
            },
        ]));

    public notCondition = this.RULE('notCondition', (): Condition =>
        this.OR<Condition>([
            {
                ALT: () => {
                    const not = this.CONSUME(Not);
                    const operand = this.SUBRULE(this.notCondition);
                    return this.ACTION(() => ({ kind: 'not', operand, start: not.startOffset, end: operand.end }) as Condition)!;
                },
            },
            { ALT: () => this.SUBRULE(this.primaryCondition) },
        ]));

    public andCondition = this.RULE('andCondition', (): Condition => {
        let cond = this.SUBRULE(this.notCondition);
        this.MANY(() => {
            this.CONSUME(And);
            const right = this.SUBRULE2(this.notCondition);
            this.ACTION(() => {
                cond = { kind: 'and', left: cond, right, start: cond.start, end: right.end };
            });
        });
        return cond;
    });

    /** `or` binds loosest, then `and`, then `not`. */
    public condition = this.RULE('condition', (): Condition => {
        let cond = this.SUBRULE(this.andCondition);
        this.MANY(() => {
            this.CONSUME(Or);
            const right = this.SUBRULE2(this.andCondition);
            this.ACTION(() => {
                cond = { kind: 'or', left: cond, right, start: cond.start, end: right.end };
            });
        });
        return cond;
    });

    /** After `#each`: `list as item`. */
    public eachHead = this.RULE('eachHead', (): { list: PathExpr; item: NameSegment } => {
        const list = this.SUBRULE(this.path);
        this.CONSUME(As);
        const item = this.CONSUME(Ident);
        return this.ACTION(() => ({ list, item: nameSegment(item) }))!;
    });
}

function identName(token: IToken): string {
    return token.tokenType === BacktickIdent ? token.image.slice(1, -1) : token.image;
}

function nameSegment(token: IToken): NameSegment {
    return { kind: 'name', name: identName(token), start: token.startOffset, end: tokenEnd(token) };
}

let instance: TagParser | undefined;

/** Builds the tag parser with Chevrotain's grammar validations: throws on a definition error. */
export function checkTagGrammar(): void {
    new TagParser(true);
}

function parser(): TagParser {
    return (instance ??= new TagParser());
}

type RuleName = 'expression' | 'condition' | 'eachHead';
type RuleResult = { expression: Expr; condition: Condition; eachHead: { list: PathExpr; item: NameSegment } };

/** Parses the tokens of one tag (without its braces) with the given rule, which must take them all. */
export function parseTagTokens<R extends RuleName>(rule: R, tokens: IToken[]): TagParse<RuleResult[R]> {
    const p = parser();
    p.input = tokens;
    p.problems = [];
    const value = (p[rule] as () => RuleResult[R] | undefined)();
    const error = p.errors[0] ?? p.problems[0];
    if (error !== undefined || value === undefined) {
        return { ok: false, message: error?.message ?? 'Invalid tag', token: error?.token ?? tokens[0]! };
    }
    return { ok: true, value };
}
