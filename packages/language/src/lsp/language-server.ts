// The language server: Langium's LSP services over the same FollowupServices the CLI uses, so the
// editor and `followup check` can never disagree. Speaks LSP over stdio (`followup lsp --stdio`).
import { startLanguageServer, type LangiumSharedServices } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node.js';
import { createFollowupServices, type FollowupServices } from '../services/followup-module.js';
import { publishTemplateFileDiagnostics } from './navigation/template-file-diagnostics.js';
import { addTemplateFileRequests } from './navigation/template-file-requests.js';

export interface LanguageServerHooks {
    /** Called once the server listens: register requests that need more than the language (the compiler). */
    onStarted?(connection: Connection, services: { shared: LangiumSharedServices; Followup: FollowupServices }): void;
}

export function runLanguageServer(hooks: LanguageServerHooks = {}): void {
    const connection = createConnection(ProposedFeatures.all);
    const services = createFollowupServices({ connection, ...NodeFileSystem });
    startLanguageServer(services.shared);
    // Template files (`file "templates/x.html"`): their diagnostics, and navigation from them.
    publishTemplateFileDiagnostics(connection, services.shared);
    addTemplateFileRequests(connection, services.shared);
    hooks.onStarted?.(connection, services);
}
