// The requests the VS Code extension sends beyond LSP, answered with the compiler and the runtime's
// renderer (which the language package cannot import). The contract (names, params, results) is
// fixed: the extension's "Show compiled SQL" and "Preview message" commands depend on it.
import type { Connection } from 'vscode-languageserver';
import { compiledSql, type CompiledSqlParams, type CompiledSqlResult } from './compiled-sql.js';
import { listPreviewSamples, previewMessage, type ListSamplesResult, type PreviewMessageParams, type PreviewMessageResult } from './preview-message.js';
import type { EditorServices } from './workspace-project.js';

export const CompiledSqlRequest = 'followup/compiledSql';
export const PreviewMessageRequest = 'followup/previewMessage';
export const ListSamplesRequest = 'followup/listSamples';

export type { CompiledSqlParams, CompiledSqlResult, ListSamplesResult, PreviewMessageParams, PreviewMessageResult };

export function registerCustomRequests(connection: Connection, services: EditorServices): void {
    connection.onRequest(CompiledSqlRequest, async (params: CompiledSqlParams, token) => {
        const result = await compiledSql(services, params, token);
        connection.console.info(`compiled SQL of rule ${result.rule}`);
        return result;
    });
    connection.onRequest(PreviewMessageRequest, async (params: PreviewMessageParams, token) => {
        const result = await previewMessage(services, params, token);
        connection.console.info(`preview of ${params.rule ?? params.message?.name} with ${result.sample.source}${result.sample.warning ? ` — ${result.sample.warning}` : ''}`);
        return result;
    });
    connection.onRequest(ListSamplesRequest, (params: PreviewMessageParams, token) => listPreviewSamples(services, params, token));
}
