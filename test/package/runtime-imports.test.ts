// "The runtime never imports the language or the compiler: only plans cross" (docs/architecture.md),
// nor the server: HTTP is @followup/server's. A fresh node imports the BUILT @followup/runtime (its
// three entry points, by their package names, as the CLI does) with a resolve hook that records every
// URL it resolves; none may be Langium's, Chevrotain's, the language's, the compiler's, the server's
// or fastify's. Built, not from source: vitest's aliases would hide what node really loads. The test
// builds the runtime first (`tsc -b`, nothing to do after `npm run build`), so that a change to the
// sources is never judged by a stale dist/.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-runtime-imports-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const entries = ['@followup/runtime', '@followup/runtime/render', '@followup/runtime/validate'];

/** What the runtime must never load, directly or through anything it imports. */
const forbidden: { what: string; pattern: RegExp }[] = [
    { what: 'Langium', pattern: /\/langium\// },
    { what: 'Chevrotain', pattern: /\/@?chevrotain\// },
    { what: '@followup/language', pattern: /\/packages\/language\// },
    { what: '@followup/compiler', pattern: /\/packages\/compiler\// },
    { what: '@followup/server', pattern: /\/packages\/server\// },
    { what: 'fastify', pattern: /\/node_modules\/(fastify|@fastify\/[^/]+)\// },
    // Plans are data: the runtime renders templates without compiling them (test/runtime/tampered-plan.test.ts).
    { what: 'Eta, a template compiler', pattern: /\/node_modules\/eta\// },
];

interface Resolution {
    url: string;
    parent: string | null;
}

/** Every URL node resolves while importing `specifiers` in a fresh process started in the repository. */
function resolutionsOf(specifiers: readonly string[]): Resolution[] {
    const file = path.join(temp, `resolved-${Date.now()}.jsonl`);
    const recorder = pathToFileURL(path.join(repo, 'test/support/resolve-recorder.mjs')).href;
    const script = [
        `import { register } from 'node:module';`,
        `register(${JSON.stringify(recorder)}, { data: { file: ${JSON.stringify(file)} } });`,
        `for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);`,
    ].join('\n');
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    return fs.readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line) as Resolution);
}

/** `url` and the modules that led to it, back to the import of an entry: `a.js → b.js → url`. */
function importChain(url: string, resolutions: readonly Resolution[]): string {
    const parentOf = new Map<string, string | null>();
    for (const r of resolutions) if (!parentOf.has(r.url)) parentOf.set(r.url, r.parent);
    const chain = [url];
    for (let parent = parentOf.get(url); parent && !parent.includes('[eval') && chain.length < 50; parent = parentOf.get(parent)) chain.unshift(parent);
    return chain.map(u => u.replace(pathToFileURL(repo).href + '/', '')).join('\n      → ');
}

let resolutions: Resolution[];
beforeAll(() => {
    execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-b', 'packages/runtime'], { cwd: repo, stdio: 'pipe' });
    resolutions = resolutionsOf(entries);
}, 120_000);

describe('the built runtime', () => {
    it('is what was imported, through the workspace packages\' real paths', () => {
        const urls = resolutions.map(r => r.url);
        expect(urls).toContain(pathToFileURL(path.join(repo, 'packages/runtime/dist/index.js')).href);
        expect(urls).toContain(pathToFileURL(path.join(repo, 'packages/runtime/dist/render/message-renderer.js')).href);
        // The template package's run-time entry is loaded: the hook sees our other packages too.
        expect(urls).toContain(pathToFileURL(path.join(repo, 'packages/template/dist/runtime.js')).href);
    });

    it('loads neither Langium, Chevrotain, the language, the compiler, the server, fastify nor a template compiler', () => {
        const violations = forbidden.flatMap(({ what, pattern }) => {
            const first = resolutions.find(r => pattern.test(r.url));
            return first ? [`${what}, first reached by\n      ${importChain(first.url, resolutions)}`] : [];
        });
        expect(violations, `the runtime loads what only the CLI, the editor and the server may:\n  ${violations.join('\n  ')}\n`).toEqual([]);
    });
});
