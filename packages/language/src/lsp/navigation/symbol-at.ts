// What the cursor is on, for definition, references and rename: a declaration's name, a reference
// to one, or a field named inside `{{ }}`.
import { AstUtils, CstUtils, URI, type AstNode, type LangiumDocument } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type { Range } from 'vscode-languageserver-types';
import { templateReferencesAt } from './template-references.js';

export interface SymbolAt {
    /** The declaration: an event, type, field, message, rule or the profile. */
    target: AstNode;
    /** The text under the cursor that names it. */
    range: Range;
    /** Whether the cursor is on the declaration itself rather than a use. */
    isDeclaration: boolean;
}

export function normalizeUri(uri: string): string {
    return URI.parse(uri).toString();
}

export function symbolAt(services: LangiumServices, document: LangiumDocument, offset: number): SymbolAt | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findDeclarationNodeAtOffset(root, offset, services.parser.GrammarConfig.nameRegexp);
    if (leaf) {
        const targets = services.references.References.findDeclarations(leaf);
        const target = targets[0];
        if (target) {
            const nameNode = services.references.NameProvider.getNameNode(target);
            const isDeclaration = nameNode !== undefined && AstUtils.getDocument(target) === document
                && nameNode.offset <= leaf.offset && leaf.end <= nameNode.end;
            return { target, range: leaf.range, isDeclaration };
        }
    }
    // Inside a message string: a field named in `{{ }}`.
    const inTemplate = templateReferencesAt(services.shared, document.uri.toString(), offset)[0];
    if (inTemplate) return { target: inTemplate.field, range: inTemplate.location.range, isDeclaration: false };
    return undefined;
}
