// The extension's TextMate grammars: valid JSON whose regexes compile, the scope names and the
// injection selector package.json relies on, and what they make of real followup text (run with
// the small tokenizer in support/textmate-lite.ts, since vscode-textmate is not installed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFollowupGrammar } from '../../vscode-extension/scripts/followup-grammar.mjs';
import { selectorMatches, tokenize, type Grammar, type Token } from './support/textmate-lite.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const extensionRoot = path.join(repoRoot, 'vscode-extension');
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const injection = readJson<Grammar>(path.join(extensionRoot, 'syntaxes/followup-template.injection.json'));
let followup: Grammar;

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-grammar-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

beforeAll(() => {
    const out = path.join(temp, 'followup.tmLanguage.json');
    writeFollowupGrammar(path.join(repoRoot, 'packages/language/syntaxes/followup.tmLanguage.json'), out);
    followup = readJson<Grammar>(out);
});

/** Every regex of a grammar, with where it is. */
function regexesOf(value: unknown, where = '$'): Array<{ where: string; source: string }> {
    if (Array.isArray(value)) return value.flatMap((v, i) => regexesOf(v, `${where}[${i}]`));
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => ['match', 'begin', 'end', 'while'].includes(key) && typeof v === 'string'
        ? [{ where: `${where}.${key}`, source: v }]
        : regexesOf(v, `${where}.${key}`));
}

/** The scopes of the first token whose text is `text` (on the given line, or any). */
function scopesOf(lines: Token[][], text: string, line?: number): string[] {
    const pool = line === undefined ? lines.flat() : lines[line]!;
    const token = pool.find(t => t.text === text);
    if (!token) throw new Error(`no token "${text}" in ${JSON.stringify(pool.map(t => t.text))}`);
    return token.scopes;
}

describe('the grammars', () => {
    it('are what package.json says: scope names, the injection selector and its targets', () => {
        const manifest = readJson<{ contributes: { grammars: Array<{ scopeName: string; path: string; injectTo?: string[] }> } }>(path.join(extensionRoot, 'package.json'));
        const byScope = Object.fromEntries(manifest.contributes.grammars.map(g => [g.scopeName, g]));
        expect(followup.scopeName).toBe('source.followup');
        expect(byScope['source.followup']!.path).toBe('./dist/syntaxes/followup.tmLanguage.json');
        expect(injection.scopeName).toBe('followup.template.injection');
        expect(byScope['followup.template.injection']).toMatchObject({ path: './syntaxes/followup-template.injection.json', injectTo: ['source.followup', 'text.html.basic', 'text.html.derivative'] });
        expect(injection.injectionSelector).toBe(
            'L:string.quoted.double.followup, L:string.quoted.single.followup, L:string.quoted.triple.followup, L:text.html.basic -comment -source -meta.embedded, L:text.html.derivative -comment -source -meta.embedded',
        );
    });

    it('have regexes that compile', () => {
        for (const grammar of [followup, injection]) {
            const regexes = regexesOf(grammar);
            expect(regexes.length).toBeGreaterThan(5);
            for (const { where, source } of regexes) expect(() => new RegExp(source), `${grammar.scopeName} ${where}`).not.toThrow();
        }
    });

    it('inject into followup strings and HTML text, but not into HTML comments, scripts or styles', () => {
        const selector = injection.injectionSelector!;
        expect(selectorMatches(selector, ['source.followup', 'string.quoted.double.followup'])).toEqual({ matches: true, priority: true });
        expect(selectorMatches(selector, ['source.followup', 'string.quoted.triple.followup']).matches).toBe(true);
        expect(selectorMatches(selector, ['source.followup']).matches).toBe(false);
        expect(selectorMatches(selector, ['source.followup', 'comment.line.followup']).matches).toBe(false);
        expect(selectorMatches(selector, ['text.html.basic', 'meta.tag.inline.a.html', 'string.quoted.double.html']).matches).toBe(true);
        expect(selectorMatches(selector, ['text.html.basic', 'comment.block.html']).matches).toBe(false);
        expect(selectorMatches(selector, ['text.html.basic', 'meta.embedded.block.html', 'source.js']).matches).toBe(false);
        expect(selectorMatches(selector, ['text.html.basic', 'meta.embedded.block.html', 'source.css']).matches).toBe(false);
        // VS Code's own `html` language is text.html.derivative (which embeds text.html.basic).
        expect(selectorMatches(selector, ['text.html.derivative', 'meta.tag.inline.a.html', 'string.quoted.double.html']).matches).toBe(true);
        expect(selectorMatches(selector, ['text.html.derivative', 'comment.block.html']).matches).toBe(false);
        expect(selectorMatches(selector, ['text.html.derivative', 'meta.embedded.block.html', 'source.js']).matches).toBe(false);
        expect(selectorMatches(selector, ['text.html.handlebars']).matches).toBe(false);
    });
});

