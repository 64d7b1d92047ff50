// The formatter, through the services: the house style, idempotence, comments and strings kept,
// nothing done to a file that does not parse. (Over LSP: test/lsp/formatting.test.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formattedText, type FollowupFormatter } from '../../src/lsp/format/formatter.js';
import { Followup, withDocuments } from './documents.js';

const formatter = Followup.lsp.Formatter as FollowupFormatter;
const format = (text: string): Promise<string> => withDocuments({ 'file.followup': text }, async document => formattedText(formatter, document));

/** The comments and the other tokens of a text, as the language's lexer cuts them. */
function tokensOf(text: string): { comments: string[]; code: string[] } {
    const lexed = Followup.parser.Lexer.tokenize(text);
    // A line comment's token runs to the end of the line: its trailing blanks are white space.
    return { comments: lexed.hidden.map(t => t.image.trimEnd()), code: lexed.tokens.map(t => t.image) };
}

const examples = path.resolve(import.meta.dirname, '../../../../examples');
// Source files only: not a project's `.followup/` store folder.
const exampleFiles = fs.readdirSync(examples, { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.followup') && fs.statSync(path.join(examples, f)).isFile() && !f.split(path.sep).includes('.followup'))
    .sort();

describe('formatting', () => {
    it('gives the canonical text of a badly formatted file', async () => {
        const bad = [
            'event   cart{ key id id :string  items : list < Line >',
            '     total: decimal }',
            'type Line {sku:string  price:decimal?}',
            '    // chases carts',
            'followup chase {when cart sent 3 days ago and total>3',
            'and not opened   // aligned on purpose',
            ' then send reminder email expire 2 days}',
            '',
            '',
            '',
            'when cart sent 1 day ago and count( items )>=2 and id in("a","b") then send reminder email',
            'message reminder for cart email { subject: "x"   text: """',
            '   keep   this   {{ id }}',
            '"""}',
        ].join('\n');
        expect(await format(bad)).toBe([
            'event cart {',
            '  key id',
            '  id: string',
            '  items: list<Line>',
            '  total: decimal',
            '}',
            'type Line { sku: string  price: decimal? }',
            '// chases carts',
            'followup chase {',
            '  when cart sent 3 days ago and total > 3',
            '   and not opened   // aligned on purpose',
            '  then send reminder email',
            '  expire 2 days',
            '}',
            '',
            'when cart sent 1 day ago and count(items) >= 2 and id in ("a", "b") then send reminder email',
            'message reminder for cart email {',
            '  subject: "x"',
            '  text: """',
            '   keep   this   {{ id }}',
            '"""',
            '}',
            '',
        ].join('\n'));
    });

    it('indents the later lines of a short rule inside it, and comments like the code they precede', async () => {
        expect(await format('when cart sent 1 day ago\n// why\nand not opened\n        then send reminder email\n')).toBe(
            'when cart sent 1 day ago\n   // why\n   and not opened\n  then send reminder email\n');
    });

    it('keeps a block on one line when it was, and a comment before `}` inside the block', async () => {
        expect(await format('type A {x:int}\nevent b {\n  x: A\n// last\n}\n')).toBe('type A { x: int }\nevent b {\n  x: A\n  // last\n}\n');
    });

    it('keeps comments inside one-line blocks, after `{`, and formats empty blocks', async () => {
        expect(await format('type A {a:int /* why */ b:int}\nevent b { // the b event\nx: A}\nevent c {}\nevent d {\n}\n')).toBe(
            'type A { a: int /* why */ b: int }\nevent b { // the b event\n  x: A\n}\nevent c {}\nevent d {\n}\n');
    });

    it('formats a range: only the white space inside it', async () => {
        const text = 'event a {\n      x: int\n      y: int\n}\nevent   b { z :int }\n';
        await withDocuments({ 'range.followup': text }, async document => {
            const edits = await formatter.formatDocumentRange(document, {
                textDocument: { uri: document.uri.toString() }, options: { tabSize: 2, insertSpaces: true },
                range: { start: { line: 4, character: 0 }, end: { line: 4, character: 20 } },
            });
            expect(edits.map(e => [e.range.start.line, e.newText])).toEqual([[4, ' '], [4, ''], [4, ' ']]);
        });
    });

    it('does nothing to a file with syntax errors', async () => {
        await withDocuments({ 'broken.followup': 'event   a {  x: }\nwhen  a sent' }, async document => {
            expect(formatter.gapEdits(document)).toEqual([]);
        });
    });

    it('removes the blanks at the end of a line comment', async () => {
        expect(await format('// note   \nevent a { x: int }  // end\t\n')).toBe('// note\nevent a { x: int }  // end\n');
    });

    it('keeps CRLF line breaks', async () => {
        expect(await format('event a {\r\n    x: int\r\n}')).toBe('event a {\r\n  x: int\r\n}\r\n');
    });

    it.each(exampleFiles)('leaves examples/%s as it is (the house style), and formatting twice changes nothing', async file => {
        const text = fs.readFileSync(path.join(examples, file), 'utf8');
        const once = await format(text);
        expect(once).toBe(text);
        expect(await format(once)).toBe(once);
    });

    it('on every example with its white space scrambled: same tokens and comments, idempotent, and it parses', async () => {
        let seed = 7;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        for (const file of exampleFiles) {
            const text = fs.readFileSync(path.join(examples, file), 'utf8');
            const lexed = Followup.parser.Lexer.tokenize(text);
            const all = [...lexed.tokens, ...lexed.hidden].sort((a, b) => a.startOffset - b.startOffset);
            for (let round = 0; round < 5; round++) {
                // Any white space between two tokens (a line break after a line comment).
                let scrambled = '';
                all.forEach((t, i) => {
                    const previous = all[i - 1];
                    const needsBreak = previous?.tokenType.name === 'SL_COMMENT';
                    const choices = [' ', '  ', '\n', '\n\n\n', '\t', ' \n   '];
                    const gap = choices[Math.floor(random() * choices.length)]!;
                    scrambled += (i === 0 ? '' : needsBreak && !gap.includes('\n') ? '\n' : gap) + t.image;
                });
                const once = await format(scrambled);
                expect(tokensOf(once)).toEqual(tokensOf(text));
                expect(await format(once)).toBe(once);
                await withDocuments({ 'again.followup': once }, async document => {
                    expect(document.parseResult.parserErrors).toEqual([]);
                });
            }
        }
    });
});
