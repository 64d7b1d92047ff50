// Folding: each declaration's block, each `"""` text block, and runs of three or more `//` lines
// (comments on lines of their own).
// Not the message parts or conditions inside a block (they would only repeat the string's fold).
import { CstUtils, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { DefaultFoldingRangeProvider, type FoldingRangeAcceptor } from 'langium/lsp';
import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import { isModel, isTextLiteral } from '../generated/ast.js';

export class FollowupFoldingRangeProvider extends DefaultFoldingRangeProvider {
    protected override shouldProcess(node: AstNode): boolean {
        return isModel(node.$container) || isTextLiteral(node);
    }

    /** The closing `"""` stays visible, like a block's `}`. */
    protected override includeLastFoldingLine(node: CstNode, kind?: FoldingRangeKind): boolean {
        return !node.text.endsWith('"""') && super.includeLastFoldingLine(node, kind);
    }

    protected override collectCommentFolding(document: LangiumDocument, node: AstNode, acceptor: FoldingRangeAcceptor): void {
        super.collectCommentFolding(document, node, acceptor);
        if (!node.$cstNode) return;
        let run: CstNode[] = [];
        const flush = () => {
            if (run.length >= 3) acceptor(FoldingRange.create(run[0]!.range.start.line, run[run.length - 1]!.range.end.line, undefined, undefined, FoldingRangeKind.Comment));
            run = [];
        };
        const text = document.textDocument.getText();
        // A comment after code on its line is that line's, not part of a block of comments.
        const ownLine = (leaf: CstNode) => text.slice(text.lastIndexOf('\n', leaf.offset - 1) + 1, leaf.offset).trim() === '';
        for (const leaf of CstUtils.flattenCst(node.$cstNode)) {
            if (!isLeafCstNode(leaf) || leaf.tokenType.name !== 'SL_COMMENT' || !ownLine(leaf)) {
                if (!leaf.hidden) flush();
                continue;
            }
            const previous = run[run.length - 1];
            if (previous && leaf.range.start.line !== previous.range.start.line + 1) flush();
            run.push(leaf);
        }
        flush();
    }
}
