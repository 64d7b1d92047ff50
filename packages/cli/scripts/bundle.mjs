// Bundles the `followup` command with esbuild: the CLI and the workspace packages (from their
// TypeScript sources, so the bundle never picks up a stale `dist/` of another package) and their
// dependencies, split into chunks that each command loads when it runs (`--version` loads the entry
// alone; `check` Langium but not PGlite, pg, fastify or nodemailer). One module of ~4.7 MB compiled
// at every start was most of what `followup --version` cost; hundreds of separate ES modules resolved
// one by one were most of the rest.
//   node scripts/bundle.mjs [outdir]     (default dist/bundle; `npm run build` runs it)
// uPlot stays outside (its file is read from its package). PGlite is repackaged beside the entry as one
// CommonJS file, `pglite.cjs`, which every import of it in the bundle loads (src/pglite-bundle.ts) with
// V8's code cache, `pglite.cjs.v8cache`: written here by a real command (`followup import` of the
// example's history into a new store), as `npm run build` runs it. Langium, Chevrotain and
// vscode-languageserver likewise, as `language.cjs` (src/language-bundle.ts), its cache written by
// `followup check` of the example.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(cliRoot, '../..');

const workspaceSources = Object.fromEntries(['values', 'template', 'language', 'compiler', 'runtime', 'server'].map(name => [
    `@followup/${name}`, path.join(repoRoot, 'packages', name, 'src', 'index.ts'),
]));
workspaceSources['@followup/template/runtime'] = path.join(repoRoot, 'packages/template/src/runtime.ts');
workspaceSources['@followup/language/project-files'] = path.join(repoRoot, 'packages/language/src/workspace/project-files.ts');
workspaceSources['@followup/runtime/render'] = path.join(repoRoot, 'packages/runtime/src/render/message-renderer.ts');
workspaceSources['@followup/runtime/validate'] = path.join(repoRoot, 'packages/runtime/src/import/validate-event.ts');

// nodemailer's MIME encoder (transport/mime.ts builds every email with it) shares modules with its
// URL fetcher and DNS resolver, which import Node's HTTP, TLS, zlib and DNS stacks: ~7 ms of every
// `run` that writes email, for code that only an SMTP connection or a URL attachment calls. In those
// modules, these imports become objects that load the real module at their first property read.
const LAZY_BUILTINS = /^node:(dns|http|https|net|os|tls|zlib)$/;
const LAZY_IMPORTERS = /[\\/]nodemailer[\\/]dist[\\/]esm[\\/](shared|fetch)[\\/]/;
const lazyBuiltins = lazyBuiltinsFor(LAZY_BUILTINS, LAZY_IMPORTERS, 'esm');

/**
 * Imports of Node's modules `builtins` by modules `importers` made objects that load the real module
 * at their first property read: ES modules' default import (`esm`), or CommonJS `require` (`cjs`).
 */
function lazyBuiltinsFor(builtins, importers, format) {
    const exported = format === 'esm' ? 'export default' : 'module.exports =';
    return {
        name: `lazy-builtins-${format}`,
        setup(build) {
            build.onResolve({ filter: builtins }, (args) =>
                importers.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined);
            build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
                contents: `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\n` +
                    `${exported} new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n`,
                loader: 'js',
            }));
        },
    };
}

// The language server's transports (vscode-jsonrpc, vscode-languageserver) and Langium's worker-thread
// parser require Node's networking, crypto, child processes and workers when loaded; `check` and the
// compiler never use them (~8 ms of loading Node's own modules at every start that reads a project).
const LANGUAGE_LAZY_BUILTINS = /^(node:)?(child_process|crypto|net|os|worker_threads)$/;
const LANGUAGE_LAZY_IMPORTERS = /[\\/]node_modules[\\/](vscode-jsonrpc|vscode-languageserver|langium)[\\/]/;

// Every import of PGlite in the bundle gets the CommonJS copy's exports (src/pglite-bundle.ts). The
// names are those the workspace imports: esbuild fails the build on any other.
const pgliteFromBundle = {
    name: 'pglite-from-bundle',
    setup(build) {
        build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: 'pglite', namespace: 'pglite-from-bundle' }));
        build.onLoad({ filter: /.*/, namespace: 'pglite-from-bundle' }, () => ({
            contents: `import { loadPgliteBundle } from ${JSON.stringify(path.join(cliRoot, 'src/pglite-bundle.ts'))};\n` +
                'const pglite = loadPgliteBundle();\n' +
                'export const PGlite = pglite.PGlite;\nexport const types = pglite.types;\nexport const TransactionAbortedError = pglite.TransactionAbortedError;\n',
            resolveDir: cliRoot,
            loader: 'js',
        }));
    },
};

