// Requests about a template file (`templates/cart-followup.html`). Langium knows only .followup
// documents (it answers "no document found" for any other), so every request about a document is
// routed: .followup files to Langium's handlers, template files here. Definition, references, rename
// and quick fixes work on their `{{ }}` names (`{{ cartTotal }}` is field cartTotal of the event of
// each message using the file); everything else gets an empty answer rather than an error.
import { DocumentState, TextDocument, URI, type LangiumDocument } from 'langium';
import {
    createRequestHandler, createServerRequestHandler, WorkspaceState,
    type LangiumCoreAndPartialLSPServices, type LangiumServices, type LangiumSharedServices,
} from 'langium/lsp';
import {
    ErrorCodes, ResponseError, type CancellationToken, type CodeActionParams, type Connection, type DefinitionParams,
    type PrepareRenameParams, type ReferenceParams, type RenameParams,
} from 'vscode-languageserver';
import type { FollowupCodeActionProvider } from '../code-actions.js';
import { templateDefinitionLinks } from '../definition-provider.js';
import type { FollowupRenameProvider } from '../rename-provider.js';
import { newNameProblem } from './new-names.js';
import { occurrencesOf } from './occurrences.js';
import { templateReferencesAt, type TemplateFieldReference } from './template-references.js';
import { isFollowupUri, templateFileText } from './template-sources.js';

type DocumentParams = { textDocument: { uri: string } };
type Handler = (params: DocumentParams, token: CancellationToken, ...rest: unknown[]) => unknown;
type ServiceCall = (services: LangiumCoreAndPartialLSPServices, document: LangiumDocument, params: never, token: CancellationToken) => unknown;
type Requirement = Parameters<typeof createRequestHandler>[2];

async function referencesAt(shared: LangiumSharedServices, params: DocumentParams & { position: { line: number; character: number } }): Promise<TemplateFieldReference[]> {
    // After the builds the editor's changes queued (a read of the workspace lock).
    await shared.workspace.WorkspaceManager.ready;
    await shared.workspace.WorkspaceLock.read(() => undefined);
    const uri = URI.parse(params.textDocument.uri);
    const text = templateFileText(shared, uri.fsPath);
    if (text === undefined) return [];
    const offset = TextDocument.create(uri.toString(), 'html', 0, text).offsetAt(params.position);
    return templateReferencesAt(shared, uri.toString(), offset);
}

