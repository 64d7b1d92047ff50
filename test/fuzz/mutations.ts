// Robustness (declared by mutations-*.test.ts): random mutations of the example files never make the parser, the checker or the
// compiler throw; each yields diagnostics or a clean (compilable) result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFollowupServices, loadSources, unloadProject } from '@followup/language';
import { compileProject } from '@followup/compiler';
import { mutate, rng } from './mutate.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
const total = Number(process.env['FUZZ_MUTATIONS'] ?? 10_000);

function exampleProjects(): { dir: string; files: Record<string, string> }[] {
    return fs.readdirSync(examples, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => {
        const dir = path.join(examples, e.name);
        const files: Record<string, string> = {};
        for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
            // `.followup/` is the runtime's state folder (store, outbox), not a source file.
            if (f.endsWith('.followup') && !f.split(path.sep).some(part => part === '.followup') && fs.statSync(path.join(dir, f)).isFile()) {
                files[f] = fs.readFileSync(path.join(dir, f), 'utf8');
            }
        }
        return { dir, files };
    }).filter(p => Object.keys(p.files).length > 0);
}

/** Declares the mutation tests of the given shards (of `shards` in all); files split them to use both cores. */
export function describeMutations(mine: number[], shards: number): void {
describe(`random mutations of the examples (shards ${mine.map(s => s + 1).join(', ')} of ${shards})`, () => {
    const projects = exampleProjects();
    const services = createFollowupServices(NodeFileSystem).Followup;
    let consoleErrors: unknown[][] = [];
    beforeEach(() => {
        consoleErrors = [];
        // Langium reports a check that throws through console.error and carries on: count those as failures.
        vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { consoleErrors.push(args); });
    });
    afterEach(() => vi.restoreAllMocks());

    it('has examples to mutate', () => {
        expect(projects.length).toBeGreaterThanOrEqual(1);
    });

    for (const shard of mine) {
        it(`shard ${shard + 1}/${shards}: ${Math.ceil(total / shards)} mutants, none throws`, async () => {
            let withDiagnostics = 0;
            let clean = 0;
            for (let n = shard; n < total; n += shards) {
                const seed = 1000 + n;
                const r = rng(seed);
                const project = projects[n % projects.length]!;
                const names = Object.keys(project.files);
                const target = names[Math.floor(r() * names.length)]!;
                let text = project.files[target]!;
                const rounds = 1 + Math.floor(r() * 3);
                const kinds: string[] = [];
                for (let k = 0; k < rounds; k++) {
                    const m = mutate(text, r);
                    text = m.text;
                    kinds.push(m.kind);
                }
                const context = `seed ${seed}: ${kinds.join('+')} in ${path.basename(project.dir)}/${target}`;
                let loaded;
                try {
                    loaded = await loadSources({ ...project.files, [target]: text }, { baseDir: project.dir, services });
                    if (loaded.errorCount === 0) compileProject(loaded);
                } catch (error) {
                    throw new Error(`${context} threw: ${(error as Error).stack}\n--- mutant ---\n${text}`);
                } finally {
                    if (loaded) unloadProject(loaded);
                }
                expect(consoleErrors, `${context} logged an internal error`).toEqual([]);
                for (const d of loaded.diagnostics) {
                    expect(d.code, context).toMatch(/^FU\d{3}$/);
                    // FU000 is what a diagnostic without a code becomes: a check that threw (docs/diagnostics.md lists none).
                    expect(d.code, `${context}: ${d.message}`).not.toBe('FU000');
                    expect(d.line, context).toBeGreaterThanOrEqual(1);
                    expect(d.column, context).toBeGreaterThanOrEqual(1);
                }
                if (loaded.diagnostics.length) withDiagnostics++; else clean++;
            }
            expect(withDiagnostics + clean).toBe(Math.ceil((total - shard) / shards));
            expect(withDiagnostics).toBeGreaterThan(0);
        }, 600_000);
    }
});
}