// PGlite's modules import Node's modules with import(), which a script compiled by vm.Script cannot
// run (Node 20 has no loader for it when the script comes from a code cache): those become require().
// Its WebAssembly and data files are found from `import.meta.url`: the installed package's.
const BUILTIN_IMPORT = /\bimport\(("(?:node:)?[a-z_/]+")\)/g;
const pgliteBuiltinImports = {
    name: 'pglite-builtin-imports',
    setup(build) {
        build.onLoad({ filter: /[\\/]@electric-sql[\\/]pglite[\\/]dist[\\/].*\.js$/ }, (args) => ({
            contents: fs.readFileSync(args.path, 'utf8').replace(BUILTIN_IMPORT, '__followupImport($1)'),
            loader: 'js',
        }));
    },
};

// The packages of the language stack (src/language-bundle.ts), by the name of their namespace in
// `language.cjs`. `vscode-languageserver` is its `node.js` entry (its package's main).
const LANGUAGE_STACK = {
    langium: ['langium'],
    langiumLsp: ['langium/lsp'],
    langiumNode: ['langium/node'],
    chevrotain: ['chevrotain'],
    languageServer: ['vscode-languageserver', 'vscode-languageserver/node.js'],
    languageServerTypes: ['vscode-languageserver-types'],
};

/**
 * The language stack as one CommonJS file, `<outdir>/language.cjs`. Returns the names each namespace
 * exports (read from the file built), which the bundle's modules standing in for the packages export.
 */
