// Go to definition: Langium's cross-references (events, types, fields, messages, rules — a chained
// trigger names a short rule by its derived name), plus fields named inside `{{ }}` in message strings.
import type { LangiumDocument, MaybePromise } from 'langium';
import { DefaultDefinitionProvider, type LangiumServices } from 'langium/lsp';
import type { CancellationToken, DefinitionParams, LocationLink } from 'vscode-languageserver';
import { declarationLocation } from './navigation/occurrences.js';
import { templateReferencesAt, type TemplateFieldReference } from './navigation/template-references.js';

/** Links from `{{ }}` field names to the fields' declarations. */
export function templateDefinitionLinks(services: LangiumServices, refs: TemplateFieldReference[]): LocationLink[] {
    return refs.flatMap(ref => {
        const target = declarationLocation(services, ref.field);
        const whole = ref.field.$cstNode?.range ?? target?.range;
        return target && whole ? [{ originSelectionRange: ref.location.range, targetUri: target.uri, targetRange: whole, targetSelectionRange: target.range }] : [];
    });
}

export class FollowupDefinitionProvider extends DefaultDefinitionProvider {
    constructor(private readonly services: LangiumServices) {
        super(services);
    }

    override getDefinition(document: LangiumDocument, params: DefinitionParams, token?: CancellationToken): MaybePromise<LocationLink[] | undefined> {
        const links = super.getDefinition(document, params, token) as LocationLink[] | undefined;
        if (links?.length) return links;
        const refs = templateReferencesAt(this.services.shared, document.uri.toString(), document.textDocument.offsetAt(params.position));
        const fromTemplate = templateDefinitionLinks(this.services, refs);
        return fromTemplate.length ? fromTemplate : undefined;
    }
}
