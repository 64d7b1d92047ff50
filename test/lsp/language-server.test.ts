// The language server as an editor sees it: a child process speaking LSP JSON-RPC over stdio
// (the built binary: `npm test` builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection,
    type PublishDiagnosticsParams, type CompletionList, type CompletionItem, type Location,
} from 'vscode-languageserver-protocol/node.js';

const repo = path.resolve(import.meta.dirname, '../..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-lsp-'));
const project = path.join(temp, 'cart-abandonment');
fs.cpSync(path.join(repo, 'examples/cart-abandonment'), project, {
    recursive: true, filter: from => !from.split(path.sep).includes('.followup') || from.endsWith('.followup'),
});
const uri = (file: string) => pathToFileURL(path.join(project, file)).toString();

let server: ChildProcess;
let connection: ProtocolConnection;
const diagnostics = new Map<string, PublishDiagnosticsParams[]>();

function nextDiagnostics(fileUri: string, timeoutMs = 30_000): Promise<PublishDiagnosticsParams> {
    const seen = diagnostics.get(fileUri)?.length ?? 0;
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
            const list = diagnostics.get(fileUri) ?? [];
            if (list.length > seen) { clearInterval(poll); resolve(list[list.length - 1]!); }
            else if (Date.now() - started > timeoutMs) { clearInterval(poll); reject(new Error(`no diagnostics for ${fileUri}`)); }
        }, 20);
    });
}

beforeAll(async () => {
    server = spawn(process.execPath, [path.join(repo, 'packages/cli/bin/followup.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        diagnostics.set(p.uri, [...(diagnostics.get(p.uri) ?? []), p]);
    });
    connection.listen();
    await connection.sendRequest('initialize', {
        processId: process.pid, rootUri: pathToFileURL(project).toString(), capabilities: {},
        workspaceFolders: [{ uri: pathToFileURL(project).toString(), name: 'cart-abandonment' }],
    });
    await connection.sendNotification('initialized', {});
});

afterAll(async () => {
    try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
    } catch { /* the server may be gone already */ }
    connection?.dispose();
    server?.kill();
    fs.rmSync(temp, { recursive: true, force: true });
});

const rulesText = () => fs.readFileSync(path.join(project, 'rules.followup'), 'utf8');

describe('followup lsp --stdio', () => {
    it('publishes the checker\'s diagnostics for a broken edit, and clears them when fixed', async () => {
        const broken = rulesText().replace('and not opened then send followup email', 'and not opened and cartTotl > 3 then send followup email');
        const pending = nextDiagnostics(uri('rules.followup'));
        await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('rules.followup'), languageId: 'followup', version: 1, text: broken } });
        let published = await pending;
        while (published.diagnostics.length === 0) published = await nextDiagnostics(uri('rules.followup'));
        expect(published.diagnostics.map(d => [d.code, d.message, d.range.start.line, d.range.start.character])).toEqual([
            ['FU101', "Unknown field 'cartTotl' on event 'cartAbandonment'", 1, 56],
        ]);
        const fixed = nextDiagnostics(uri('rules.followup'));
        await connection.sendNotification('textDocument/didChange', {
            textDocument: { uri: uri('rules.followup'), version: 2 }, contentChanges: [{ text: rulesText() }],
        });
        expect((await fixed).diagnostics).toEqual([]);
    });

    it('completes event names after `when`', async () => {
        const text = rulesText();
        const line = text.split('\n').findIndex(l => l.startsWith('when cartAbandonment sent 3 days'));
        const result = await connection.sendRequest('textDocument/completion', {
            textDocument: { uri: uri('rules.followup') }, position: { line, character: 'when '.length },
        }) as CompletionList | CompletionItem[];
        const items = Array.isArray(result) ? result : result.items;
        expect(items.map(i => i.label)).toContain('cartAbandonment');
    });

    it('goes to the definition of an event in another file', async () => {
        const text = rulesText();
        const line = text.split('\n').findIndex(l => l.startsWith('when cartAbandonment sent 3 days'));
        const result = await connection.sendRequest('textDocument/definition', {
            textDocument: { uri: uri('rules.followup') }, position: { line, character: 'when cartAb'.length },
        }) as Location[] | Location;
        const locations = (Array.isArray(result) ? result : [result]).map(l => ('targetUri' in l ? (l as unknown as { targetUri: string }).targetUri : l.uri));
        expect(locations).toEqual([uri('events.followup')]);
    });

    async function hoverAt(file: string, linePrefix: string, column: number): Promise<string> {
        const lines = fs.readFileSync(path.join(project, file), 'utf8').split('\n');
        const line = lines.findIndex(l => l.startsWith(linePrefix));
        const hover = await connection.sendRequest('textDocument/hover', {
            textDocument: { uri: uri(file) }, position: { line, character: column },
        }) as { contents: { value: string } } | null;
        return hover?.contents.value ?? '';
    }

    it('hovers: an event shows its fields, a field its type and owner, a rule its window in words', async () => {
        const event = await hoverAt('rules.followup', 'when cartAbandonment sent 3 days', 'when cartAb'.length);
        expect(event).toContain('**event cartAbandonment**');
        expect(event).toContain('cartTotal: decimal');
        expect(event).toContain('phone: phone?');
        const field = await hoverAt('rules.followup', '   and cartTotal >= 100', '   and cart'.length);
        expect(field).toBe('**cartTotal**: `decimal` — field of event `cartAbandonment`');
        const rule = await hoverAt('rules.followup', 'followup bigCartLastChance', 'followup bigCart'.length);
        expect(rule).toContain('**rule bigCartLastChance**');
        expect(rule).toContain('Runs every 1 day at 09:00 in Europe/Paris; each run selects deliveries sent between 8 days and 7 days before it');
    });
});
