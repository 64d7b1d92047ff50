// Code lenses above each rule: "Show SQL" and "Preview message"; above each scenario test "Run test",
// and above a file's first test "Run all tests". The commands are the editor's (the VS Code
// extension); it asks the server for `followup/compiledSql`, `followup/previewMessage`, `followup/runTests`.
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CancellationToken, CodeLens, CodeLensParams } from 'vscode-languageserver';
import { isModel, isRule, isTest } from '../generated/ast.js';
import { derivedRuleName } from '../services/name-provider.js';

export const ShowCompiledSqlCommand = 'followup.showCompiledSql';
export const PreviewMessageCommand = 'followup.previewMessage';
export const RunTestCommand = 'followup.runTest';
export const RunAllTestsCommand = 'followup.runAllTests';

export class FollowupCodeLensProvider implements CodeLensProvider {
    provideCodeLens(document: LangiumDocument, _params: CodeLensParams, _token?: CancellationToken): MaybePromise<CodeLens[]> {
        const model = document.parseResult.value;
        if (!isModel(model)) return [];
        const uri = document.uri.toString();
        const tests = model.declarations.filter(isTest).flatMap((test, index) => {
            const start = test.$cstNode?.range.start;
            if (!start) return [];
            const range = { start, end: start };
            return [
                ...(index === 0 ? [{ range, command: { title: 'Run all tests', command: RunAllTestsCommand, arguments: [uri] } }] : []),
                { range, command: { title: 'Run test', command: RunTestCommand, arguments: [uri, test.name] } },
            ];
        });
        return [...tests, ...model.declarations.filter(isRule).flatMap(rule => {
            const start = rule.$cstNode?.range.start;
            if (!start) return [];
            const name = rule.name ?? derivedRuleName(rule);
            const range = { start, end: start };
            return [
                { range, command: { title: 'Show SQL', command: ShowCompiledSqlCommand, arguments: [uri, name] } },
                { range, command: { title: 'Preview message', command: PreviewMessageCommand, arguments: [uri, name] } },
            ];
        })];
    }
}
