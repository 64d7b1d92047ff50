// The server's custom requests, as the extension calls them (the server side is
// packages/cli/src/lsp). Code lenses on rules invoke the commands with `[uri, ruleName]`.
import { RequestType } from 'vscode-languageclient/node.js';

export interface CompiledSqlParams { uri: string; rule: string }
export interface CompiledSqlResult { rule: string; sql: string }

export interface MessageRef { name: string; event: string; channel: string }
export interface PreviewMessageParams { uri: string; rule?: string; message?: MessageRef }
export interface PreviewMessageResult {
    channel: string;
    subject?: string;
    /** A push message's title. */
    title?: string;
    html?: string;
    text?: string;
    /** Where the sample event came from (a file of `examples/` or `samples/*.json`, or generated) and its data. */
    sample: { source: string; data: unknown };
}

export const compiledSqlRequest = new RequestType<CompiledSqlParams, CompiledSqlResult | null, void>('followup/compiledSql');
export const previewMessageRequest = new RequestType<PreviewMessageParams, PreviewMessageResult | null, void>('followup/previewMessage');

export const commandIds = {
    showCompiledSql: 'followup.showCompiledSql',
    previewMessage: 'followup.previewMessage',
} as const;
