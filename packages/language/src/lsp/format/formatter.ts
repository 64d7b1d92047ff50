// Formatting in the house style of examples/ (see layout.ts). Only the white space between tokens
// is ever edited, so no comment and no string content can be lost or moved. A document with
// syntax errors gets no edits: its structure is a guess, and a formatter must never make it worse.
import type { LangiumDocument, MaybePromise } from 'langium';
import type { Formatter } from 'langium/lsp';
import type {
    DocumentFormattingParams, DocumentOnTypeFormattingOptions, DocumentOnTypeFormattingParams, DocumentRangeFormattingParams, Range, TextEdit,
} from 'vscode-languageserver';
import { isModel } from '../../generated/ast.js';
import type { FollowupServices } from '../../services/followup-module.js';
import { layoutGaps, type LayoutToken } from './layout.js';
import { layoutMarks } from './layout-marks.js';

interface GapEdit {
    start: number;
    end: number;
    text: string;
}

export class FollowupFormatter implements Formatter {
    constructor(private readonly services: FollowupServices) {}

    readonly formatOnTypeOptions: DocumentOnTypeFormattingOptions | undefined = undefined;

    formatDocument(document: LangiumDocument, _params: DocumentFormattingParams): MaybePromise<TextEdit[]> {
        return this.toTextEdits(document, this.gapEdits(document));
    }

    formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): MaybePromise<TextEdit[]> {
        const from = document.textDocument.offsetAt(params.range.start);
        const to = document.textDocument.offsetAt(params.range.end);
        return this.toTextEdits(document, this.gapEdits(document).filter(e => e.start >= from && e.end <= to));
    }

    formatDocumentOnType(_document: LangiumDocument, _params: DocumentOnTypeFormattingParams): MaybePromise<TextEdit[]> {
        return [];
    }

    /** The edits of the white space between tokens that differs from the house style; none when the document does not parse. */
    gapEdits(document: LangiumDocument): GapEdit[] {
        const { parseResult } = document;
        if (parseResult.lexerErrors.length > 0 || parseResult.parserErrors.length > 0 || !isModel(parseResult.value)) return [];
        const text = document.textDocument.getText();
        const lexed = this.services.parser.Lexer.tokenize(text);
        if (lexed.errors.length > 0) return [];
        const tokens: LayoutToken[] = [...lexed.tokens, ...lexed.hidden]
            .sort((a, b) => a.startOffset - b.startOffset)
            .map(t => {
                // A line comment's trailing blanks are white space like any other (the lexer keeps them in the token).
                const image = t.tokenType.name === 'SL_COMMENT' ? t.image.trimEnd() : t.image;
                return { image, start: t.startOffset, end: t.startOffset + image.length, type: t.tokenType.name };
            });
        const gaps = layoutGaps(text, tokens, layoutMarks(parseResult.value));
        const edits: GapEdit[] = [];
        gaps.forEach((gap, i) => {
            const start = i === 0 ? 0 : tokens[i - 1]!.end;
            const end = i < tokens.length ? tokens[i]!.start : text.length;
            if (text.slice(start, end) !== gap) edits.push({ start, end, text: gap });
        });
        return edits;
    }

    private toTextEdits(document: LangiumDocument, edits: GapEdit[]): TextEdit[] {
        const range = (start: number, end: number): Range => ({
            start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end),
        });
        return edits.map(e => ({ range: range(e.start, e.end), newText: e.text }));
    }
}

/** The document's text as formatted (tests, tools): the edits applied. */
export function formattedText(formatter: FollowupFormatter, document: LangiumDocument): string {
    const text = document.textDocument.getText();
    let out = '';
    let at = 0;
    for (const edit of formatter.gapEdits(document)) {
        out += text.slice(at, edit.start) + edit.text;
        at = edit.end;
    }
    return out + text.slice(at);
}
