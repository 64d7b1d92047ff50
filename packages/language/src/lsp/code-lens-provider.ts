// Code lenses above each rule: "Show SQL" and "Preview message". The commands are the editor's
// (the VS Code extension); it asks the server for `followup/compiledSql` and `followup/previewMessage`.
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CancellationToken, CodeLens, CodeLensParams } from 'vscode-languageserver';
import { isModel, isRule } from '../generated/ast.js';
import { derivedRuleName } from '../services/name-provider.js';

export const ShowCompiledSqlCommand = 'followup.showCompiledSql';
export const PreviewMessageCommand = 'followup.previewMessage';

export class FollowupCodeLensProvider implements CodeLensProvider {
    provideCodeLens(document: LangiumDocument, _params: CodeLensParams, _token?: CancellationToken): MaybePromise<CodeLens[]> {
        const model = document.parseResult.value;
        if (!isModel(model)) return [];
        const uri = document.uri.toString();
        return model.declarations.filter(isRule).flatMap(rule => {
            const start = rule.$cstNode?.range.start;
            if (!start) return [];
            const name = rule.name ?? derivedRuleName(rule);
            const range = { start, end: start };
            return [
                { range, command: { title: 'Show SQL', command: ShowCompiledSqlCommand, arguments: [uri, name] } },
                { range, command: { title: 'Preview message', command: PreviewMessageCommand, arguments: [uri, name] } },
            ];
        });
    }
}
