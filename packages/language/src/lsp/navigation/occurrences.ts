// Every place that names a declaration: its own name, Langium's cross-references (across files),
// and field names inside `{{ }}` (inline parts and template files).
import { AstUtils, type AstNode } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type { Location } from 'vscode-languageserver-types';
import { isField } from '../../generated/ast.js';
import { templateReferencesTo } from './template-references.js';

export function occurrencesOf(services: LangiumServices, target: AstNode, includeDeclaration: boolean): Location[] {
    const locations: Location[] = services.references.References.findReferences(target, { includeDeclaration })
        .map(r => ({ uri: r.sourceUri.toString(), range: r.segment.range }))
        .toArray();
    if (isField(target)) locations.push(...templateReferencesTo(services.shared, target).map(r => r.location));
    return locations;
}

/** Where a declaration's name is written (for a short rule, the whole rule: it has no name of its own). */
export function declarationLocation(services: LangiumServices, target: AstNode): Location | undefined {
    const node = services.references.NameProvider.getNameNode(target) ?? target.$cstNode;
    if (!node) return undefined;
    return { uri: AstUtils.getDocument(target).uri.toString(), range: node.range };
}
