// Definition, references, rename and quick fixes asked from a template file (`templates/cart-followup.html`):
// Langium knows only .followup documents, so these requests are routed here for other files. A
// `{{ cartTotal }}` in a template file refers to field cartTotal of the event of each message using it.
import { DocumentState, TextDocument, URI } from 'langium';
import { createRequestHandler, type LangiumServices, type LangiumSharedServices } from 'langium/lsp';
import {
    ErrorCodes, ResponseError, type CancellationToken, type CodeAction, type CodeActionParams, type Connection, type DefinitionParams, type Location,
    type LocationLink, type PrepareRenameParams, type Range, type ReferenceParams, type RenameParams, type WorkspaceEdit,
} from 'vscode-languageserver';
import type { FollowupCodeActionProvider } from '../code-actions.js';
import { templateDefinitionLinks } from '../definition-provider.js';
import type { FollowupRenameProvider } from '../rename-provider.js';
import { newNameProblem } from './new-names.js';
import { occurrencesOf } from './occurrences.js';
import { templateReferencesAt, type TemplateFieldReference } from './template-references.js';
import { isFollowupUri, templateFileText } from './template-sources.js';

async function referencesAt(shared: LangiumSharedServices, uri: string, position: { line: number; character: number }, token: CancellationToken): Promise<TemplateFieldReference[]> {
    await shared.workspace.WorkspaceManager.ready;
    await shared.workspace.DocumentBuilder.waitUntil(DocumentState.IndexedReferences, token);
    const normalized = URI.parse(uri).toString();
    const text = templateFileText(shared, URI.parse(uri).fsPath);
    if (text === undefined) return [];
    const offset = TextDocument.create(normalized, 'html', 0, text).offsetAt(position);
    return templateReferencesAt(shared, normalized, offset);
}

export function addTemplateFileRequests(connection: Connection, shared: LangiumSharedServices): void {
    const services = () => shared.ServiceRegistry.all[0] as LangiumServices;
    const route = <P extends { textDocument: { uri: string } }, R>(
        langium: (params: P, token: CancellationToken) => unknown, template: (params: P, token: CancellationToken) => Promise<R>
    ) => (params: P, token: CancellationToken) => (isFollowupUri(shared, params.textDocument.uri) ? langium(params, token) : template(params, token)) as never;

    connection.onDefinition(route<DefinitionParams, LocationLink[] | null>(
        createRequestHandler((s, d, p: DefinitionParams, t) => s.lsp?.DefinitionProvider?.getDefinition(d, p, t), shared, DocumentState.Linked),
        async (params, token) => {
            const links = templateDefinitionLinks(services(), await referencesAt(shared, params.textDocument.uri, params.position, token));
            return links.length ? links : null;
        }));

    connection.onReferences(route<ReferenceParams, Location[]>(
        createRequestHandler((s, d, p: ReferenceParams, t) => s.lsp?.ReferencesProvider?.findReferences(d, p, t), shared, DocumentState.IndexedReferences),
        async (params, token) => {
            const refs = await referencesAt(shared, params.textDocument.uri, params.position, token);
            return refs.flatMap(r => occurrencesOf(services(), r.field, params.context.includeDeclaration));
        }));

    connection.onPrepareRename(route<PrepareRenameParams, Range | null>(
        createRequestHandler((s, d, p: PrepareRenameParams, t) => s.lsp?.RenameProvider?.prepareRename(d, p, t), shared, DocumentState.IndexedReferences),
        async (params, token) => (await referencesAt(shared, params.textDocument.uri, params.position, token))[0]?.location.range ?? null));

    connection.onCodeAction(route<CodeActionParams, CodeAction[]>(
        createRequestHandler((s, d, p: CodeActionParams, t) => s.lsp?.CodeActionProvider?.getCodeActions(d, p, t), shared, DocumentState.Validated),
        async params => (services().lsp.CodeActionProvider as FollowupCodeActionProvider).templateFileActions(params.textDocument.uri, params.context.diagnostics)));

    connection.onRenameRequest(route<RenameParams, WorkspaceEdit | null>(
        createRequestHandler((s, d, p: RenameParams, t) => s.lsp?.RenameProvider?.rename(d, p, t), shared, DocumentState.IndexedReferences),
        async (params, token) => {
            const refs = await referencesAt(shared, params.textDocument.uri, params.position, token);
            const fields = [...new Set(refs.map(r => r.field))];
            if (fields.length === 0) return null;
            if (fields.length > 1) {
                throw new ResponseError(ErrorCodes.InvalidRequest,
                    'This name stands for fields of several events (the template file is used by messages of different events); rename it in the .followup files');
            }
            const problem = newNameProblem(services(), fields[0]!, params.newName);
            if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
            return (services().lsp.RenameProvider as FollowupRenameProvider).renameEdit(fields[0]!, params.newName);
        }));
}
