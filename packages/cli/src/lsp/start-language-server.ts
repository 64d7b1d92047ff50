// The language server as shipped: the language package's Langium services (one checker for the CLI
// and the editor) plus the requests that need the compiler (compiled SQL, message previews). Both
// `followup lsp --stdio` and the VS Code extension's bundled server module start it from here.
import { runLanguageServer } from '@followup/language';
import { registerCustomRequests } from './custom-requests.js';

export function startFollowupLanguageServer(): void {
    runLanguageServer({ onStarted: (connection, services) => registerCustomRequests(connection, services) });
}
