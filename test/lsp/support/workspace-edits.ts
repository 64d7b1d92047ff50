// Applying an LSP WorkspaceEdit to a project on disk, as an editor would.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';

export function applyTextEdits(text: string, edits: TextEdit[]): string {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    for (const edit of sorted) text = text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
    return text;
}

/** Writes each changed file; returns the changed files' paths. */
export function applyWorkspaceEdit(edit: WorkspaceEdit): string[] {
    return Object.entries(edit.changes ?? {}).map(([uri, edits]) => {
        const file = fileURLToPath(uri);
        fs.writeFileSync(file, applyTextEdits(fs.readFileSync(file, 'utf8'), edits));
        return file;
    });
}
