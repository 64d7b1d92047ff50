// Speaks LSP JSON-RPC over stdio to a server module started with `node <module> --stdio`, as an
// editor would: here the server bundle taken out of the .vsix.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type InitializeResult, type ProtocolConnection,
    type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node.js';

export interface LspChild {
    connection: ProtocolConnection;
    initialize: InitializeResult;
    /** Resolves with the first diagnostics for `uri` published after this call that satisfy `accept`. */
    diagnosticsFor(uri: string, accept?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
    stderr(): string;
    stop(): Promise<void>;
}

export async function startLspChild(module: string, workspaceFolder: string, cwd: string): Promise<LspChild> {
    const server: ChildProcess = spawn(process.execPath, [module, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    const waiting = new Set<(p: PublishDiagnosticsParams) => boolean>();
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        for (const waiter of [...waiting]) if (waiter(p)) waiting.delete(waiter);
    });
    connection.listen();
    const folderUri = pathToFileURL(workspaceFolder).toString();
    const initialize = await connection.sendRequest<InitializeResult>('initialize', {
        processId: process.pid, rootUri: folderUri, capabilities: {}, workspaceFolders: [{ uri: folderUri, name: 'project' }],
    });
    await connection.sendNotification('initialized', {});
    return {
        connection, initialize,
        diagnosticsFor(uri, accept = () => true, timeoutMs = 30_000) {
            return new Promise((resolve, reject) => {
                const timer = setTimeout(() => { waiting.delete(waiter); reject(new Error(`no matching diagnostics for ${uri}; server stderr: ${stderr}`)); }, timeoutMs);
                const waiter = (p: PublishDiagnosticsParams) => {
                    if (p.uri !== uri || !accept(p)) return false;
                    clearTimeout(timer);
                    resolve(p);
                    return true;
                };
                waiting.add(waiter);
            });
        },
        stderr: () => stderr,
        async stop() {
            try {
                await connection.sendRequest('shutdown');
                await connection.sendNotification('exit');
            } catch { /* already gone */ }
            connection.dispose();
            server.kill();
        },
    };
}
