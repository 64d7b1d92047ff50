// Template text -> syntax tree. The lexer cuts the text into literal text and tags; each tag is
// parsed on its own (tag-parser.ts) and the block tags (`#each`, `#if`, `else`, `/each`, `/if`) are
// then nested with a stack, so that nesting errors are reported on the tag at fault.

import type { ILexingError, IToken } from 'chevrotain';
import type {
    Condition, EachNode, IfNode, InvalidExpr, LoopVariable, PathExpr, Span, TemplateAst, TemplateNode,
} from './ast.js';
import { errorAt, TemplateCodes, type TemplateDiagnostic } from './diagnostics.js';
import {
    And, As, CloseTag, CompareOp, Each, Else, Hash, Ident, If, Not, OpenTag, Or, Slash, StrayOpen, templateLexer, Text, UnterminatedString,
} from './lexer.js';
import { parseTagTokens, tokenEnd } from './tag-parser.js';

export interface ParsedTemplate {
    ast: TemplateAst;
    diagnostics: TemplateDiagnostic[];
}

/** A `{{ ... }}` tag as cut by the lexer. */
interface RawTag {
    open: IToken;
    close: IToken | undefined;
    tokens: IToken[];
    end: number;
    lexErrors: ILexingError[];
}

type Segment = { kind: 'text'; token: IToken } | { kind: 'tag'; tag: RawTag };

type Tag =
    | { kind: 'output'; span: Span; expr: OutputNodeExpr }
    | { kind: 'openEach'; span: Span; list: PathExpr | InvalidExpr; item: LoopVariable | undefined }
    | { kind: 'openIf'; span: Span; condition: Condition | InvalidExpr }
    | { kind: 'else'; span: Span }
    | { kind: 'close'; span: Span; block: 'each' | 'if' }
    | { kind: 'ignored' };

type OutputNodeExpr = Extract<TemplateNode, { kind: 'output' }>['expr'];

export function parseTemplate(text: string): ParsedTemplate {
    const diagnostics: TemplateDiagnostic[] = [];
    const lexed = templateLexer.tokenize(text);
    const segments = cutSegments(lexed.tokens, lexed.errors, text.length);
    const tags = segments.map(segment => (segment.kind === 'tag' ? readTag(segment.tag, diagnostics) : undefined));
    const body = nestBlocks(segments, tags, text.length, diagnostics);
    diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
    return { ast: { kind: 'template', body, start: 0, end: text.length }, diagnostics };
}

// ---------------------------------------------------------------- cutting

function cutSegments(tokens: IToken[], lexErrors: ILexingError[], textLength: number): Segment[] {
    const segments: Segment[] = [];
    let current: RawTag | undefined;
    const finish = (end: number): void => {
        if (current) current.end = end;
        current = undefined;
    };
    for (const token of tokens) {
        if (token.tokenType === Text) {
            segments.push({ kind: 'text', token });
        } else if (token.tokenType === OpenTag || token.tokenType === StrayOpen) {
            finish(token.startOffset);
            current = { open: token, close: undefined, tokens: [], end: textLength, lexErrors: [] };
            segments.push({ kind: 'tag', tag: current });
        } else if (token.tokenType === CloseTag && current) {
            current.close = token;
            finish(tokenEnd(token));
        } else if (current) {
            current.tokens.push(token);
        }
    }
    finish(textLength);
    // Lexing errors only happen inside tags (text mode accepts everything).
    for (const error of lexErrors) {
        const owner = segments.find(s => s.kind === 'tag' && s.tag.open.startOffset <= error.offset && error.offset < s.tag.end);
        if (owner?.kind === 'tag') owner.tag.lexErrors.push(error);
    }
    return segments;
}

// ---------------------------------------------------------------- one tag

const invalid = (span: Span): InvalidExpr => ({ kind: 'invalid', start: span.start, end: span.end });

function syntaxError(diagnostics: TemplateDiagnostic[], start: number, end: number, message: string, hint?: string): void {
    diagnostics.push(errorAt(TemplateCodes.syntax, start, end, message, hint));
}

