// Diagnostics of template files belong to those files: after each build (and whenever a template
// file changes in the editor or on disk) every template file of the workspace is checked against
// the event of each message using it, and its diagnostics are published for its own URI.
import { DocumentState } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { checkTemplate, type TemplateContext, type TemplateDiagnostic, type FieldView, type FuType } from '@followup/template';
import type { FollowupDocumentUpdateHandler } from './template-document-updates.js';
import { workspaceTemplates } from './template-sources.js';

/** What a template is checked against, as text: the same text and the same key give the same diagnostics. */
function contextKey(context: TemplateContext): string {
    const type = (t: FuType, depth: number): string => t.kind === 'primitive' ? t.name
        : t.kind === 'list' ? `list<${type(t.element, depth)}>`
            : t.kind === 'record' ? (depth > 4 ? t.name : `${t.name}{${fields(t.fields(), depth + 1)}}`) : '?';
    const fields = (list: readonly FieldView[], depth: number): string => list.map(f => `${f.name}${f.optional ? '?' : ''}:${type(f.type, depth)}`).join(',');
    return `${context.mode}|${context.eventName ?? ''}|${fields(context.fields, 0)}|${context.profileFields ? fields(context.profileFields, 0) : '-'}`;
}

// Template files are checked after every build; most builds change none of them nor their events.
const checked = new Map<string, TemplateDiagnostic[]>();

function checkedDiagnostics(text: string, context: TemplateContext): TemplateDiagnostic[] {
    const key = `${contextKey(context)}\0${text}`;
    let diagnostics = checked.get(key);
    if (!diagnostics) {
        if (checked.size > 1000) checked.clear();
        diagnostics = checkTemplate(text, context).diagnostics;
        checked.set(key, diagnostics);
    }
    return diagnostics;
}

/** The diagnostics of every template file used by the workspace's messages, by file URI. */
export function templateFileDiagnostics(shared: LangiumSharedServices): Map<string, Diagnostic[]> {
    const byUri = new Map<string, Diagnostic[]>();
    for (const t of workspaceTemplates(shared, { filesOnly: true })) {
        const file = t.fileDocument;
        const text = t.template.source.text;
        if (!file || text === undefined) continue;
        const list = byUri.get(t.uri) ?? [];
        byUri.set(t.uri, list);
        const { message, template } = t;
        for (const d of checkedDiagnostics(text, template.context)) {
            const diagnostic: Diagnostic = {
                range: { start: file.positionAt(d.start), end: file.positionAt(d.end) },
                severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                code: d.code,
                source: 'followup',
                message: `${d.message} (in ${message.name} for ${message.event.$refText} ${message.channel}, ${template.part.part})`,
                data: { code: d.code, hint: d.hint },
            };
            // The same file used by two messages of one event says the same thing twice.
            if (!list.some(o => o.message === diagnostic.message && o.range.start.line === diagnostic.range.start.line
                && o.range.start.character === diagnostic.range.start.character)) list.push(diagnostic);
        }
    }
    return byUri;
}

/** Publishes template files' diagnostics after each build and on each template change; clears files no longer used. */
export function publishTemplateFileDiagnostics(connection: Connection, shared: LangiumSharedServices): void {
    // What each template file was last sent, so that a build that changes nothing sends nothing.
    let published = new Map<string, string>();
    const publish = () => {
        const current = new Map([...templateFileDiagnostics(shared)].map(([uri, list]) => [uri, JSON.stringify(list)]));
        for (const [uri, json] of current) {
            if (published.get(uri) !== json) void connection.sendDiagnostics({ uri, diagnostics: JSON.parse(json) as Diagnostic[] });
        }
        for (const uri of published.keys()) if (!current.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
        published = current;
    };
    shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Validated, () => publish());
    (shared.lsp.DocumentUpdateHandler as FollowupDocumentUpdateHandler).onTemplateFileChange?.(() => {
        // Wait for a build in progress, so that messages and the profile are linked.
        shared.workspace.WorkspaceLock.read(() => publish()).catch(err => console.error('Template diagnostics failed:', err));
    });
}
