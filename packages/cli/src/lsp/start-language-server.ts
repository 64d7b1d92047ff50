// The language server as shipped: the language package's Langium services (one checker for the CLI
// and the editor) plus the requests that need the compiler (compiled SQL, message previews). Both
// `followup lsp --stdio` and the VS Code extension's bundled server module start it from here.
// It logs to the client's console (VS Code's "followup" output channel): start, the workspace it
// loaded, and each compile or preview it answers.
import { URI } from 'langium';
import { runLanguageServer } from '@followup/language';
import { registerCustomRequests, type CustomRequestOptions } from './custom-requests.js';
import { workspaceDocuments } from './workspace-project.js';

export const serverVersion = '0.1.0';

export function startFollowupLanguageServer(options: CustomRequestOptions = {}): void {
    runLanguageServer({
        onStarted: (connection, services) => {
            registerCustomRequests(connection, services, options);
            services.shared.lsp.LanguageServer.onInitialized(() => {
                connection.console.info(`followup language server ${serverVersion} started (Node ${process.version}, pid ${process.pid})`);
                const started = Date.now();
                services.shared.workspace.WorkspaceManager.ready.then(() => {
                    const folders = (services.shared.workspace.WorkspaceManager.workspaceFolders ?? []).map(f => URI.parse(f.uri).fsPath);
                    const files = workspaceDocuments(services).length;
                    connection.console.info(`loaded ${files} .followup file${files === 1 ? '' : 's'} from ${folders.join(', ') || 'no workspace folder'} in ${Date.now() - started} ms`);
                }, (error: unknown) => {
                    connection.console.error(`loading the workspace failed: ${error instanceof Error ? error.message : String(error)}`);
                });
            });
        },
    });
}
