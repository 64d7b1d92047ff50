// The outline: events (and the profile) with their fields, record types, messages named
// `name for event channel` (a message's name alone is not unique), and rules by name (a short
// rule's derived `<trigger>_<message>_<channel>`), each with a detail that says what it is.
import { GrammarUtils, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { DefaultDocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { typeToString } from '@followup/template';
import { isEvent, isField, isMessage, isPolicy, isProfile, isRecordType, isRule, type Policy } from '../generated/ast.js';
import { typeOfTypeRef } from '../model/schema.js';

export class FollowupDocumentSymbolProvider extends DefaultDocumentSymbolProvider {
    /** A `policy { }` block has no name: it is shown as `policy`, with what it sets. */
    protected override getSymbol(document: LangiumDocument, node: AstNode): DocumentSymbol[] {
        if (isPolicy(node) && node.$cstNode) return [policySymbol(node)];
        return super.getSymbol(document, node);
    }


    protected override createSymbol(document: LangiumDocument, node: AstNode, cstNode: CstNode, nameNode: CstNode, computedName?: string): DocumentSymbol {
        const symbol = super.createSymbol(document, node, cstNode, nameNode, computedName);
        if (isEvent(node)) return { ...symbol, kind: SymbolKind.Event, detail: node.targetsProfile ? 'event targeting the profile' : 'event' };
        if (isProfile(node)) return { ...symbol, kind: SymbolKind.Object, detail: 'profile' };
        if (isRecordType(node)) return { ...symbol, kind: SymbolKind.Struct, detail: 'type' };
        if (isField(node)) return { ...symbol, kind: SymbolKind.Field, detail: `${typeToString(typeOfTypeRef(node.type))}${node.optional ? '?' : ''}` };
        if (isMessage(node)) {
            return {
                ...symbol, kind: SymbolKind.String, name: `${node.name} for ${node.event?.$refText ?? '?'} ${node.channel}`,
                detail: node.parts.map(p => p.part).join(', '),
            };
        }
        if (isRule(node)) {
            const trigger = node.trigger;
            const delay = trigger?.delay ? `${trigger.delay.amount ?? 1} ${trigger.delay.unit}` : '';
            return {
                ...symbol, kind: SymbolKind.Function,
                detail: `${trigger?.source?.$refText ?? '?'} sent ${delay} ago → ${node.action?.message?.$refText ?? '?'} ${node.action?.channel ?? ''}`.trim(),
            };
        }
        return symbol;
    }
}

function policySymbol(policy: Policy): DocumentSymbol {
    const keyword = GrammarUtils.findNodeForKeyword(policy.$cstNode, 'policy') ?? policy.$cstNode!;
    const detail = policy.options.map(o => o.$type === 'Goal' ? `goal ${o.event?.$refText ?? '?'} for ${o.forEvent?.$refText ?? '?'}`
        : (o.$type === 'Limit' ? `limit ${o.count}` : 'quiet hours') + (o.channel ? ` on ${o.channel}` : '')).join(', ');
    return { name: 'policy', kind: SymbolKind.Namespace, detail, range: policy.$cstNode!.range, selectionRange: keyword.range };
}
