// What a command acts on. A code lens passes `[uri, ruleName]`; from the command palette or the
// context menu it is the declaration at the cursor of the active `.followup` editor, or the one the
// user picks when the cursor is on none.
import * as vscode from 'vscode';
import { declarationAt, readOutline, type FollowupOutline } from './followup-outline.js';
import type { MessageRef } from './protocol.js';

export interface RuleTarget { uri: string; rule: string }
export type PreviewTarget = { uri: string; rule: string } | { uri: string; message: MessageRef };

/** The `[uri, ruleName]` a code lens passes, if that is what the command got. */
function lensArguments(args: unknown[]): RuleTarget | undefined {
    const [uri, rule] = args;
    return typeof uri === 'string' && typeof rule === 'string' ? { uri, rule } : undefined;
}

/**
 * Where a command invoked without a code lens acts: the active `.followup` editor's document, its
 * outline and the cursor's offset (undefined, with a hint shown, when no such editor is active).
 */
function editorContext(): { uri: string; outline: FollowupOutline; offset: number } | undefined {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId !== 'followup') {
        void vscode.window.showInformationMessage('Open a .followup file and put the cursor on a rule.');
        return undefined;
    }
    return {
        uri: editor.document.uri.toString(),
        outline: readOutline(editor.document.getText()),
        offset: editor.document.offsetAt(editor.selection.active),
    };
}

export async function ruleTarget(args: unknown[]): Promise<RuleTarget | undefined> {
    const fromLens = lensArguments(args);
    if (fromLens) return fromLens;
    const context = editorContext();
    if (!context) return undefined;
    const { uri, outline, offset } = context;
    const atCursor = declarationAt(outline.rules, offset);
    if (atCursor) return { uri, rule: atCursor.name };
    const names = outline.rules.map(r => r.name);
    if (names.length === 0) { void vscode.window.showInformationMessage('This file has no follow-up rule.'); return undefined; }
    const rule = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder: 'Which rule?' });
    return rule === undefined ? undefined : { uri, rule };
}

export async function previewTarget(args: unknown[]): Promise<PreviewTarget | undefined> {
    const fromLens = lensArguments(args);
    if (fromLens) return fromLens;
    const context = editorContext();
    if (!context) return undefined;
    const { uri, outline, offset } = context;
    const message = declarationAt(outline.messages, offset);
    if (message) return { uri, message: { name: message.name, event: message.event, channel: message.channel } };
    const rule = declarationAt(outline.rules, offset);
    if (rule) return { uri, rule: rule.name };
    const choices: Array<vscode.QuickPickItem & { target: PreviewTarget }> = [
        ...outline.rules.map(r => ({ label: r.name, description: 'rule', target: { uri, rule: r.name } })),
        ...outline.messages.map(m => ({
            label: m.name, description: `message for ${m.event} ${m.channel}`,
            target: { uri, message: { name: m.name, event: m.event, channel: m.channel } },
        })),
    ];
    if (choices.length === 0) { void vscode.window.showInformationMessage('This file has no rule or message to preview.'); return undefined; }
    if (choices.length === 1) return choices[0]!.target;
    return (await vscode.window.showQuickPick(choices, { placeHolder: 'Preview which rule or message?' }))?.target;
}
