// "Followup: Show compiled SQL": asks the server for the rule's SQL and opens it beside the rule,
// as an untitled SQL document the user can read, copy or save.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { ruleTarget } from './command-target.js';
import { compiledSqlRequest } from './protocol.js';
import { showRequestError } from './request-error.js';

export async function showCompiledSql(client: LanguageClient, args: unknown[]): Promise<void> {
    const target = await ruleTarget(args);
    if (!target) return;
    try {
        const result = await client.sendRequest(compiledSqlRequest, target);
        if (!result) { void vscode.window.showWarningMessage(`No compiled SQL for rule ${target.rule}.`); return; }
        const document = await vscode.workspace.openTextDocument({ language: 'sql', content: result.sql });
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    } catch (error) {
        showRequestError(`Could not compile rule ${target.rule}`, error);
    }
}
