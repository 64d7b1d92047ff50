import { describe, expect, test } from 'vitest';
import type { TemplateSyntax } from '../src/index.js';
import { parseTemplate } from '../src/index.js';
import { checkTemplateLexer } from '../src/lexer.js';
import { checkTagGrammar } from '../src/tag-parser.js';
import { seen, span } from './fixtures.js';

type Node = TemplateSyntax.TemplateNode;

function parseOk(text: string): readonly Node[] {
    const { ast, diagnostics } = parseTemplate(text);
    expect(diagnostics).toEqual([]);
    expect(ast).toMatchObject({ kind: 'template', start: 0, end: text.length });
    return ast.body;
}

/** The expression of the only output tag of the template. */
function outputExpr(text: string): TemplateSyntax.Expr {
    const body = parseOk(text);
    const outputs = body.filter(n => n.kind === 'output');
    expect(outputs).toHaveLength(1);
    const expr = (outputs[0] as TemplateSyntax.OutputNode).expr;
    expect(expr.kind).not.toBe('invalid');
    return expr as TemplateSyntax.Expr;
}

function condition(text: string): TemplateSyntax.Condition {
    const [node] = parseOk(`{{#if ${text}}}x{{/if}}`);
    expect(node!.kind).toBe('if');
    return (node as TemplateSyntax.IfNode).condition as TemplateSyntax.Condition;
}

/** A condition as a compact string: and(not(a), b). */
function shape(c: TemplateSyntax.Condition | TemplateSyntax.Expr): string {
    switch (c.kind) {
        case 'and': case 'or': return `${c.kind}(${shape(c.left)}, ${shape(c.right)})`;
        case 'not': return `not(${shape(c.operand)})`;
        case 'truthy': return shape(c.expr);
        case 'compare': return `${shape(c.left)} ${c.op} ${shape(c.right)}`;
        case 'path': return c.segments.map(s => (s.kind === 'name' ? s.name : `[${s.index}]`)).join('.');
        case 'number': return c.raw;
        case 'string': return JSON.stringify(c.value);
        case 'boolean': return String(c.value);
        case 'count': return `count(${shape(c.arg)})`;
        case 'filter': return `${shape(c.input)} | ${c.name}(${c.args.map(shape).join(', ')})`;
    }
}

