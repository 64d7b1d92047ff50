// The extension's entry point (bundled to dist/extension.cjs): starts the language client and
// registers the two commands the server's code lenses invoke.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { createLanguageClient } from './language-client.js';
import { previewMessage } from './preview-message.js';
import { commandIds } from './protocol.js';
import { showCompiledSql } from './show-compiled-sql.js';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const started = createLanguageClient(context);
    client = started;
    context.subscriptions.push(
        vscode.commands.registerCommand(commandIds.showCompiledSql, (...args: unknown[]) => showCompiledSql(started, args)),
        vscode.commands.registerCommand(commandIds.previewMessage, (...args: unknown[]) => previewMessage(started, args)),
    );
    await started.start();
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}
