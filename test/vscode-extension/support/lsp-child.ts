// Speaks LSP JSON-RPC to a server module as an editor would: over stdio (`node <module> --stdio`),
// or over Node IPC the way vscode-languageclient forks a TransportKind.ipc server module. Here the
// module is the server bundle taken out of the .vsix.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
    createProtocolConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter,
    type InitializeResult, type MessageReader, type MessageWriter, type ProtocolConnection,
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

export async function startLspChild(module: string, workspaceFolder: string, cwd: string, transport: 'stdio' | 'ipc' = 'stdio'): Promise<LspChild> {
    let server: ChildProcess;
    let reader: MessageReader;
    let writer: MessageWriter;
    if (transport === 'stdio') {
        server = spawn(process.execPath, [module, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
        reader = new StreamMessageReader(server.stdout!);
        writer = new StreamMessageWriter(server.stdin!);
    } else {
        // What vscode-languageclient does for { module, transport: TransportKind.ipc }.
        server = fork(module, ['--node-ipc', `--clientProcessId=${process.pid}`], { cwd, silent: true, execArgv: [] });
        reader = new IPCMessageReader(server);
        writer = new IPCMessageWriter(server);
    }
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const connection = createProtocolConnection(reader, writer);
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
