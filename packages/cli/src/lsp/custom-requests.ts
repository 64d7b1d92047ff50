// The requests the VS Code extension sends beyond LSP, answered with the compiler and the runtime's
// renderer (which the language package cannot import). The contract (names, params, results) is
// fixed: the extension's "Show compiled SQL" and "Preview message" commands depend on it.
import type { Connection } from 'vscode-languageserver';
import { compiledSql, type CompiledSqlParams, type CompiledSqlResult } from './compiled-sql.js';
import { previewMessage, type PreviewMessageParams, type PreviewMessageResult } from './preview-message.js';
import type { EditorServices } from './workspace-project.js';

export const CompiledSqlRequest = 'followup/compiledSql';
export const PreviewMessageRequest = 'followup/previewMessage';

export type { CompiledSqlParams, CompiledSqlResult, PreviewMessageParams, PreviewMessageResult };

export function registerCustomRequests(connection: Connection, services: EditorServices): void {
    connection.onRequest(CompiledSqlRequest, (params: CompiledSqlParams, token) => compiledSql(services, params, token));
    connection.onRequest(PreviewMessageRequest, (params: PreviewMessageParams, token) => previewMessage(services, params, token));
}
