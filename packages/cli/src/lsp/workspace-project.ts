// The project as the editor holds it (unsaved edits included), in the shape the compiler takes:
// every .followup document of the language server's workspace, checked by the same services.
import * as nodePath from 'node:path';
import { DocumentState, URI, WorkspaceCache, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import {
    isModel, isRule, derivedRuleName, type FollowupDiagnostic, type FollowupServices, type LoadedProject, type Model, type Rule,
} from '@followup/language';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { compareText } from '@followup/values';

export interface EditorServices {
    shared: LangiumSharedServices;
    Followup: FollowupServices;
}

/**
 * Runs `read` once the workspace is loaded and no build is running or queued (a read of the
 * workspace lock), so it sees every edit the editor sent before the request.
 */
export async function readWorkspace<T>(services: EditorServices, read: () => Promise<T>): Promise<T> {
    await services.shared.workspace.WorkspaceManager.ready;
    return services.shared.workspace.WorkspaceLock.read(read);
}

/** The workspace folder holding `fsPath` (the deepest one), else the file's own folder. */
export function projectRoot(services: EditorServices, fsPath: string): string {
    const folders = (services.shared.workspace.WorkspaceManager.workspaceFolders ?? [])
        .map(f => URI.parse(f.uri).fsPath)
        .filter(f => fsPath === f || fsPath.startsWith(f.endsWith(nodePath.sep) ? f : f + nodePath.sep))
        .sort((a, b) => b.length - a.length);
    return folders[0] ?? nodePath.dirname(fsPath);
}

function severity(d: Diagnostic): FollowupDiagnostic['severity'] {
    return d.severity === DiagnosticSeverity.Warning ? 'warning' : d.severity === DiagnosticSeverity.Information || d.severity === DiagnosticSeverity.Hint ? 'info' : 'error';
}

function toFollowupDiagnostic(file: string, d: Diagnostic): FollowupDiagnostic {
    return {
        file, line: d.range.start.line + 1, column: d.range.start.character + 1,
        endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
        severity: severity(d), code: String(d.code ?? 'FU000'), message: d.message,
    };
}

export function workspaceDocuments(services: EditorServices): LangiumDocument<Model>[] {
    return services.shared.workspace.LangiumDocuments.all
        .filter(d => isModel(d.parseResult?.value))
        .toArray()
        .sort((a, b) => compareText(a.uri.fsPath, b.uri.fsPath)) as LangiumDocument<Model>[];
}

const caches = new WeakMap<LangiumSharedServices, WorkspaceCache<string, Diagnostic[]>>();

/** Diagnostics of the documents Langium did not validate, until the workspace changes. */
function checkedElsewhere(services: EditorServices): WorkspaceCache<string, Diagnostic[]> {
    let cache = caches.get(services.shared);
    if (!cache) caches.set(services.shared, cache = new WorkspaceCache(services.shared));
    return cache;
}

/** The editor's workspace as a LoadedProject; `templateDiagnostics` are the template files' own, by URI. */
export async function workspaceProject(services: EditorServices, uri: string, templateDiagnostics: Map<string, Diagnostic[]>): Promise<LoadedProject> {
    const documents = workspaceDocuments(services);
    // Langium validates only the documents the editor opened or changed; the others are checked here
    // (once per state of the workspace).
    const validator = services.Followup.validation.DocumentValidator;
    const cache = checkedElsewhere(services);
    const documentDiagnostics = await Promise.all(documents.map(async doc => {
        if (doc.state >= DocumentState.Validated && doc.diagnostics) return doc.diagnostics;
        const known = cache.get(doc.uri.toString());
        if (known) return known;
        const diagnostics = await validator.validateDocument(doc);
        cache.set(doc.uri.toString(), diagnostics);
        return diagnostics;
    }));
    const diagnostics = [
        ...documents.flatMap((doc, i) => documentDiagnostics[i]!.map(d => toFollowupDiagnostic(doc.uri.fsPath, d))),
        ...[...templateDiagnostics].flatMap(([file, list]) => list.map(d => toFollowupDiagnostic(URI.parse(file).fsPath, d))),
    ];
    return {
        root: projectRoot(services, URI.parse(uri).fsPath),
        files: documents.map(d => d.uri.fsPath),
        documents,
        diagnostics,
        errorCount: diagnostics.filter(d => d.severity === 'error').length,
        warningCount: diagnostics.filter(d => d.severity === 'warning').length,
        services: services.Followup,
        profile: services.Followup.references.ScopeProvider.profile(),
    };
}

/** A rule by its name (or a short rule's derived name); the given document's rule first. */
export function findRule(services: EditorServices, uri: string, name: string): Rule {
    const documents = workspaceDocuments(services);
    const here = URI.parse(uri).toString();
    const ordered = [...documents.filter(d => d.uri.toString() === here), ...documents.filter(d => d.uri.toString() !== here)];
    const rules = ordered.flatMap(d => d.parseResult.value.declarations.filter(isRule));
    const rule = rules.find(r => (r.name ?? derivedRuleName(r)) === name);
    if (!rule) {
        const known = rules.map(r => r.name ?? derivedRuleName(r));
        throw new ResponseError(ErrorCodes.InvalidParams, `No rule '${name}' in the project${known.length ? ` (rules: ${known.join(', ')})` : ''}`);
    }
    return rule;
}

/** "3 error(s): rules.followup:2:5 Unknown field ..." — what stops compiling, in a few lines. */
export function errorSummary(project: LoadedProject, diagnostics: FollowupDiagnostic[] = project.diagnostics): string {
    const errors = diagnostics.filter(d => d.severity === 'error');
    const shown = errors.slice(0, 3).map(d => `${nodePath.relative(project.root, d.file) || d.file}:${d.line}:${d.column} ${d.message}`);
    return `${errors.length} error(s): ${shown.join('; ')}${errors.length > 3 ? '; ...' : ''}`;
}
