// The requests the VS Code extension sends beyond LSP, answered with the compiler and the runtime's
// renderer (which the language package cannot import). The contract (names, params, results) is
// fixed: the extension's "Show compiled SQL" and "Preview message" commands depend on it.
import type { Connection } from 'vscode-languageserver';
import { compiledSql, type CompiledSqlParams, type CompiledSqlResult } from './compiled-sql.js';
import { listPreviewSamples, previewMessage, type ListSamplesResult, type PreviewMessageParams, type PreviewMessageResult } from './preview-message.js';
import { runTests, type RunTestsParams, type RunTestsResult, type TestRunner } from './run-tests.js';
import type { EditorServices } from './workspace-project.js';

export const CompiledSqlRequest = 'followup/compiledSql';
export const PreviewMessageRequest = 'followup/previewMessage';
export const ListSamplesRequest = 'followup/listSamples';
export const RunTestsRequest = 'followup/runTests';

export type { CompiledSqlParams, CompiledSqlResult, ListSamplesResult, PreviewMessageParams, PreviewMessageResult, RunTestsParams, RunTestsResult };

export interface CustomRequestOptions {
    /** Runs tests in this process; without it, `followup/runTests` runs the project's `followup test`. */
    runTests?: TestRunner;
}

export function registerCustomRequests(connection: Connection, services: EditorServices, options: CustomRequestOptions = {}): void {
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
    connection.onRequest(RunTestsRequest, async (params: RunTestsParams, token) => {
        const result = await runTests(services, params, token, options.runTests);
        connection.console.info(`tests of ${params.uri}: ${result.passed} passed, ${result.failed} failed`);
        return result;
    });
}
