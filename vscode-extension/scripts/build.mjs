// Builds what the .vsix ships: the client and the server bundled to CommonJS (the extension host
// loads extensions with `require`, and Langium is ESM-only), and the TextMate grammar derived from
// the one Langium generates.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFollowupGrammar } from './followup-grammar.mjs';

const extensionRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(extensionRoot, '..');
const dist = path.join(extensionRoot, 'dist');
const production = !process.argv.includes('--dev');

// The workspace packages are bundled from their TypeScript sources (as vitest runs them), so the
// bundle never picks up a stale `dist/` of another package.
const workspaceSources = Object.fromEntries(['template', 'language', 'compiler', 'runtime', 'cli'].map(name => [
    `@followup/${name}`, path.join(repoRoot, 'packages', name, 'src', 'index.ts'),
]));
workspaceSources['@followup/template/runtime'] = path.join(repoRoot, 'packages/template/src/runtime.ts');
// The server imports only the runtime's renderer (never its store): its own entry.
workspaceSources['@followup/runtime/render'] = path.join(repoRoot, 'packages/runtime/src/render/message-renderer.ts');
workspaceSources['@followup/runtime/validate'] = path.join(repoRoot, 'packages/runtime/src/import/validate-event.ts');

/** @type {import('esbuild').BuildOptions} */
const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // The Node of the oldest VS Code we support (engines.vscode ^1.82: Electron 25, Node 18).
    target: 'node18',
    // ESM code that locates itself through import.meta would get `undefined` in a CJS bundle.
    define: {
        'import.meta.url': '__followupImportMetaUrl',
        'import.meta.dirname': '__dirname',
        'import.meta.filename': '__filename',
    },
    banner: { js: 'const __followupImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    alias: workspaceSources,
    sourcemap: production ? false : 'linked',
    minify: production,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
};

fs.rmSync(dist, { recursive: true, force: true });
const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(extensionRoot, 'src/extension.ts')], outfile: path.join(dist, 'extension.cjs'), external: ['vscode'] }),
    esbuild.build({ ...common, entryPoints: [path.join(extensionRoot, 'src/server.ts')], outfile: path.join(dist, 'server.cjs') }),
]);
writeFollowupGrammar(
    path.join(repoRoot, 'packages/language/syntaxes/followup.tmLanguage.json'),
    path.join(dist, 'syntaxes/followup.tmLanguage.json'),
);
for (const result of results) {
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
        if (file.endsWith('.cjs')) console.log(`${path.relative(extensionRoot, file)}  ${(output.bytes / 1024).toFixed(0)} KiB`);
    }
}
