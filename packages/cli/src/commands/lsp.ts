import { startFollowupLanguageServer } from '../lsp/start-language-server.js';
import { inProcessTestRunner } from '../testing/in-process-runner.js';
import type { Command } from './command.js';

export const lspCommand: Command = {
    name: 'lsp',
    summary: 'The language server for editors (LSP over stdio)',
    usage: 'followup lsp --stdio',
    help: `Starts the followup language server, speaking the Language Server Protocol over stdin/stdout:
diagnostics from the real checker, completion, go-to-definition, references, document symbols, and
the requests of the editor's code lenses (compiled SQL, message previews, running scenario tests).
Editors start it; people rarely do.

  --stdio   talk over stdin/stdout (the only transport)`,
    options: { stdio: { type: 'boolean' } },
    run() {
        startFollowupLanguageServer({ runTests: inProcessTestRunner });
        // The connection keeps the process alive; it exits when the client sends `exit`.
        return new Promise<number>(() => {});
    },
};
