// In-memory documents for the editor services' unit tests: built with the same services as the
// server, a cursor written as `‸` in the text.
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import type { CompletionItem } from 'vscode-languageserver';
import { createFollowupServices } from '../../src/index.js';

export const { Followup, shared } = createFollowupServices(NodeFileSystem);

export const cursor = '‸';

/** Builds the files (one of which may hold the cursor), runs `use` on the cursor's document, then forgets them all. */
export async function withDocuments<T>(
    files: Record<string, string>, use: (document: LangiumDocument, offset: number) => Promise<T>,
): Promise<T> {
    const documents = shared.workspace.LangiumDocuments;
    let target: { document: LangiumDocument; offset: number } | undefined;
    const built = Object.entries(files).map(([name, withCursor]) => {
        const offset = withCursor.indexOf(cursor);
        const text = offset >= 0 ? withCursor.slice(0, offset) + withCursor.slice(offset + cursor.length) : withCursor;
        const document = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(`/memory/${name}`));
        documents.addDocument(document);
        if (offset >= 0 || !target) target = { document, offset: Math.max(offset, 0) };
        return document;
    });
    try {
        await shared.workspace.DocumentBuilder.build(built, { validation: false });
        return await use(target!.document, target!.offset);
    } finally {
        for (const document of built) documents.deleteDocument(document.uri);
    }
}

export async function completionAt(files: Record<string, string>): Promise<CompletionItem[]> {
    return withDocuments(files, async (document, offset) => {
        const list = await Followup.lsp.CompletionProvider!.getCompletion(document, {
            textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(offset),
        });
        return list?.items ?? [];
    });
}

export const labels = (items: CompletionItem[]): string[] => items.map(i => i.label);
export const withDetails = (items: CompletionItem[]): string[] => items.map(i => `${i.label}: ${i.detail}`);