describe('highlighting a .followup file', () => {
    it('scopes keywords, comments, strings, numbers and times as before', () => {
        const lines = tokenize(followup, [
            '// a comment with when and 3',
            'followup bigCartLastChance {',
            '  when cartAbandonment sent 7 days ago and cartTotal >= 100.5',
            '  schedule every day at 09:00 in "Europe/Paris"',
            '}',
        ].join('\n'), [injection]);
        expect(lines[0]).toEqual([{ text: '//', scopes: ['source.followup', 'comment.line.followup'] }, { text: ' a comment with when and 3', scopes: ['source.followup', 'comment.line.followup'] }]);
        expect(scopesOf(lines, 'followup', 1)).toEqual(['source.followup', 'keyword.control.followup']);
        expect(scopesOf(lines, '7', 2)).toEqual(['source.followup', 'constant.numeric.followup']);
        expect(scopesOf(lines, '100.5', 2)).toEqual(['source.followup', 'constant.numeric.followup']);
        expect(scopesOf(lines, '09:00', 3)).toEqual(['source.followup', 'constant.numeric.time.followup']);
        expect(scopesOf(lines, 'Europe/Paris', 3)).toEqual(['source.followup', 'string.quoted.double.followup']);
    });

    it('reads a """ text block as one string, over several lines', () => {
        const lines = tokenize(followup, 'text: """\n  Hi {{ firstName }},\n  "quoted" words\n"""\nsubject: "x"', [injection]);
        expect(scopesOf(lines, '"""', 0)).toEqual(['source.followup', 'string.quoted.triple.followup']);
        expect(scopesOf(lines, '  Hi ', 1)).toEqual(['source.followup', 'string.quoted.triple.followup']);
        expect(scopesOf(lines, 'firstName', 1)).toContain('variable.other.readwrite.followup');
        expect(lines[2]!.every(t => t.scopes.includes('string.quoted.triple.followup'))).toBe(true);
        expect(scopesOf(lines, 'subject', 4)).toEqual(['source.followup', 'keyword.control.followup']);
    });

    it('highlights {{ }} inside strings: fields, paths, filters, arguments, functions, blocks', () => {
        const messages = fs.readFileSync(path.join(repoRoot, 'examples/cart-abandonment/messages.followup'), 'utf8');
        const lines = tokenize(followup, messages, [injection]);
        const tag = ['source.followup', 'string.quoted.triple.followup', 'meta.template.expression.followup'];
        expect(scopesOf(lines, '{{')).toEqual([...tag.slice(0, 1), 'string.quoted.double.followup', 'meta.template.expression.followup', 'punctuation.definition.template-expression.begin.followup']);
        expect(scopesOf(lines, 'default')).toEqual([...tag, 'support.function.filter.followup']);
        expect(scopesOf(lines, "'there'")).toEqual([...tag, 'string.quoted.single.template.followup']);
        expect(scopesOf(lines, 'money')).toEqual([...tag, 'support.function.filter.followup']);
        expect(scopesOf(lines, 'count')).toEqual([...tag, 'support.function.followup']);
        expect(scopesOf(lines, 'each')).toEqual([...tag, 'keyword.control.block.followup']);
        expect(scopesOf(lines, 'as')).toEqual([...tag, 'keyword.control.followup']);
        expect(scopesOf(lines, 'quantity')).toEqual([...tag, 'variable.other.property.followup']);
        // After the tag the string goes on, and it still ends at its quote.
        const subject = lines.findIndex(l => l.some(t => t.text.includes('your cart is waiting')));
        expect(scopesOf(lines, ', your cart is waiting', subject)).toEqual(['source.followup', 'string.quoted.double.followup']);
        expect(scopesOf(lines, 'html', subject + 1)).toEqual(['source.followup', 'keyword.control.followup']);
    });

    it('leaves {{ outside strings and in comments alone', () => {
        const lines = tokenize(followup, '// {{ firstName }}\nevent e { x: string }', [injection]);
        expect(lines.flat().some(t => t.scopes.includes('meta.template.expression.followup'))).toBe(false);
    });
});

describe('highlighting an HTML template', () => {
    // The host here is bare text.html.basic: VS Code's HTML grammar is not in this repository.
    const html: Grammar = { scopeName: 'text.html.basic', patterns: [] };

    it('highlights tags in text and attributes: blocks, comparisons, numbers, filters', () => {
        const template = fs.readFileSync(path.join(repoRoot, 'examples/cart-abandonment/templates/cart-followup.html'), 'utf8');
        const lines = tokenize(html, template, [injection]);
        const tag = ['text.html.basic', 'meta.template.expression.followup'];
        expect(scopesOf(lines, 'if')).toEqual([...tag, 'keyword.control.block.followup']);
        expect(scopesOf(lines, '>')).toEqual([...tag, 'keyword.operator.comparison.followup']);
        expect(scopesOf(lines, '100')).toEqual([...tag, 'constant.numeric.followup']);
        expect(scopesOf(lines, 'else')).toEqual([...tag, 'keyword.control.followup']);
        expect(scopesOf(lines, 'cartUrl')).toEqual([...tag, 'variable.other.readwrite.followup']);
        expect(scopesOf(lines, 'money')).toEqual([...tag, 'support.function.filter.followup']);
        expect(scopesOf(lines, '<p>Free shipping on this order.</p>')).toEqual(['text.html.basic']);
    });

    it('ends an unclosed {{ at the end of its line, so the rest of the file is untouched', () => {
        const lines = tokenize(html, '<p>{{ firstName </p>\n<p>plain</p>', [injection]);
        expect(scopesOf(lines, 'firstName', 0)).toContain('meta.template.expression.followup');
        expect(lines[1]).toEqual([{ text: '<p>plain</p>', scopes: ['text.html.basic'] }]);
    });

    it('reads event. and profile. paths', () => {
        const lines = tokenize(html, '{{ event.firstName }} {{ profile.country | upper }} {{ items[0].name }}', [injection]);
        expect(scopesOf(lines, 'event')).toContain('variable.language.followup');
        expect(scopesOf(lines, 'profile')).toContain('variable.language.followup');
        expect(scopesOf(lines, 'country')).toContain('variable.other.property.followup');
        expect(scopesOf(lines, 'upper')).toContain('support.function.filter.followup');
        expect(scopesOf(lines, '0')).toContain('constant.numeric.followup');
        expect(scopesOf(lines, '[')).toContain('punctuation.section.brackets.followup');
    });
});
