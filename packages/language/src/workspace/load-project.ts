// A project is a folder: every .followup file below it shares one namespace (docs/language.md, "What a project is").
import * as nodePath from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { checkTemplate } from '@followup/template';
import type { Model, Profile } from '../generated/ast.js';
import { partTemplate } from '../model/message-templates.js';
import { createFollowupServices, type FollowupServices } from '../services/followup-module.js';
import { compareDiagnostics, lineColumnAt, type FollowupDiagnostic, type Severity } from './diagnostic.js';
import { findFollowupFiles } from './project-files.js';

export { findFollowupFiles, ProjectInputError } from './project-files.js';

export interface LoadedProject {
    /** The folder the project was given as (or the folder of the first file). */
    root: string;
    files: string[];
    documents: LangiumDocument<Model>[];
    diagnostics: FollowupDiagnostic[];
    errorCount: number;
    warningCount: number;
    services: FollowupServices;
    profile: Profile | undefined;
}

function toSeverity(s: DiagnosticSeverity | undefined): Severity {
    return s === DiagnosticSeverity.Error || s === undefined ? 'error' : s === DiagnosticSeverity.Warning ? 'warning' : 'info';
}

function fromLsp(file: string, d: Diagnostic): FollowupDiagnostic {
    const data = (d.data ?? {}) as { hint?: string };
    return {
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: toSeverity(d.severity),
        code: typeof d.code === 'string' ? d.code : String(d.code ?? 'FU000'),
        message: d.message,
        ...(data.hint ? { hint: data.hint } : {}),
        ...(d.relatedInformation?.length ? {
            related: d.relatedInformation.map(r => ({
                file: URI.parse(r.location.uri).fsPath, line: r.location.range.start.line + 1,
                column: r.location.range.start.character + 1, message: r.message,
            })),
        } : {}),
    };
}

/** Diagnostics inside `file "..."` templates, positioned in those files. Each file is checked once per message part. */
function templateFileDiagnostics(documents: LangiumDocument<Model>[], profile: Profile | undefined): FollowupDiagnostic[] {
    const out: FollowupDiagnostic[] = [];
    for (const document of documents) {
        for (const decl of document.parseResult.value.declarations) {
            if (decl.$type !== 'Message' || !decl.event?.ref) continue;
            for (const part of decl.parts) {
                const template = part.file !== undefined ? partTemplate(part, profile) : undefined;
                if (template?.source.kind !== 'file' || template.source.text === undefined) continue;
                const { path, text } = template.source;
                for (const d of checkTemplate(text, template.context).diagnostics) {
                    const start = lineColumnAt(text, d.start);
                    const end = lineColumnAt(text, d.end);
                    out.push({
                        file: path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column,
                        severity: d.severity, code: d.code, message: `${d.message} (in ${decl.name} for ${decl.event.$refText} ${decl.channel}, ${part.part})`,
                        ...(d.hint ? { hint: d.hint } : {}),
                    });
                }
            }
        }
    }
    return out;
}

/** Parses, links and checks a project folder (or files), with the same services the editor uses. */
export async function loadProject(inputs: string[], services?: FollowupServices): Promise<LoadedProject> {
    const { root, files } = findFollowupFiles(inputs);
    const Followup = services ?? createFollowupServices(NodeFileSystem).Followup;
    const shared = Followup.shared;
    const documents: LangiumDocument<Model>[] = [];
    for (const file of files) {
        documents.push(await shared.workspace.LangiumDocuments.getOrCreateDocument(URI.file(file)) as LangiumDocument<Model>);
    }
    return buildAndCollect(root, documents, Followup);
}

async function buildAndCollect(root: string, documents: LangiumDocument<Model>[], Followup: FollowupServices): Promise<LoadedProject> {
    const files = documents.map(d => d.uri.fsPath);
    await Followup.shared.workspace.DocumentBuilder.build(documents, { validation: true });
    const profile = Followup.references.ScopeProvider.profile();
    const diagnostics = documents.flatMap(doc => (doc.diagnostics ?? []).map(d => fromLsp(doc.uri.fsPath, d)));
    diagnostics.push(...templateFileDiagnostics(documents, profile));
    diagnostics.sort(compareDiagnostics);
    return {
        root, files, documents, diagnostics, services: Followup, profile,
        errorCount: diagnostics.filter(d => d.severity === 'error').length,
        warningCount: diagnostics.filter(d => d.severity === 'warning').length,
    };
}

/**
 * Parses and checks source text held in memory (tests, benchmarks, fuzzing): `sources` maps a path
 * relative to `baseDir` to its text. Nothing is written; `file "..."` templates resolve against `baseDir`.
 */
export async function loadSources(
    sources: Record<string, string>, options: { baseDir?: string; services?: FollowupServices } = {}
): Promise<LoadedProject> {
    const root = nodePath.resolve(options.baseDir ?? '/followup-memory');
    const Followup = options.services ?? createFollowupServices(NodeFileSystem).Followup;
    const workspace = Followup.shared.workspace;
    const documents = Object.entries(sources).map(([name, text]) => {
        const document = workspace.LangiumDocumentFactory.fromString<Model>(text, URI.file(nodePath.join(root, name)));
        workspace.LangiumDocuments.addDocument(document);
        return document;
    });
    return buildAndCollect(root, documents, Followup);
}

/** Forgets a loaded project's documents, so that shared services can load the next one. */
export function unloadProject(project: LoadedProject): void {
    for (const document of project.documents) project.services.shared.workspace.LangiumDocuments.deleteDocument(document.uri);
}
