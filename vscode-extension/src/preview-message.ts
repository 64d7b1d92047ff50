// "Followup: Preview message": renders a rule's message (or a message declaration) for a sample
// event on the server and shows it in one webview beside the editor, reused between previews.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { previewTarget } from './command-target.js';
import { previewPage } from './preview-page.js';
import { previewMessageRequest } from './protocol.js';
import { showRequestError } from './request-error.js';

let panel: vscode.WebviewPanel | undefined;

function previewPanel(): vscode.WebviewPanel {
    if (panel) { panel.reveal(vscode.ViewColumn.Beside, true); return panel; }
    panel = vscode.window.createWebviewPanel('followup.preview', 'Message preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: false,
        enableForms: false,
        localResourceRoots: [],
    });
    panel.onDidDispose(() => { panel = undefined; });
    return panel;
}

export async function previewMessage(client: LanguageClient, args: unknown[]): Promise<void> {
    const target = await previewTarget(args);
    if (!target) return;
    const title = 'rule' in target ? `Preview: ${target.rule}` : `Preview: ${target.message.name} (${target.message.event}, ${target.message.channel})`;
    try {
        const result = await client.sendRequest(previewMessageRequest, target);
        if (!result) { void vscode.window.showWarningMessage(`Nothing to preview for ${title.slice('Preview: '.length)}.`); return; }
        const view = previewPanel();
        view.title = title;
        view.webview.html = previewPage(title, result);
    } catch (error) {
        showRequestError(`Could not preview ${title.slice('Preview: '.length)}`, error);
    }
}