function readTag(raw: RawTag, diagnostics: TemplateDiagnostic[]): Tag {
    const span: Span = { start: raw.open.startOffset, end: raw.end };
    const closeSpan: Span = raw.close ? { start: raw.close.startOffset, end: tokenEnd(raw.close) } : span;
    // Where to point when the tag ends too early: its `}}`.
    const at = (token: IToken | undefined): Span => (token ? { start: token.startOffset, end: tokenEnd(token) } : closeSpan);

    // Problems that make the content unparseable; only the first one is reported.
    let broken = false;
    const fail = (where: Span, message: string, hint?: string): void => {
        if (!broken) syntaxError(diagnostics, where.start, where.end, message, hint);
        broken = true;
    };
    if (!raw.close) {
        fail({ start: raw.open.startOffset, end: tokenEnd(raw.open) }, "Expected '}}' to close the tag opened here");
    }
    const lexError = raw.lexErrors[0];
    if (lexError) {
        const chars = lexError.length === 1 ? 'character' : 'characters';
        fail({ start: lexError.offset, end: lexError.offset + lexError.length },
            `Unexpected ${chars} inside '{{ }}'`,
            "A tag holds a field, a literal, filters or a block keyword; write literal text outside '{{ }}'");
    }
    const unterminated = raw.tokens.find(t => t.tokenType === UnterminatedString);
    if (unterminated) fail(at(unterminated), `Unterminated string: add the closing ${unterminated.image[0]}`);

    const [t0, t1, t2] = raw.tokens;
    const type0 = t0?.tokenType;
    if (type0 === Hash) {
        const rest = raw.tokens.slice(2);
        if (t1?.tokenType === Each) {
            if (broken) return { kind: 'openEach', span, list: invalid(span), item: salvageLoopVariable(rest) };
            const head = parseTagTokens('eachHead', rest);
            if (head.ok) return { kind: 'openEach', span, list: head.value.list, item: head.value.item };
            fail(at(head.token.startOffset >= 0 ? head.token : undefined), head.message,
                head.message.includes("'as'") ? 'Write {{#each items as item}}' : undefined);
            return { kind: 'openEach', span, list: invalid(span), item: salvageLoopVariable(rest) };
        }
        if (t1?.tokenType === If) {
            if (broken) return { kind: 'openIf', span, condition: invalid(span) };
            if (rest.length === 0) {
                fail(closeSpan, "Expected a condition after '#if'");
                return { kind: 'openIf', span, condition: invalid(span) };
            }
            const cond = parseTagTokens('condition', rest);
            if (cond.ok) return { kind: 'openIf', span, condition: cond.value };
            fail(at(cond.token.startOffset >= 0 ? cond.token : undefined), cond.message);
            return { kind: 'openIf', span, condition: invalid(span) };
        }
        fail(at(t1), `Expected 'each' or 'if' after '#' but found ${t1 ? `'${t1.image}'` : "'}}'"}`);
        return { kind: 'ignored' };
    }
    if (type0 === Slash) {
        if (t1?.tokenType === Each || t1?.tokenType === If) {
            if (t2) fail(at(t2), `Expected '}}' but found '${t2.image}'`);
            return { kind: 'close', span, block: t1.tokenType === Each ? 'each' : 'if' };
        }
        fail(at(t1), `Expected 'each' or 'if' after '/' but found ${t1 ? `'${t1.image}'` : "'}}'"}`);
        return { kind: 'ignored' };
    }
    if (type0 === Else) {
        if (t1) fail(at(t1), `Expected '}}' after 'else' but found '${t1.image}'`,
            t1.tokenType === If ? "'else if' is not supported: put an '{{#if}}' inside the '{{else}}'" : undefined);
        return { kind: 'else', span };
    }
    if (broken) return { kind: 'output', span, expr: invalid(span) };
    if (raw.tokens.length === 0) {
        fail(span, "Expected an expression inside '{{ }}'", "Write a field name, e.g. '{{ firstName }}'");
        return { kind: 'output', span, expr: invalid(span) };
    }
    const expr = parseTagTokens('expression', raw.tokens);
    if (expr.ok) return { kind: 'output', span, expr: expr.value };
    const comparison = (expr.token.tokenType.CATEGORIES ?? []).includes(CompareOp) || [And, Or, Not].includes(expr.token.tokenType);
    fail(at(expr.token.startOffset >= 0 ? expr.token : undefined), expr.message,
        comparison ? "Conditions belong in '{{#if ...}}'" : undefined);
    return { kind: 'output', span, expr: invalid(span) };
}

