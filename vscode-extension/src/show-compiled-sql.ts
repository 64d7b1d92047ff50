// "Followup: Show compiled SQL": the rule's SQL in a read-only document beside the rule. The document
// is virtual (`followup-sql:/<rule>.sql?<rule's file>`): nothing to save, no "Untitled-N" left
// behind, and it follows the rule: when a .followup file changes, open SQL documents are asked again.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { ruleTarget, type RuleTarget } from './command-target.js';
import { compiledSqlRequest, sqlScheme } from './protocol.js';
import { showRequestError } from './request-error.js';

/** `followup-sql:/<rule>.sql?<uri of the rule's file>`: the tab reads `<rule>.sql`. */
export function sqlDocumentUri(target: RuleTarget): vscode.Uri {
    return vscode.Uri.from({ scheme: sqlScheme, path: `/${target.rule}.sql`, query: target.uri });
}

function targetOf(uri: vscode.Uri): RuleTarget {
    return { uri: uri.query, rule: uri.path.replace(/^\//, '').replace(/\.sql$/, '') };
}

export class CompiledSqlDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private readonly subscriptions: vscode.Disposable[] = [];
    private refresh: NodeJS.Timeout | undefined;
    /** The last SQL shown per document, kept when the rule stops compiling for a moment (a half-typed edit). */
    private readonly last = new Map<string, string>();

    constructor(private readonly client: LanguageClient, private readonly log: vscode.LogOutputChannel) {
        this.subscriptions.push(
            vscode.workspace.registerTextDocumentContentProvider(sqlScheme, this),
            vscode.workspace.onDidChangeTextDocument(e => { if (e.document.languageId === 'followup') this.scheduleRefresh(); }),
            vscode.workspace.onDidCloseTextDocument(d => { if (d.uri.scheme === sqlScheme) this.last.delete(d.uri.toString()); }),
        );
    }

    /** After a pause in typing, every open SQL document is asked again. */
    private scheduleRefresh(): void {
        if (this.refresh) clearTimeout(this.refresh);
        this.refresh = setTimeout(() => {
            this.refresh = undefined;
            for (const document of vscode.workspace.textDocuments) {
                if (document.uri.scheme === sqlScheme) this.changed.fire(document.uri);
            }
        }, 300);
    }

    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
        const target = targetOf(uri);
        try {
            const result = await this.client.sendRequest(compiledSqlRequest, target);
            if (!result) return `-- No compiled SQL for rule ${target.rule}.\n`;
            this.last.set(uri.toString(), result.sql);
            return result.sql;
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            this.log.warn(`compiled SQL of ${target.rule}: ${reason}`);
            const previous = this.last.get(uri.toString());
            const note = `-- Rule ${target.rule} does not compile now: ${reason.replace(/\s*\n\s*/g, ' ')}\n`;
            return previous ? `${note}-- The SQL below is from its last successful compilation.\n\n${previous}` : note;
        }
    }

    dispose(): void {
        if (this.refresh) clearTimeout(this.refresh);
        for (const s of this.subscriptions) s.dispose();
        this.changed.dispose();
    }
}

export async function showCompiledSql(client: LanguageClient, args: unknown[]): Promise<void> {
    const target = await ruleTarget(args);
    if (!target) return;
    try {
        // Ask once first, so that a rule that does not compile gets an error message rather than a document.
        const result = await client.sendRequest(compiledSqlRequest, target);
        if (!result) { void vscode.window.showWarningMessage(`No compiled SQL for rule ${target.rule}.`); return; }
        const document = await vscode.workspace.openTextDocument(sqlDocumentUri({ uri: target.uri, rule: result.rule }));
        const sql = document.languageId === 'sql' ? document : await vscode.languages.setTextDocumentLanguage(document, 'sql');
        await vscode.window.showTextDocument(sql, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false, preview: false });
    } catch (error) {
        showRequestError(`Could not compile rule ${target.rule}`, error);
    }
}
