import { DefaultNameProvider, type AstNode, type CstNode, GrammarUtils } from 'langium';
import { isProfile, isRule, type Rule } from '../generated/ast.js';

/**
 * A short rule (`when ... then send m c`) has no written name: it is named
 * `<trigger>_<message>_<channel>`. Built from the reference texts, not the resolved targets,
 * because names are needed to index documents before anything is linked.
 */
export function derivedRuleName(rule: Rule): string {
    return `${rule.trigger?.source?.$refText ?? ''}_${rule.action?.message?.$refText ?? ''}_${rule.action?.channel ?? ''}`;
}

export class FollowupNameProvider extends DefaultNameProvider {
    override getName(node: AstNode): string | undefined {
        if (isRule(node)) return node.name ?? derivedRuleName(node);
        if (isProfile(node)) return 'profile';
        return super.getName(node);
    }

    override getNameNode(node: AstNode): CstNode | undefined {
        if (isRule(node) && !node.name) return node.$cstNode;
        if (isProfile(node)) return GrammarUtils.findNodeForKeyword(node.$cstNode, 'profile');
        return super.getNameNode(node);
    }
}
