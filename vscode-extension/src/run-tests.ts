// "Followup: Run test" and "Followup: Run all tests" (the code lenses on `test "..." { ... }`): the file
// is saved, the server runs the tests (`followup/runTests`), and each failed expectation becomes a
// diagnostic at its line in the "followup tests" collection — replaced by the next run of that test.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { commandIds, runTestsRequest, type TestOutcome } from './protocol.js';
import { showRequestError } from './request-error.js';

export class TestRuns implements vscode.Disposable {
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('followup tests');
    /** The failures of each test last run, by file and test name. */
    private readonly results = new Map<string, Map<string, vscode.Diagnostic[]>>();
    private readonly subscriptions: vscode.Disposable[] = [];

    constructor(private readonly client: LanguageClient, private readonly log: vscode.LogOutputChannel) {
        this.subscriptions.push(
            this.diagnostics,
            vscode.commands.registerCommand(commandIds.runTest, (uri?: unknown, name?: unknown) => this.run(uri, typeof name === 'string' ? [name] : undefined)),
            vscode.commands.registerCommand(commandIds.runAllTests, (uri?: unknown) => this.run(uri, undefined)),
        );
    }

    private async run(uriArg: unknown, tests: string[] | undefined): Promise<void> {
        const uri = typeof uriArg === 'string' ? uriArg : vscode.window.activeTextEditor?.document.uri.toString();
        if (!uri) { void vscode.window.showInformationMessage('Open a .followup file with tests.'); return; }
        const document = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri);
        if (document?.isDirty) await document.save();
        const what = tests ? `test "${tests[0]}"` : 'the tests of this file';
        try {
            const result = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Window, title: `followup: running ${what}` },
                () => this.client.sendRequest(runTestsRequest, { uri, ...(tests ? { tests } : {}) }),
            );
            for (const test of result.tests) this.record(test);
            this.publish();
            const summary = `${result.passed} passed, ${result.failed} failed`;
            this.log.info(`tests of ${vscode.Uri.parse(uri).fsPath}: ${summary}`);
            if (result.failed > 0) void vscode.window.showWarningMessage(`followup: ${summary} (see the Problems panel)`);
            else void vscode.window.showInformationMessage(`followup: ${summary}`);
        } catch (error) {
            showRequestError(`Could not run ${what}`, error);
        }
    }

    private record(test: TestOutcome): void {
        for (const byTest of this.results.values()) byTest.delete(test.name);
        for (const failure of test.failures) {
            const range = new vscode.Range(failure.range.start.line, failure.range.start.character, failure.range.end.line, failure.range.end.character);
            const lines = [failure.message, ...(failure.expected !== undefined ? [`expected: ${failure.expected}`] : []), ...(failure.got !== undefined ? [`got: ${failure.got}`] : [])];
            const diagnostic = new vscode.Diagnostic(range, lines.join('\n'), vscode.DiagnosticSeverity.Error);
            diagnostic.code = failure.code;
            diagnostic.source = `followup test "${test.name}"`;
            const byTest = this.results.get(failure.uri) ?? new Map<string, vscode.Diagnostic[]>();
            this.results.set(failure.uri, byTest);
            byTest.set(test.name, [...(byTest.get(test.name) ?? []), diagnostic]);
        }
    }

    private publish(): void {
        this.diagnostics.clear();
        for (const [uri, byTest] of this.results) this.diagnostics.set(vscode.Uri.parse(uri), [...byTest.values()].flat());
    }

    dispose(): void {
        for (const s of this.subscriptions) s.dispose();
    }
}
