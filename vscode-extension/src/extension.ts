// The extension's entry point (bundled to dist/extension.cjs): the "followup" output channel (the
// extension's log and the language server's), the language client, the read-only compiled SQL
// documents, the message previews and the test runs, with the commands the server's code lenses invoke.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { createLanguageClient } from './language-client.js';
import { MessagePreviews } from './preview-message.js';
import { commandIds } from './protocol.js';
import { CompiledSqlDocuments, showCompiledSql } from './show-compiled-sql.js';
import { TestRuns } from './run-tests.js';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('followup', { log: true });
    const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
    log.info(`followup extension ${version} activating (VS Code ${vscode.version})`);
    const started = createLanguageClient(context, log);
    client = started;
    context.subscriptions.push(
        log,
        new CompiledSqlDocuments(started, log),
        new MessagePreviews(started, log),
        new TestRuns(started, log),
        vscode.commands.registerCommand(commandIds.showCompiledSql, (...args: unknown[]) => showCompiledSql(started, args)),
    );
    await started.start();
    log.info('language server running');
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}
