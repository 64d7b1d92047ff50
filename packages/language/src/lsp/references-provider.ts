// Find references: Langium's cross-references across files, plus fields named inside `{{ }}`
// (inline message strings and template files); works from a `{{ }}` name too.
import type { LangiumDocument, MaybePromise } from 'langium';
import type { LangiumServices, ReferencesProvider } from 'langium/lsp';
import type { CancellationToken, Location, ReferenceParams } from 'vscode-languageserver';
import { occurrencesOf } from './navigation/occurrences.js';
import { symbolAt } from './navigation/symbol-at.js';

export class FollowupReferencesProvider implements ReferencesProvider {
    constructor(private readonly services: LangiumServices) {}

    findReferences(document: LangiumDocument, params: ReferenceParams, _token?: CancellationToken): MaybePromise<Location[]> {
        const symbol = symbolAt(this.services, document, document.textDocument.offsetAt(params.position));
        return symbol ? occurrencesOf(this.services, symbol.target, params.context.includeDeclaration) : [];
    }
}
