// The client half: VS Code forks the bundled server (dist/server.cjs) with its own Node and talks
// to it over IPC, so nothing the server prints can corrupt the protocol.
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node.js';

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.OutputChannel): LanguageClient {
    const module = context.asAbsolutePath('dist/server.cjs');
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
        // Template files are checked by the server as part of their project and their diagnostics
        // pushed by URI; only `.followup` documents are synchronised.
        // HTML too: a message's template file (`html: file "templates/x.html"`) gets the checker's
        // diagnostics, definitions, references, renames and quick fixes for its `{{ }}`; the server
        // answers nothing for HTML files no message uses.
        documentSelector: [{ scheme: 'file', language: 'followup' }, { scheme: 'file', language: 'html' }],
        // The extension's own "followup" channel: the server's log (connection.console) goes there too.
        outputChannel,
    };
    return new LanguageClient('followup', 'followup language server', serverOptions, clientOptions);
}