export function addTemplateFileRequests(connection: Connection, shared: LangiumSharedServices): void {
    const services = () => shared.ServiceRegistry.all[0] as LangiumServices;
    /** Langium's handler (as Langium registers it) for .followup documents, `template` for any other. */
    const route = (register: (handler: never) => unknown, call: ServiceCall, state: Requirement, template: (params: never) => Promise<unknown>, server = false) => {
        const langium = (server ? createServerRequestHandler(call as never, shared, state) : createRequestHandler(call as never, shared, state)) as unknown as Handler;
        const handler: Handler = (params, token, ...rest) => (isFollowupUri(shared, params.textDocument.uri) ? langium(params, token, ...rest) : template(params as never));
        register(handler as never);
    };
    const empty = (value: unknown) => async () => value;
    const lsp = (s: LangiumCoreAndPartialLSPServices) => s.lsp;

    // Navigation from `{{ }}` names.
    route(h => connection.onDefinition(h), (s, d, p: DefinitionParams, t) => lsp(s)?.DefinitionProvider?.getDefinition(d, p, t), DocumentState.Linked,
        async (params: DefinitionParams) => {
            const links = templateDefinitionLinks(services(), await referencesAt(shared, params));
            return links.length ? links : null;
        });
    route(h => connection.onReferences(h), (s, d, p: ReferenceParams, t) => lsp(s)?.ReferencesProvider?.findReferences(d, p, t), WorkspaceState.IndexedReferences,
        async (params: ReferenceParams) => (await referencesAt(shared, params)).flatMap(r => occurrencesOf(services(), r.field, params.context.includeDeclaration)));
    route(h => connection.onPrepareRename(h), (s, d, p: PrepareRenameParams, t) => lsp(s)?.RenameProvider?.prepareRename(d, p, t), WorkspaceState.IndexedReferences,
        async (params: PrepareRenameParams) => (await referencesAt(shared, params))[0]?.location.range ?? null);
    route(h => connection.onRenameRequest(h), (s, d, p: RenameParams, t) => lsp(s)?.RenameProvider?.rename(d, p, t), WorkspaceState.IndexedReferences,
        async (params: RenameParams) => {
            const fields = [...new Set((await referencesAt(shared, params)).map(r => r.field))];
            if (fields.length === 0) return null;
            if (fields.length > 1) {
                throw new ResponseError(ErrorCodes.InvalidRequest,
                    'This name stands for fields of several events (the template file is used by messages of different events); rename it in the .followup files');
            }
            const problem = newNameProblem(services(), fields[0]!, params.newName);
            if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
            return (services().lsp.RenameProvider as FollowupRenameProvider).renameEdit(fields[0]!, params.newName);
        });
    route(h => connection.onCodeAction(h), (s, d, p: CodeActionParams, t) => lsp(s)?.CodeActionProvider?.getCodeActions(d, p, t), DocumentState.Validated,
        async (params: CodeActionParams) => (services().lsp.CodeActionProvider as FollowupCodeActionProvider).templateFileActions(params.textDocument.uri, params.context.diagnostics));

    // What an editor asks of every document it syncs: a template file gets empty answers, not errors.
    route(h => connection.onCompletion(h), (s, d, p, t) => lsp(s)?.CompletionProvider?.getCompletion(d, p, t), DocumentState.Linked, empty(null));
    route(h => connection.onHover(h), (s, d, p, t) => lsp(s)?.HoverProvider?.getHoverContent(d, p, t), DocumentState.Linked, empty(null));
    route(h => connection.onDocumentSymbol(h), (s, d, p, t) => lsp(s)?.DocumentSymbolProvider?.getSymbols(d, p, t), DocumentState.Parsed, empty(null));
    route(h => connection.onFoldingRanges(h), (s, d, p, t) => lsp(s)?.FoldingRangeProvider?.getFoldingRanges(d, p, t), DocumentState.Parsed, empty(null));
    route(h => connection.onDocumentHighlight(h), (s, d, p, t) => lsp(s)?.DocumentHighlightProvider?.getDocumentHighlight(d, p, t), WorkspaceState.IndexedReferences, empty(null));
    route(h => connection.onDocumentFormatting(h), (s, d, p, t) => lsp(s)?.Formatter?.formatDocument(d, p, t), DocumentState.Parsed, empty(null));
    route(h => connection.onDocumentRangeFormatting(h), (s, d, p, t) => lsp(s)?.Formatter?.formatDocumentRange(d, p, t), DocumentState.Parsed, empty(null));
    route(h => connection.onDocumentOnTypeFormatting(h), (s, d, p, t) => lsp(s)?.Formatter?.formatDocumentOnType(d, p, t), DocumentState.Parsed, empty(null));
    route(h => connection.onTypeDefinition(h), (s, d, p, t) => lsp(s)?.TypeProvider?.getTypeDefinition(d, p, t), DocumentState.Linked, empty(null));
    route(h => connection.onDeclaration(h), (s, d, p, t) => lsp(s)?.DeclarationProvider?.getDeclaration(d, p, t), DocumentState.Linked, empty(null));
    route(h => connection.onImplementation(h), (s, d, p, t) => lsp(s)?.ImplementationProvider?.getImplementation(d, p, t), WorkspaceState.IndexedReferences, empty(null));
    route(h => connection.onSignatureHelp(h), (s, d, p, t) => lsp(s)?.SignatureHelp?.provideSignatureHelp(d, p, t), DocumentState.IndexedReferences, empty(null), true);
    route(h => connection.onCodeLens(h), (s, d, p, t) => lsp(s)?.CodeLensProvider?.provideCodeLens(d, p, t), DocumentState.IndexedReferences, empty([]), true);
    route(h => connection.onDocumentLinks(h), (s, d, p, t) => lsp(s)?.DocumentLinkProvider?.getDocumentLinks(d, p, t), DocumentState.Parsed, empty([]), true);
    route(h => connection.languages.inlayHint.on(h), (s, d, p, t) => lsp(s)?.InlayHintProvider?.getInlayHints(d, p, t), DocumentState.IndexedReferences, empty([]), true);
    const noTokens = { data: [] };
    const tokens = (s: LangiumCoreAndPartialLSPServices) => lsp(s)?.SemanticTokenProvider;
    route(h => connection.languages.semanticTokens.on(h), (s, d, p, t) => tokens(s)?.semanticHighlight(d, p, t) ?? noTokens, DocumentState.Linked, empty(noTokens), true);
    route(h => connection.languages.semanticTokens.onDelta(h), (s, d, p, t) => tokens(s)?.semanticHighlightDelta(d, p, t) ?? noTokens, DocumentState.Linked, empty(noTokens), true);
    route(h => connection.languages.semanticTokens.onRange(h), (s, d, p, t) => tokens(s)?.semanticHighlightRange(d, p, t) ?? noTokens, DocumentState.Linked, empty(noTokens), true);
}
