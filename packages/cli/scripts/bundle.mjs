// Bundles the `followup` command with esbuild: the CLI and the workspace packages (from their
// TypeScript sources, so the bundle never picks up a stale `dist/` of another package) and their
// dependencies, split into chunks that each command loads when it runs (`--version` loads the entry
// alone; `check` Langium but not PGlite, pg, fastify or nodemailer). One module of ~4.7 MB compiled
// at every start was most of what `followup --version` cost; hundreds of separate ES modules resolved
// one by one were most of the rest.
//   node scripts/bundle.mjs [outdir]     (default dist/bundle; `npm run build` runs it)
// PGlite and uPlot stay outside (their files are found next to their own modules).
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
const lazyBuiltins = {
    name: 'lazy-builtins',
    setup(build) {
        build.onResolve({ filter: LAZY_BUILTINS }, (args) =>
            LAZY_IMPORTERS.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined);
        build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
            contents: `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\n` +
                'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n',
            loader: 'js',
        }));
    },
};

/** Builds the CLI into `outdir`: `followup.mjs` (the entry, which runs the command line) and its chunks. */
export async function bundleCli(outdir, { banner = '' } = {}) {
    fs.rmSync(outdir, { recursive: true, force: true });
    const result = await esbuild.build({
        stdin: {
            // The build's identity (build-id, written below) is found next to the entry: the plan cache
            // (src/plan-cache.ts) keeps what this very build compiled, and nothing another build did.
            contents: `import { cli } from ${JSON.stringify(path.join(cliRoot, 'src/main.ts'))};\n` +
                `globalThis[Symbol.for('followup.build')] = new URL('./build-id', import.meta.url);\ncli(process.argv.slice(2));\n`,
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
        // PGlite ships WebAssembly and data files it finds next to itself, and uPlot's browser build is read
        // from its package (report pages inline it); pg-native is pg's optional native binding.
        external: ['@electric-sql/pglite', 'pg-native', 'uplot'],
        minify: false,
        legalComments: 'none',
        logLevel: 'warning',
        metafile: true,
        plugins: [lazyBuiltins],
    });
    fs.chmodSync(path.join(outdir, 'followup.mjs'), 0o755);
    const id = createHash('sha256');
    for (const file of Object.keys(result.metafile.outputs).sort()) id.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
    fs.writeFileSync(path.join(outdir, 'build-id'), id.digest('hex') + '\n');
    return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const outdir = path.resolve(cliRoot, process.argv[2] ?? 'dist/bundle');
    const result = await bundleCli(outdir);
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`${path.relative(repoRoot, outdir)}/followup.mjs: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB`);
}