describe('parseTemplate: text and output', () => {
    test('text without tags is one text node', () => {
        expect(parseOk('Hello, world } { }')).toEqual([{ kind: 'text', value: 'Hello, world } { }', start: 0, end: 18 }]);
        expect(parseOk('')).toEqual([]);
    });

    test('a path with index and field segments, with offsets', () => {
        const text = 'Hi {{ items[0].name }}!';
        const body = parseOk(text);
        expect(body).toEqual([
            { kind: 'text', value: 'Hi ', start: 0, end: 3 },
            {
                kind: 'output', start: 3, end: 22,
                expr: {
                    kind: 'path', start: 6, end: 19, segments: [
                        { kind: 'name', name: 'items', start: 6, end: 11 },
                        { kind: 'index', index: 0, start: 11, end: 14 },
                        { kind: 'name', name: 'name', start: 15, end: 19 },
                    ],
                },
            },
            { kind: 'text', value: '!', start: 22, end: 23 },
        ]);
    });

    test('explicit event root, profile root and loop variables are plain paths', () => {
        expect(shape(outputExpr('{{ event.firstName }}'))).toBe('event.firstName');
        expect(shape(outputExpr('{{profile.country}}'))).toBe('profile.country');
        expect(shape(outputExpr('{{ item.name }}'))).toBe('item.name');
    });

    test('literals: strings with escapes, numbers, booleans', () => {
        expect(outputExpr("{{ 'it\\'s' }}")).toEqual({ kind: 'string', value: "it's", start: 3, end: 10 });
        expect(outputExpr('{{ "a}}b" }}')).toMatchObject({ kind: 'string', value: 'a}}b' });
        expect(outputExpr('{{ 42 }}')).toEqual({ kind: 'number', value: 42, raw: '42', start: 3, end: 5 });
        expect(outputExpr('{{ -3.5 }}')).toMatchObject({ kind: 'number', value: -3.5, raw: '-3.5' });
        expect(outputExpr('{{ true }}')).toMatchObject({ kind: 'boolean', value: true });
        expect(outputExpr('{{ false }}')).toMatchObject({ kind: 'boolean', value: false });
    });

    test('count(...) is a function; count alone is a field name', () => {
        expect(outputExpr('{{ count(items) }}')).toEqual({
            kind: 'count', start: 3, end: 15,
            arg: { kind: 'path', start: 9, end: 14, segments: [{ kind: 'name', name: 'items', start: 9, end: 14 }] },
        });
        expect(shape(outputExpr('{{ count }}'))).toBe('count');
        expect(shape(outputExpr('{{ items | count }}'))).toBe('items | count()');
    });

    test('filters chain left to right, with and without arguments', () => {
        const text = "{{ firstName | default('there') | truncate(10) | upper }}";
        const expr = outputExpr(text);
        expect(shape(expr)).toBe('firstName | default("there") | truncate(10) | upper()');
        expect(expr).toMatchObject({
            kind: 'filter', name: 'upper', parens: false, ...span(text, "firstName | default('there') | truncate(10) | upper"),
            nameStart: span(text, 'upper').start, nameEnd: span(text, 'upper').end,
            input: { kind: 'filter', name: 'truncate', parens: true, end: span(text, 'truncate(10)').end },
        });
        expect(shape(outputExpr('{{ cartTotal | money(currency) }}'))).toBe('cartTotal | money(currency)');
        expect(shape(outputExpr('{{ x | f(1, "a", y.z, true) }}'))).toBe('x | f(1, "a", y.z, true)');
        expect(shape(outputExpr('{{ x | upper() }}'))).toBe('x | upper()');
    });

    test('whitespace inside tags is free, newlines included', () => {
        expect(shape(outputExpr('{{firstName|upper}}'))).toBe('firstName | upper()');
        expect(shape(outputExpr('{{\n  firstName\n  | default( "x" )\n}}'))).toBe('firstName | default("x")');
        const [node] = parseOk('{{ # each   items  as  item }}{{ / each }}');
        expect(node).toMatchObject({ kind: 'each', item: { name: 'item' } });
    });

    test('triple braces are not special: the last two braces open the tag', () => {
        expect(parseOk('{{{ x }}}')).toEqual([
            { kind: 'text', value: '{', start: 0, end: 1 },
            { kind: 'output', start: 1, end: 8, expr: { kind: 'path', start: 4, end: 5, segments: [{ kind: 'name', name: 'x', start: 4, end: 5 }] } },
            { kind: 'text', value: '}', start: 8, end: 9 },
        ]);
    });

    test('keywords are names after a dot, and backticks escape a reserved word', () => {
        expect(shape(outputExpr('{{ item.not.else.if }}'))).toBe('item.not.else.if');
        expect(shape(outputExpr('{{ `not` }}'))).toBe('not');
        expect(shape(outputExpr('{{ each }}'))).toBe('each');
        expect(shape(outputExpr('{{ as | if }}'))).toBe('as | if()');
    });
});

describe('parseTemplate: blocks', () => {
    test('#each with its loop variable and body', () => {
        const text = '<ul>{{#each items as item}}<li>{{ item.name }}</li>{{/each}}</ul>';
        const [, each] = parseOk(text);
        expect(each).toMatchObject({
            kind: 'each',
            list: { kind: 'path', ...span(text, 'items') },
            item: { name: 'item', ...span(text, 'item', 1) },
            open: span(text, '{{#each items as item}}'),
            close: span(text, '{{/each}}'),
            start: text.indexOf('{{#each'), end: text.indexOf('</ul>'),
            body: [
                { kind: 'text', value: '<li>' },
                { kind: 'output', expr: { kind: 'path' }, ...span(text, '{{ item.name }}') },
                { kind: 'text', value: '</li>' },
            ],
        });
    });

    test('#if / else / /if', () => {
        const text = '{{#if cartTotal > 100}}big{{else}}small{{/if}}';
        const [node] = parseOk(text);
        expect(node).toMatchObject({
            kind: 'if',
            condition: { kind: 'compare', op: '>', opStart: span(text, '>').start, opEnd: span(text, '>').end, ...span(text, 'cartTotal > 100') },
            then: [{ kind: 'text', value: 'big' }],
            else: [{ kind: 'text', value: 'small' }],
            elseTag: span(text, '{{else}}'),
            close: span(text, '{{/if}}'),
            start: 0, end: text.length,
        });
        const [noElse] = parseOk('{{#if x}}a{{/if}}');
        expect(noElse).toMatchObject({ kind: 'if', else: undefined, elseTag: undefined });
    });

    test('nested blocks', () => {
        const [outer] = parseOk('{{#each orders as o}}{{#each o.lines as l}}{{#if l.qty > 1}}{{ l.sku }}{{/if}}{{/each}}{{/each}}');
        expect(outer).toMatchObject({
            kind: 'each', item: { name: 'o' },
            body: [{ kind: 'each', item: { name: 'l' }, body: [{ kind: 'if', then: [{ kind: 'output' }] }] }],
        });
    });

    test('all comparison operators; == is =', () => {
        for (const op of ['=', '!=', '<', '<=', '>', '>=']) expect(shape(condition(`a ${op} 1`))).toBe(`a ${op} 1`);
        expect(shape(condition('a == "x"'))).toBe('a = "x"');
        expect(shape(condition('count(items) >= 2'))).toBe('count(items) >= 2');
        expect(shape(condition("firstName | lower = 'ann'"))).toBe('firstName | lower() = "ann"');
    });

    test('not binds tighter than and, and tighter than or; parentheses group', () => {
        expect(shape(condition('not a and b or c'))).toBe('or(and(not(a), b), c)');
        expect(shape(condition('a or b and c'))).toBe('or(a, and(b, c))');
        expect(shape(condition('not (a or b) and not not c'))).toBe('and(not(or(a, b)), not(not(c)))');
        expect(shape(condition('(a > 1 or b) and c = "x"'))).toBe('and(or(a > 1, b), c = "x")');
        const text = '{{#if (a or b)}}x{{/if}}';
        const [node] = parseOk(text);
        expect((node as TemplateSyntax.IfNode).condition).toMatchObject({ kind: 'or', ...span(text, '(a or b)') });
    });

    test('a bare operand is a truthiness condition', () => {
        expect(condition('loyaltyMember')).toMatchObject({ kind: 'truthy', expr: { kind: 'path' } });
    });
});

