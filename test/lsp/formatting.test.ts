// Acceptance: formatting every example file twice through the language server changes nothing the
// second time and never loses a comment (real LSP JSON-RPC to `followup lsp --stdio`, built binary).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextEdit } from 'vscode-languageserver-protocol/node.js';
import { createFollowupServices } from '@followup/language';
import { applyTextEdits, repoRoot, startLspSession, type LspSession } from './support/lsp-session.js';

const examples = ['cart-abandonment', 'order-shipped'];
const lexer = createFollowupServices(NodeFileSystem).Followup.parser.Lexer;

/** The comments of a text, in order, as the language's lexer cuts them (a line comment's trailing blanks are white space). */
const commentsOf = (text: string): string[] => lexer.tokenize(text).hidden.map(t => t.image.trimEnd());
/** Every other token, in order. */
const codeOf = (text: string): string[] => lexer.tokenize(text).tokens.map(t => t.image);

const sessions = new Map<string, LspSession>();

beforeAll(async () => {
    for (const example of examples) sessions.set(example, await startLspSession(example));
});

afterAll(async () => {
    for (const session of sessions.values()) await session.close();
});

async function format(session: LspSession, file: string, text: string, version: number): Promise<TextEdit[]> {
    if (version === 1) await session.open(file, text);
    else await session.change(file, text, version);
    return await session.connection.sendRequest('textDocument/formatting', {
        textDocument: { uri: session.uri(file) }, options: { tabSize: 2, insertSpaces: true },
    }) as TextEdit[];
}

const files = examples.flatMap(example => fs.readdirSync(path.join(repoRoot, 'examples', example))
    .filter(f => f.endsWith('.followup') && fs.statSync(path.join(repoRoot, 'examples', example, f)).isFile())
    .sort()
    .map(file => [example, file] as const));

describe('formatting the examples over LSP', () => {
    it.each(files)('%s/%s: the second pass has no edits, and every comment and token is kept', async (example, file) => {
        const session = sessions.get(example)!;
        const original = session.text(file);
        const once = applyTextEdits(original, await format(session, file, original, 1));
        expect(await format(session, file, once, 2)).toEqual([]);
        expect(commentsOf(once)).toEqual(commentsOf(original));
        expect(codeOf(once)).toEqual(codeOf(original));
    });

    it('the same for an example file with its layout undone (one line per token, no indentation)', async () => {
        const session = sessions.get('cart-abandonment')!;
        const original = session.text('rules.followup');
        const tokens = [...lexer.tokenize(original).tokens, ...lexer.tokenize(original).hidden].sort((a, b) => a.startOffset - b.startOffset);
        const undone = tokens.map(t => t.image).join('\n');
        const once = applyTextEdits(undone, await format(session, 'undone.followup', undone, 1));
        expect(await format(session, 'undone.followup', once, 2)).toEqual([]);
        expect(commentsOf(once)).toEqual(commentsOf(original));
        expect(codeOf(once)).toEqual(codeOf(original));
    });
});