/** The loop variable of a broken `#each` head, so that its body does not report it as unknown. */
function salvageLoopVariable(tokens: IToken[]): LoopVariable | undefined {
    const as = tokens.findIndex(t => t.tokenType === As);
    const name = as >= 0 ? tokens[as + 1] : undefined;
    if (!name || !isName(name)) return undefined;
    return { name: name.image.replace(/`/g, ''), start: name.startOffset, end: tokenEnd(name) };
}

function isName(token: IToken): boolean {
    return token.tokenType === Ident || (token.tokenType.CATEGORIES ?? []).includes(Ident);
}

// ---------------------------------------------------------------- nesting

interface Frame {
    tag: Extract<Tag, { kind: 'openEach' | 'openIf' }>;
    then: TemplateNode[];
    else: TemplateNode[] | undefined;
    elseTag: Span | undefined;
}

const blockName = (frame: Frame): 'each' | 'if' => (frame.tag.kind === 'openEach' ? 'each' : 'if');

function nestBlocks(segments: Segment[], tags: (Tag | undefined)[], textLength: number, diagnostics: TemplateDiagnostic[]): TemplateNode[] {
    const root: TemplateNode[] = [];
    const stack: Frame[] = [];
    const target = (): TemplateNode[] => {
        const top = stack[stack.length - 1];
        return top ? (top.else ?? top.then) : root;
    };
    const closeTop = (close: Span | undefined, end: number): void => {
        const frame = stack.pop()!;
        target().push(blockNode(frame, close, end));
    };

    segments.forEach((segment, i) => {
        if (segment.kind === 'text') {
            const t = segment.token;
            target().push({ kind: 'text', value: t.image, start: t.startOffset, end: tokenEnd(t) });
            return;
        }
        const tag = tags[i]!;
        switch (tag.kind) {
            case 'ignored':
                return;
            case 'output':
                target().push({ kind: 'output', expr: tag.expr, start: tag.span.start, end: tag.span.end });
                return;
            case 'openEach':
            case 'openIf':
                stack.push({ tag, then: [], else: undefined, elseTag: undefined });
                return;
            case 'else': {
                const top = stack[stack.length - 1];
                if (top?.tag.kind === 'openIf' && top.else === undefined) {
                    top.else = [];
                    top.elseTag = tag.span;
                } else if (top?.tag.kind === 'openIf') {
                    syntaxError(diagnostics, tag.span.start, tag.span.end, "A second '{{else}}' in the same '{{#if}}'");
                } else if (top) {
                    syntaxError(diagnostics, tag.span.start, tag.span.end, "'{{else}}' inside '{{#each}}' belongs to no '{{#if}}'",
                        "Put the '{{else}}' between '{{#if ...}}' and '{{/if}}'");
                } else {
                    syntaxError(diagnostics, tag.span.start, tag.span.end, "'{{else}}' outside of '{{#if}}'",
                        "Put the '{{else}}' between '{{#if ...}}' and '{{/if}}'");
                }
                return;
            }
            case 'close': {
                const top = stack[stack.length - 1];
                if (top && blockName(top) === tag.block) {
                    closeTop(tag.span, tag.span.end);
                    return;
                }
                const depth = findLast(stack, frame => blockName(frame) === tag.block);
                if (top && depth >= 0) {
                    const open = blockName(top);
                    syntaxError(diagnostics, tag.span.start, tag.span.end, `'{{/${tag.block}}}' closes '{{#${open}}}'`,
                        `Close the '{{#${open}}}' first with '{{/${open}}}'`);
                } else {
                    syntaxError(diagnostics, tag.span.start, tag.span.end, `'{{/${tag.block}}}' has no matching '{{#${tag.block}}}'`);
                }
                // Recover: blocks opened inside the one being closed end here, unclosed.
                if (depth >= 0) {
                    while (stack.length > depth + 1) closeTop(undefined, tag.span.start);
                    closeTop(tag.span, tag.span.end);
                }
                return;
            }
        }
    });
    while (stack.length > 0) {
        const frame = stack[stack.length - 1]!;
        const name = blockName(frame);
        syntaxError(diagnostics, frame.tag.span.start, frame.tag.span.end, `Unclosed '{{#${name}}}': expected '{{/${name}}}'`,
            `Add '{{/${name}}}' where the ${name === 'each' ? 'loop' : 'condition'} ends`);
        closeTop(undefined, textLength);
    }
    return root;
}

function blockNode(frame: Frame, close: Span | undefined, end: number): EachNode | IfNode {
    const { tag } = frame;
    if (tag.kind === 'openEach') {
        return { kind: 'each', list: tag.list, item: tag.item, body: frame.then, open: tag.span, close, start: tag.span.start, end };
    }
    return {
        kind: 'if', condition: tag.condition, then: frame.then, else: frame.else, open: tag.span, elseTag: frame.elseTag, close,
        start: tag.span.start, end,
    };
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): number {
    for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return i;
    return -1;
}
