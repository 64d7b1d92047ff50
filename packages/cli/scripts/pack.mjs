// Builds the installable `followup` package: the CLI and every workspace package and dependency
// bundled by esbuild into one ES module, plus PGlite (the embedded PostgreSQL: WebAssembly and data
// files that cannot be bundled) as a bundled dependency. Its JavaScript runs from the bundle's
// CommonJS copy, dist/pglite.cjs, without a code cache: V8 accepts one only from the same Node
// version (scripts/bundle.mjs writes it for the repository's own build). `npm pack` of that staging folder gives
// packages/cli/release/followup-<version>.tgz, which installs with no registry and no repository:
//   npm i -D ./followup-0.1.0.tgz   &&   npx followup init my-project
// Its npm name is @followup-lang/cli (the unscoped `followup` is not ours to take); its command is `followup`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle.mjs';

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(cliRoot, '../..');
const cliManifest = JSON.parse(fs.readFileSync(path.join(cliRoot, 'package.json'), 'utf8'));
const version = cliManifest.version;
export const packageName = '@followup-lang/cli';
const release = path.join(cliRoot, 'release');
const staging = path.join(release, 'staging');

fs.rmSync(staging, { recursive: true, force: true });
const result = await bundleCli(path.join(staging, 'dist'), { banner: '#!/usr/bin/env node\n' });

const pglite = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'));
fs.cpSync(path.join(repoRoot, 'node_modules/@electric-sql/pglite'), path.join(staging, 'node_modules/@electric-sql/pglite'), { recursive: true });
// uPlot's browser build is read from its package and written inline into report pages and /ui
// (packages/runtime/src/report/charts.ts): it ships beside the bundle, as PGlite does.
const uplot = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/uplot/package.json'), 'utf8'));
fs.cpSync(path.join(repoRoot, 'node_modules/uplot'), path.join(staging, 'node_modules/uplot'), { recursive: true });

const manifest = {
    name: packageName,
    version,
    description: 'followup: follow-up messages as code. The followup command: check, compile, import, run, preview, send-test, explain, serve, lsp.',
    license: 'MIT',
    type: 'module',
    bin: { followup: 'dist/followup.mjs' },
    files: ['dist', 'README.md', 'LICENSE'],
    engines: { node: '>=20.19' },
    dependencies: { '@electric-sql/pglite': pglite.version, uplot: uplot.version },
    bundleDependencies: ['@electric-sql/pglite', 'uplot'],
    keywords: ['followup', 'email', 'follow-up', 'marketing automation', 'dsl'],
};
fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
fs.copyFileSync(path.join(repoRoot, 'vscode-extension/LICENSE'), path.join(staging, 'LICENSE'));
fs.writeFileSync(path.join(staging, 'README.md'), `# followup

Follow-up messages as code: \`.followup\` files declare event schemas, messages and follow-up rules
such as

\`\`\`followup
when cartAbandonment sent 3 days ago and not opened then send followup email
\`\`\`

\`npx followup init my-project\` creates a project to start from; \`npx followup --help\` lists the
commands. Needs Node.js 20.19 or later.
`);

execFileSync('npm', ['pack', '--silent', '--pack-destination', release], { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] });
const packed = path.join(release, `${packageName.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
const artifact = path.join(release, `followup-${version}.tgz`);
fs.renameSync(packed, artifact);
const bundleBytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`${path.relative(repoRoot, artifact)}  ${(fs.statSync(artifact).size / 1024 / 1024).toFixed(1)} MiB (dist/followup.mjs and its chunks ${(bundleBytes / 1024).toFixed(0)} KiB + PGlite ${pglite.version})`);
