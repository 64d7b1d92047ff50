// PGlite and Langium loaded from V8's code cache (packages/cli/src/code-cache.ts, pglite-bundle.ts,
// language-bundle.ts): the bundled CLI runs its CommonJS copies of PGlite (dist/bundle/pglite.cjs) and
// of the language stack (language.cjs) from the caches the build wrote, and a command does the same
// work with a cache, without it, or with one V8 refuses. What it saves is
// measured in bench/startup-ab.mjs, not here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCachePath } from '../../packages/cli/src/code-cache.js';
import { bin, repo, tempDir } from '../runtime/support.js';

const temp = tempDir('pglite-code-cache');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
const example = path.join(repo, 'examples/cart-abandonment');
const NOW = '2026-11-23T10:00:00Z';

function followup(args: string[], cwd: string, env: Record<string, string>) {
    const result = spawnSync(process.execPath, [bin, ...args], {
        cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FOLLOWUP_DB: '', FOLLOWUP_NOW: '', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The example's hand-written carts (the demo history of bench/startup.mjs). */
function demoHistory(): string {
    const file = path.join(temp, 'demo-history.jsonl');
    const lines = fs.readFileSync(path.join(example, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !/-s\d/.test(l));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
}

function projectCopy(name: string): string {
    const project = path.join(temp, name);
    fs.cpSync(example, project, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
    return project;
}

describe('the bundled CLI loads PGlite from its code cache', () => {
    it('the build wrote PGlite as one CommonJS file and its cache beside the entry', () => {
        const bundled = path.join(repo, 'packages/cli/dist/bundle/pglite.cjs');
        expect(fs.statSync(bundled).size).toBeGreaterThan(100_000);
        expect(fs.readFileSync(bundled, 'utf8')).not.toMatch(/\bimport\(/);
        expect(fs.statSync(codeCachePath(bundled)).size).toBeGreaterThan(100_000);
    });

    it('import and run on a small store use it, and do the same work with it turned off', () => {
        const history = demoHistory();
        const outcomes: Record<string, { imported: string; ran: string; report: string[] }> = {};
        for (const mode of ['report', 'off'] as const) {
            const project = projectCopy(`project-${mode}`);
            const store = path.join(temp, `store-${mode}`);
            const env = { FOLLOWUP_CODE_CACHE: mode };
            const imported = followup(['import', history, '--project', project, '--db', store], temp, env);
            expect(imported.code, imported.stderr).toBe(0);
            const ran = followup(['run', project, '--db', store, '--now', NOW], temp, env);
            expect(ran.code, ran.stderr).toBe(0);
            outcomes[mode] = {
                imported: imported.stdout.replace(/ in [0-9.]+ s\)/, ')').replace(`store-${mode}`, 'STORE'),
                ran: ran.stdout,
                report: [imported.stderr, ran.stderr].map((e) => /PGlite's code cache: (\w+)/.exec(e)?.[1] ?? 'none'),
            };
        }
        expect(outcomes['report']!.report).toEqual(['accepted', 'accepted']);
        expect(outcomes['off']!.report).toEqual(['none', 'none']);
        expect(outcomes['report']!.imported).toMatch(/139 records/);
        expect(outcomes['report']!.ran).toMatch(/Ran 4 rules as of 2026-11-23T10:00:00\.000Z: 13 selected, 8 sent/);
        expect(outcomes['off']!.imported).toBe(outcomes['report']!.imported);
        expect(outcomes['off']!.ran).toBe(outcomes['report']!.ran);
    });
});

describe('the bundled CLI loads Langium from its code cache', () => {
    it('the build wrote Langium, Chevrotain and vscode-languageserver as one CommonJS file and its cache', () => {
        const bundled = path.join(repo, 'packages/cli/dist/bundle/language.cjs');
        const text = fs.readFileSync(bundled, 'utf8');
        expect(text).not.toMatch(/\bimport\(|\bimport\.meta\b/);
        for (const pkg of ['langium', 'chevrotain', 'vscode-languageserver', 'vscode-languageserver-types']) {
            expect(text, pkg).toContain(`node_modules/${pkg}/`);
        }
        expect(fs.statSync(codeCachePath(bundled)).size).toBeGreaterThan(100_000);
        // The rest of the bundle holds no second copy of them: every import was sent to language.cjs.
        for (const chunk of fs.readdirSync(path.join(repo, 'packages/cli/dist/bundle/chunks'))) {
            expect(fs.readFileSync(path.join(repo, 'packages/cli/dist/bundle/chunks', chunk), 'utf8'), chunk).not.toMatch(/node_modules\/(langium|chevrotain|vscode-languageserver)/);
        }
    });

    it('check uses it, and reports the same problems with it turned off', () => {
        const project = projectCopy('project-check');
        fs.appendFileSync(path.join(project, 'rules.followup'), '\nfollowup late {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day at 09:00 in "Europe/Pariss"\n}\n');
        const outcomes = (['report', 'off'] as const).map((mode) => {
            const checked = followup(['check', project], temp, { FOLLOWUP_CODE_CACHE: mode });
            return { code: checked.code, stdout: checked.stdout, cache: /Langium's code cache: (\w+)/.exec(checked.stderr)?.[1] ?? 'none', stderr: checked.stderr.replace(/followup: Langium's code cache: \w+\n/, '') };
        });
        expect(outcomes.map((o) => o.cache)).toEqual(['accepted', 'none']);
        expect(outcomes[0]!.code).toBe(1);
        expect(outcomes[0]!.stdout + outcomes[0]!.stderr).toMatch(/Unknown time zone "Europe\/Pariss"/);
        expect({ ...outcomes[1], cache: '' }).toEqual({ ...outcomes[0], cache: '' });
    });
});

describe('loading a CommonJS file with its code cache', () => {
    // Each load in a process of its own, as a command's: within one process V8 compiles a source it has
    // compiled before from its own memory, whatever the cache holds.
    const file = path.join(temp, 'module.cjs');
    const loader = pathToFileURL(path.join(repo, 'packages/cli/dist/code-cache.js')).href;
    fs.mkdirSync(temp, { recursive: true });
    fs.writeFileSync(file, `const path = require('node:path');\nexports.where = () => path.basename(__filename) + ' in ' + path.basename(__dirname) + (module.exports === exports ? '' : '?');\n`);
    const load = (options: { write?: boolean; useCache?: boolean } = {}): { outcome: string; where: string } => {
        const script = `const m = await import(${JSON.stringify(loader)});
const loaded = m.loadCommonJs(${JSON.stringify(file)}, ${options.useCache ?? true});
${options.write ? `m.writeCodeCache(${JSON.stringify(file)}, loaded.script);` : ''}
console.log(JSON.stringify({ outcome: loaded.outcome, where: loaded.exports.where() }));`;
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(child.stderr);
        return JSON.parse(child.stdout) as { outcome: string; where: string };
    };
    const where = `module.cjs in ${path.basename(temp)}`;

    it('runs the file as require would, compiled from the cache once one was written', () => {
        expect(load({ write: true })).toEqual({ outcome: 'absent', where });
        expect(fs.statSync(codeCachePath(file)).size).toBeGreaterThan(0);
        expect(load()).toEqual({ outcome: 'accepted', where });
        expect(load({ useCache: false })).toEqual({ outcome: 'off', where });
    });

    it('compiles the source when V8 refuses the cache (damaged, or another source\'s)', () => {
        fs.writeFileSync(codeCachePath(file), Buffer.from('not a code cache, but long enough to be read as one........'));
        expect(load()).toEqual({ outcome: 'rejected', where });
        load({ write: true });
        expect(load()).toEqual({ outcome: 'accepted', where });
        fs.appendFileSync(file, '// changed: the cache is another source\'s now\n');
        expect(load()).toEqual({ outcome: 'rejected', where });
    });
});
