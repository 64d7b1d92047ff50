// The server's custom requests, as the extension calls them (the server side is
// packages/cli/src/lsp). Code lenses on rules invoke the commands with `[uri, ruleName]`.
import { RequestType } from 'vscode-languageclient/node.js';

export interface CompiledSqlParams { uri: string; rule: string }
export interface CompiledSqlResult { rule: string; sql: string }

export interface MessageRef { name: string; event: string; channel: string }
export interface PreviewMessageParams { uri: string; rule?: string; message?: MessageRef; sample?: string }
export interface PreviewMessageResult {
    channel: string;
    subject?: string;
    /** A push message's title. */
    title?: string;
    html?: string;
    text?: string;
    /** Where the sample event came from (a file of `samples/*.json`, a history.jsonl event, or the schema) and its data. */
    sample: {
        source: string;
        /** How to ask for this sample again. */
        ref?: string;
        data: unknown;
        event?: string;
        /** Set when the sample does not match the event's declaration. */
        warning?: string;
        missing?: string[];
        unknown?: string[];
        problems?: string[];
        /** Where an edited sample of this event goes, and what it starts from. */
        editFile?: string;
        repaired?: Record<string, unknown>;
    };
}
export interface SampleChoice { ref: string; label: string; description: string }
export interface ListSamplesResult { event: string; samples: SampleChoice[] }

export const compiledSqlRequest = new RequestType<CompiledSqlParams, CompiledSqlResult | null, void>('followup/compiledSql');
export const previewMessageRequest = new RequestType<PreviewMessageParams, PreviewMessageResult | null, void>('followup/previewMessage');
export const listSamplesRequest = new RequestType<PreviewMessageParams, ListSamplesResult, void>('followup/listSamples');

export interface RunTestsParams { uri: string; tests?: string[] }
export interface TestFailure { uri: string; range: Range; code: string; message: string; expected?: string; got?: string }
export interface TestOutcome { name: string; uri: string; range: Range; passed: boolean; durationMs: number; failures: TestFailure[] }
export interface RunTestsResult { uri: string; passed: number; failed: number; tests: TestOutcome[] }
interface Range { start: { line: number; character: number }; end: { line: number; character: number } }

export const runTestsRequest = new RequestType<RunTestsParams, RunTestsResult, void>('followup/runTests');

export const commandIds = {
    showCompiledSql: 'followup.showCompiledSql',
    previewMessage: 'followup.previewMessage',
    pickSample: 'followup.pickSample',
    editSample: 'followup.editSample',
    runTest: 'followup.runTest',
    runAllTests: 'followup.runAllTests',
} as const;

/** The scheme of the read-only SQL documents "Show compiled SQL" opens. */
export const sqlScheme = 'followup-sql';
