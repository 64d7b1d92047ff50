// Quick fixes of goals and holdouts (docs/measuring.md): FU202 — a rule's goal with `for <event>` loses
// it, a policy's goal without one gains `for <event>` (one fix per event that has rules); FU201 — a
// holdout share out of range becomes 10%.
import { CstUtils, GrammarUtils, type LangiumDocument } from 'langium';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { isGoal, isHoldout, isPolicy } from '../generated/ast.js';
import { DiagnosticCode } from '../check/codes.js';

export function goalActions(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
    const root = document.parseResult.value.$cstNode;
    const node = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start))?.astNode;
    const uri = document.uri.toString();
    const fix = (title: string, range: Diagnostic['range'], newText: string): CodeAction => ({
        title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range, newText }] } },
    });
    if (diagnostic.code === DiagnosticCode.HoldoutShare && isHoldout(node) && node.$cstNode) {
        const share = GrammarUtils.findNodeForProperty(node.$cstNode, 'share');
        return share ? [fix('Change to 10%', share.range, '10')] : [];
    }
    if (diagnostic.code !== DiagnosticCode.GoalScope || !isGoal(node) || !node.$cstNode) return [];
    if (!isPolicy(node.$container)) {
        const keyword = GrammarUtils.findNodeForKeyword(node.$cstNode, 'for');
        const event = GrammarUtils.findNodeForProperty(node.$cstNode, 'forEvent');
        if (!keyword || !event) return [];
        const start = document.textDocument.positionAt(keyword.offset - (/\s$/.test(document.textDocument.getText().slice(0, keyword.offset)) ? 1 : 0));
        return [fix(`Remove 'for ${event.text}'`, { start, end: event.range.end }, '')];
    }
    const events = ((diagnostic.data as { forEvents?: string[] } | undefined)?.forEvents ?? []);
    const end = node.$cstNode.range.end;
    return events.map((e) => fix(`Add 'for ${e}'`, { start: end, end }, ` for ${e}`));
}
