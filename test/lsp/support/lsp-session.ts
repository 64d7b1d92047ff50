// An editor's side of the wire: starts `followup lsp --stdio` (the built binary: `npm test` builds
// first) on a copy of an example project and speaks LSP JSON-RPC to it, as VS Code would.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection,
    type InitializeResult, type PublishDiagnosticsParams, type ServerCapabilities,
} from 'vscode-languageserver-protocol/node.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface LspSession {
    connection: ProtocolConnection;
    /** What the server announced in its initialize result (semantic token legend, trigger characters, ...). */
    capabilities: ServerCapabilities;
    /** The project's copy on disk (a temp folder). */
    project: string;
    uri(file: string): string;
    /** The file's current text on disk. */
    text(file: string): string;
    /** The next diagnostics published for the file after this call. */
    nextDiagnostics(fileUri: string, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
    /** Every diagnostics notification received so far, by URI. */
    diagnostics: Map<string, PublishDiagnosticsParams[]>;
    open(file: string, text?: string): Promise<void>;
    change(file: string, text: string, version: number): Promise<void>;
    close(): Promise<void>;
}

/** Copies `examples/<example>` to a temp folder (without its `.followup/` store) and starts the server on it. */
export async function startLspSession(example = 'cart-abandonment'): Promise<LspSession> {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-lsp-'));
    const project = path.join(temp, example);
    fs.cpSync(path.join(repoRoot, 'examples', example), project, {
        recursive: true, filter: from => !from.split(path.sep).includes('.followup') || from.endsWith('.followup'),
    });
    const uri = (file: string) => pathToFileURL(path.join(project, file)).toString();
    const server: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'packages/cli/bin/followup.js'), 'lsp', '--stdio'], {
        stdio: ['pipe', 'pipe', 'inherit'],
    });
    const connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    const diagnostics = new Map<string, PublishDiagnosticsParams[]>();
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        diagnostics.set(p.uri, [...(diagnostics.get(p.uri) ?? []), p]);
    });
    connection.listen();
    const initialized = await connection.sendRequest('initialize', {
        processId: process.pid, rootUri: pathToFileURL(project).toString(), capabilities: {},
        workspaceFolders: [{ uri: pathToFileURL(project).toString(), name: example }],
    }) as InitializeResult;
    await connection.sendNotification('initialized', {});

    function nextDiagnostics(fileUri: string, timeoutMs = 30_000): Promise<PublishDiagnosticsParams> {
        const seen = diagnostics.get(fileUri)?.length ?? 0;
        return new Promise((resolve, reject) => {
            const started = Date.now();
            const poll = setInterval(() => {
                const list = diagnostics.get(fileUri) ?? [];
                if (list.length > seen) { clearInterval(poll); resolve(list[list.length - 1]!); }
                else if (Date.now() - started > timeoutMs) { clearInterval(poll); reject(new Error(`no diagnostics for ${fileUri}`)); }
            }, 10);
        });
    }
    const text = (file: string) => fs.readFileSync(path.join(project, file), 'utf8');
    return {
        connection, capabilities: initialized.capabilities, project, uri, text, nextDiagnostics, diagnostics,
        async open(file, contents) {
            await connection.sendNotification('textDocument/didOpen', {
                textDocument: { uri: uri(file), languageId: 'followup', version: 1, text: contents ?? text(file) },
            });
        },
        async change(file, contents, version) {
            await connection.sendNotification('textDocument/didChange', {
                textDocument: { uri: uri(file), version }, contentChanges: [{ text: contents }],
            });
        },
        async close() {
            try {
                await connection.sendRequest('shutdown');
                await connection.sendNotification('exit');
            } catch { /* the server may be gone already */ }
            connection.dispose();
            server.kill();
            fs.rmSync(temp, { recursive: true, force: true });
        },
    };
}

/** The zero-based position of `marker`'s end (or of its start + `offset`) in `text`. */
export function positionOf(text: string, marker: string, offset = marker.length): { line: number; character: number } {
    const index = text.indexOf(marker);
    if (index < 0) throw new Error(`marker not found: ${marker}`);
    const before = text.slice(0, index + offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** `text` with LSP text edits applied (non-overlapping, in any order), as an editor applies them. */
export function applyTextEdits(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    let out = text;
    for (const edit of sorted) out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
    return out;
}
