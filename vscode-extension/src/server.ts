// The language server module the extension forks (bundled to dist/server.cjs). It is the same
// server as `followup lsp`: the transport comes from the arguments the client passes
// (`--node-ipc` from VS Code, `--stdio` from a test or another editor).
import { startFollowupLanguageServer } from '../../packages/cli/src/lsp/start-language-server.js';

startFollowupLanguageServer();