async function bundleLanguageStack(outdir) {
    const file = path.join(outdir, 'language.cjs');
    await esbuild.build({
        stdin: {
            contents: Object.entries(LANGUAGE_STACK).map(([name, [specifier]]) => `export * as ${name} from ${JSON.stringify(specifier)};\n`).join(''),
            resolveDir: cliRoot,
            sourcefile: 'language-stack.js',
            loader: 'js',
        },
        outfile: file,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        legalComments: 'none',
        logLevel: 'warning',
        plugins: [lazyBuiltinsFor(LANGUAGE_LAZY_BUILTINS, LANGUAGE_LAZY_IMPORTERS, 'cjs')],
    });
    if (/\bimport\(|\bimport\.meta\b/.test(fs.readFileSync(file, 'utf8'))) {
        throw new Error('language.cjs calls import() or reads import.meta, which a script from a code cache cannot');
    }
    const stack = createRequire(import.meta.url)(file);
    return Object.fromEntries(Object.keys(LANGUAGE_STACK).map((name) => [name, Object.keys(stack[name]).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default')]));
}

// Every import of a package of the language stack gets its namespace of `language.cjs`'s exports, by
// name: esbuild fails the build on an import of a name the namespace does not have.
function languageFromBundle(exportsOf) {
    const specifiers = new Map(Object.entries(LANGUAGE_STACK).flatMap(([name, list]) => list.map((specifier) => [specifier, name])));
    const filter = new RegExp(`^(${[...specifiers.keys()].map((s) => s.replace(/[./]/g, '\\$&')).join('|')})$`);
    return {
        name: 'language-from-bundle',
        setup(build) {
            build.onResolve({ filter }, (args) => ({ path: specifiers.get(args.path), namespace: 'language-from-bundle' }));
            build.onLoad({ filter: /.*/, namespace: 'language-from-bundle' }, (args) => ({
                contents: `import { loadLanguageBundle } from ${JSON.stringify(path.join(cliRoot, 'src/language-bundle.ts'))};\n` +
                    `export const { ${exportsOf[args.path].join(', ')} } = loadLanguageBundle().${args.path};\n`,
                resolveDir: cliRoot,
                loader: 'js',
            }));
        },
    };
}

/** PGlite as one CommonJS file, `<outdir>/pglite.cjs`. */
async function bundlePglite(outdir) {
    await esbuild.build({
        entryPoints: ['@electric-sql/pglite'],
        absWorkingDir: cliRoot,
        outfile: path.join(outdir, 'pglite.cjs'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // Its own lazily loaded modules (the file systems) are bundled; their import() becomes a call.
        supported: { 'dynamic-import': false },
        define: { 'import.meta.url': '__followupPgliteUrl' },
        banner: {
            js: 'var __followupPgliteUrl = require("node:url").pathToFileURL(require.resolve("@electric-sql/pglite")).href;\n' +
                'var __followupImport = (specifier) => Promise.resolve(require(specifier));',
        },
        legalComments: 'none',
        logLevel: 'warning',
        plugins: [pgliteBuiltinImports],
    });
    const text = fs.readFileSync(path.join(outdir, 'pglite.cjs'), 'utf8');
    if (/\bimport\(/.test(text)) throw new Error('pglite.cjs still calls import(): PGlite changed how it loads modules');
}

/**
 * Writes `pglite.cjs.v8cache` and `language.cjs.v8cache` by running `followup import` of the example's
 * history into a new store and `followup check` of the example through bin/followup.js (so under the V8
 * flags a command starts with), which write them at their end (FOLLOWUP_CODE_CACHE=write). A failure
 * only leaves the bundle without them, and is printed.
 */
function writeCodeCaches() {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-code-cache-'));
    const followup = (args, what) => {
        try {
            execFileSync(process.execPath, [path.join(cliRoot, 'bin/followup.js'), ...args], {
                cwd: temp, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FOLLOWUP_CODE_CACHE: 'write', FOLLOWUP_DB: '', FOLLOWUP_NOW: '', NO_COLOR: '1' },
            });
        } catch (error) {
            console.warn(`bundle: no code cache for ${what} (${String(error.stderr ?? error.message).trim().split('\n')[0]})`);
        }
    };
    try {
        const example = path.join(repoRoot, 'examples/cart-abandonment');
        const project = path.join(temp, 'project');
        fs.cpSync(example, project, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
        followup(['import', path.join(example, 'history.jsonl'), '--project', project, '--db', path.join(temp, 'store')], 'pglite.cjs');
        // Second, so that its cache of language.cjs is the one kept: written under check's V8 flags, not
        // under those import sets for PGlite's WebAssembly.
        followup(['check', project], 'language.cjs');
    } finally {
        fs.rmSync(temp, { recursive: true, force: true });
    }
}

/** Builds the CLI into `outdir`: `followup.mjs` (the entry, which runs the command line) and its chunks. */
export async function bundleCli(outdir, { banner = '' } = {}) {
    fs.rmSync(outdir, { recursive: true, force: true });
    const languageExports = await bundleLanguageStack(outdir);
    const result = await esbuild.build({
        stdin: {
            // The build's identity (build-id, written below) is found next to the entry: the plan cache
            // (src/plan-cache.ts) keeps what this very build compiled, and nothing another build did.
            contents: `import { cli } from ${JSON.stringify(path.join(cliRoot, 'src/main.ts'))};\n` +
                `globalThis[Symbol.for('followup.build')] = new URL('./build-id', import.meta.url);\n` +
                `globalThis[Symbol.for('followup.pglite')] = new URL('./pglite.cjs', import.meta.url);\n` +
                `globalThis[Symbol.for('followup.language')] = new URL('./language.cjs', import.meta.url);\ncli(process.argv.slice(2));\n`,
            resolveDir: cliRoot,
            sourcefile: 'followup.ts',
            loader: 'ts',
        },
        entryNames: 'followup',
        chunkNames: 'chunks/[name]-[hash]',
        outdir,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        splitting: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // CommonJS dependencies (pg, nodemailer, vscode-languageserver) call require() for Node's modules.
        banner: { js: `${banner}import { createRequire as __followupCreateRequire } from 'node:module';\nconst require = __followupCreateRequire(import.meta.url);` },
        alias: workspaceSources,
        // uPlot's browser build is read from its package (report pages inline it); pg-native is pg's
        // optional native binding.
        external: ['pg-native', 'uplot'],
        minify: false,
        legalComments: 'none',
        logLevel: 'warning',
        metafile: true,
        plugins: [lazyBuiltins, pgliteFromBundle, languageFromBundle(languageExports)],
    });
    fs.chmodSync(path.join(outdir, 'followup.mjs'), 0o755);
    await bundlePglite(outdir);
    const id = createHash('sha256');
    // The CommonJS copies of PGlite and the language stack are part of what the build compiles with.
    const files = [...Object.keys(result.metafile.outputs).sort(), path.join(outdir, 'language.cjs'), path.join(outdir, 'pglite.cjs')];
    for (const file of files) id.update(path.basename(file)).update('\0').update(fs.readFileSync(file)).update('\0');
    fs.writeFileSync(path.join(outdir, 'build-id'), id.digest('hex') + '\n');
    return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const outdir = path.resolve(cliRoot, process.argv[2] ?? 'dist/bundle');
    const result = await bundleCli(outdir);
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`${path.relative(repoRoot, outdir)}/followup.mjs: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB`);
    // bin/followup.js runs dist/bundle: the code cache is written by running it.
    if (outdir === path.join(cliRoot, 'dist/bundle')) writeCodeCaches();
}