describe('parseTemplate: syntax errors (FU170)', () => {
    const errors = (text: string) => seen(parseTemplate(text));
    const fu170 = (message: string, at: { start: number; end: number }) =>
        ({ code: 'FU170', severity: 'error', message, ...at });

    test('an unclosed {{ at the end', () => {
        const text = 'Hello {{ firstName';
        expect(errors(text)).toEqual([fu170("Expected '}}' to close the tag opened here", span(text, '{{'))]);
    });

    test('an unclosed {{ before another tag: one error, and the next tag is still parsed', () => {
        const text = 'Hi {{ firstName, see {{ cartUrl }}';
        const { ast, diagnostics } = parseTemplate(text);
        expect(seen({ diagnostics })).toEqual([fu170("Expected '}}' to close the tag opened here", span(text, '{{'))]);
        expect(ast.body[ast.body.length - 1]).toMatchObject({ kind: 'output', expr: { kind: 'path', segments: [{ name: 'cartUrl' }] } });
    });

    test("'{{/each}}' closing an '{{#if}}'", () => {
        const text = '{{#each items as item}}{{#if item.price > 1}}x{{/each}}';
        const { ast, diagnostics } = parseTemplate(text);
        expect(seen({ diagnostics })).toEqual([fu170("'{{/each}}' closes '{{#if}}'", span(text, '{{/each}}'))]);
        expect(diagnostics[0]!.hint).toBe("Close the '{{#if}}' first with '{{/if}}'");
        // Recovery: the #if ends there unclosed, the #each is closed by the tag.
        expect(ast.body[0]).toMatchObject({ kind: 'each', close: span(text, '{{/each}}'), body: [{ kind: 'if', close: undefined }] });
    });

    test('unclosed blocks are reported on their opening tag', () => {
        const text = 'a {{#each items as item}} {{#if x}} b';
        expect(errors(text)).toEqual([
            fu170("Unclosed '{{#each}}': expected '{{/each}}'", span(text, '{{#each items as item}}')),
            fu170("Unclosed '{{#if}}': expected '{{/if}}'", span(text, '{{#if x}}')),
        ]);
    });

    test('closing tags and else without their block', () => {
        const text = '{{/if}} {{else}} {{#each items as i}}{{else}}{{/each}} {{#if a}}{{else}}{{else}}{{/if}}';
        expect(errors(text)).toEqual([
            fu170("'{{/if}}' has no matching '{{#if}}'", span(text, '{{/if}}')),
            fu170("'{{else}}' outside of '{{#if}}'", span(text, '{{else}}')),
            fu170("'{{else}}' inside '{{#each}}' belongs to no '{{#if}}'", span(text, '{{else}}', 1)),
            fu170("A second '{{else}}' in the same '{{#if}}'", span(text, '{{else}}', 3)),
        ]);
    });

    test('what the tag expected, at the offending token', () => {
        let text = '{{ firstName lastName }}';
        expect(errors(text)).toEqual([fu170("Expected '}}' but found 'lastName'", span(text, 'lastName'))]);
        text = '{{ firstName | }}';
        expect(errors(text)).toEqual([fu170("Expected a filter name after '|' but found '}}'", span(text, '}}'))]);
        text = '{{ items. }}';
        expect(errors(text)).toEqual([fu170("Expected a field name after '.' but found '}}'", span(text, '}}'))]);
        text = '{{ x | truncate(3 }}';
        expect(errors(text)).toEqual([fu170("Expected ')' but found '}}'", span(text, '}}'))]);
        text = '{{#if a > }}x{{/if}}';
        expect(errors(text)).toEqual([
            fu170('Expected a value (a field, a string, a number, true, false or count(...)) but found \'}}\'', span(text, '}}')),
        ]);
        text = '{{#if }}x{{/if}}';
        expect(errors(text)).toEqual([fu170("Expected a condition after '#if'", span(text, '}}'))]);
        text = '{{}}';
        expect(errors(text)).toEqual([fu170("Expected an expression inside '{{ }}'", { start: 0, end: 4 })]);
        text = '{{ count( }} {{ items[ }} {{#each items as }}{{/each}}';
        expect(errors(text)).toEqual([
            fu170('Expected a list field inside count(...) but found \'}}\'', span(text, '}}')),
            fu170("Expected a list index (0, 1, 2, ...) but found '}}'", span(text, '}}', 1)),
            fu170("Expected the loop variable's name after 'as' but found '}}'", span(text, '}}', 2)),
        ]);
    });

    test('a comparison outside #if', () => {
        const text = '{{ cartTotal > 3 }}';
        const { diagnostics } = parseTemplate(text);
        expect(seen({ diagnostics })).toEqual([fu170("Expected '}}' but found '>'", span(text, '>'))]);
        expect(diagnostics[0]!.hint).toBe("Conditions belong in '{{#if ...}}'");
    });

    test('#each needs "as name"', () => {
        const text = '{{#each items}}{{/each}}';
        const { diagnostics } = parseTemplate(text);
        expect(seen({ diagnostics })).toEqual([fu170("Expected 'as' but found '}}'", span(text, '}}'))]);
        expect(diagnostics[0]!.hint).toBe('Write {{#each items as item}}');
    });

    test('unknown block keywords, else if, bad indexes', () => {
        let text = '{{#unless x}}';
        expect(errors(text)).toEqual([fu170("Expected 'each' or 'if' after '#' but found 'unless'", span(text, 'unless'))]);
        text = '{{#if a}}{{else if b}}{{/if}}';
        const { diagnostics } = parseTemplate(text);
        expect(seen({ diagnostics })).toEqual([fu170("Expected '}}' after 'else' but found 'if'", span(text, 'if', 1))]);
        expect(diagnostics[0]!.hint).toBe("'else if' is not supported: put an '{{#if}}' inside the '{{else}}'");
        text = '{{ items[-1].name }} {{ items[1.5] }}';
        expect(errors(text)).toEqual([
            fu170("Expected a list index (0, 1, 2, ...) but found '-1'", span(text, '-1')),
            fu170("Expected a list index (0, 1, 2, ...) but found '1.5'", span(text, '1.5')),
        ]);
    });

    test('odd characters and unterminated strings inside a tag', () => {
        let text = '{{ cartTotal $ 2 }}';
        expect(errors(text)).toEqual([fu170("Unexpected character inside '{{ }}'", span(text, '$'))]);
        text = "{{ firstName | default('there) }} and {{ cartUrl }}";
        expect(errors(text)).toEqual([fu170("Unterminated string: add the closing '", span(text, "'there) "))]);
        text = '{{ and }}';
        expect(errors(text)).toEqual([
            fu170("Expected a value (a field, a string, a number, true, false or count(...)) but found 'and'", span(text, 'and')),
        ]);
    });

    test('an error in one tag does not hide the next tags', () => {
        const text = '{{ a | }} {{ b c }} {{ ok }}';
        const { ast, diagnostics } = parseTemplate(text);
        expect(diagnostics.map(d => d.start)).toEqual([span(text, '}}').start, span(text, 'c').start]);
        expect(ast.body.filter(n => n.kind === 'output').map(n => (n as TemplateSyntax.OutputNode).expr.kind)).toEqual(['invalid', 'invalid', 'path']);
    });

    test('a broken block opener still pairs with its closer', () => {
        const text = '{{#if a > }}{{ x }}{{/if}}{{#each items as item $}}{{ item.name }}{{/each}}';
        const { ast, diagnostics } = parseTemplate(text);
        expect(diagnostics).toHaveLength(2); // one per broken tag, no unclosed/unmatched noise
        expect(ast.body).toMatchObject([
            { kind: 'if', condition: { kind: 'invalid' }, close: span(text, '{{/if}}') },
            { kind: 'each', list: { kind: 'invalid' }, item: { name: 'item' }, close: span(text, '{{/each}}') },
        ]);
    });
});

describe('the tag grammar and the lexer', () => {
    // Commands build them without Chevrotain's validations (milliseconds of each start).
    test("pass Chevrotain's validations", () => {
        expect(() => checkTagGrammar()).not.toThrow();
        expect(() => checkTemplateLexer()).not.toThrow();
    });
});
