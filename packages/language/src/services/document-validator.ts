import {
    DefaultDocumentValidator, type AstNode, type LangiumDocument, type ParseResult, type ReferenceInfo, type ValidationOptions
} from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type { Diagnostic } from 'vscode-languageserver-types';
import { explainUnresolved } from '../check/unresolved-reference.js';
import { DiagnosticCode } from '../check/codes.js';
import { parserHint } from './parser-hints.js';
import { conciseLexerMessage, conciseParserMessage } from './parser-messages.js';
import type { FollowupScopeProvider } from './scope-provider.js';

/**
 * Langium's own diagnostics, given the language's stable codes: parse and lex errors get FU001/FU002,
 * and an unresolved reference becomes "unknown event/field/type/message" with a "did you mean".
 */
export class FollowupDocumentValidator extends DefaultDocumentValidator {
    private readonly scopes: FollowupScopeProvider;

    constructor(services: LangiumServices) {
        super(services);
        this.scopes = services.references.ScopeProvider as FollowupScopeProvider;
    }

    protected override processLexingErrors(parseResult: ParseResult, diagnostics: Diagnostic[], options: ValidationOptions): void {
        const first = diagnostics.length;
        super.processLexingErrors(parseResult, diagnostics, options);
        for (const d of diagnostics.slice(first)) {
            d.code = DiagnosticCode.LexError;
            d.message = conciseLexerMessage(d.message);
        }
    }

    protected override processParsingErrors(parseResult: ParseResult, diagnostics: Diagnostic[], options: ValidationOptions): void {
        const first = diagnostics.length;
        super.processParsingErrors(parseResult, diagnostics, options);
        // One diagnostic per parser error, in order (Langium's processParsingErrors).
        diagnostics.slice(first).forEach((d, i) => {
            d.code = DiagnosticCode.SyntaxError;
            d.message = conciseParserMessage(d.message);
            const error = parseResult.parserErrors[i];
            const hint = error && parserHint(error);
            if (hint) {
                if (hint.message) d.message = hint.message;
                d.data = { ...(d.data as object | undefined), hint: hint.hint };
            }
        });
    }

    protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], _options: ValidationOptions): void {
        for (const reference of document.references) {
            const error = reference.error;
            if (!error) continue;
            const info: ReferenceInfo = error.info;
            const explained = explainUnresolved(info, this.scopes);
            if (!explained) continue; // a consequence of another error, reported there
            const node: AstNode = info.container;
            diagnostics.push(this.toDiagnostic(explained.severity ?? 'error', explained.message, {
                node,
                range: reference.$refNode?.range,
                code: explained.code,
                data: { code: explained.code, hint: explained.hint, refText: reference.$refText, candidates: explained.candidates },
            }));
        }
    }
}
