// The language server: Langium's LSP services over the same FollowupServices the CLI uses, so the
// editor and `followup check` can never disagree. Speaks LSP over stdio (`followup lsp --stdio`).
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createFollowupServices } from '../services/followup-module.js';

export function runLanguageServer(): void {
    const connection = createConnection(ProposedFeatures.all);
    const { shared } = createFollowupServices({ connection, ...NodeFileSystem });
    startLanguageServer(shared);
}
