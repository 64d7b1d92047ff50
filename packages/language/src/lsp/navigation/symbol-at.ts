// What the cursor is on, for references and rename: a declaration's name, a reference to one, or a
// field named inside `{{ }}` in a message string.
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type { Range } from 'vscode-languageserver-types';
import { templateReferencesAt } from './template-references.js';

export interface SymbolAt {
    /** The declaration: an event, type, field, message, rule or the profile. */
    target: AstNode;
    /** The text under the cursor that names it. */
    range: Range;
}

export function symbolAt(services: LangiumServices, document: LangiumDocument, offset: number): SymbolAt | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findDeclarationNodeAtOffset(root, offset, services.parser.GrammarConfig.nameRegexp);
    const target = leaf && services.references.References.findDeclarations(leaf)[0];
    if (leaf && target) return { target, range: leaf.range };
    const inTemplate = templateReferencesAt(services.shared, document.uri.toString(), offset)[0];
    return inTemplate && { target: inTemplate.field, range: inTemplate.location.range };
}
