// Every example compiles to the committed SQL and plans in test/golden/<example>/: a change in the
// compiler's output is a reviewable diff. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileOutput, writeCompiled } from '@followup/compiler';
import { loadProject } from '@followup/language';

const examples = path.resolve(import.meta.dirname, '../../examples');
const goldenRoot = import.meta.dirname;
const update = process.env['UPDATE_GOLDEN'] === '1';

const exampleNames = fs.readdirSync(examples, { withFileTypes: true })
    .filter(e => e.isDirectory() && fs.readdirSync(path.join(examples, e.name)).some(f => f.endsWith('.followup')))
    .map(e => e.name);

describe.each(exampleNames)('example %s', name => {
    it('compiles to the committed golden files', async () => {
        const project = await loadProject([path.join(examples, name)]);
        expect(project.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-golden-'));
        try {
            writeCompiled(out, compileOutput(project), 'postgres');
            const golden = path.join(goldenRoot, name);
            if (update) {
                fs.rmSync(golden, { recursive: true, force: true });
                fs.cpSync(out, golden, { recursive: true });
            }
            const produced = fs.readdirSync(out).sort();
            expect(produced).toEqual(fs.readdirSync(golden).sort());
            for (const file of produced) {
                expect(fs.readFileSync(path.join(out, file), 'utf8'), `${name}/${file}`).toBe(fs.readFileSync(path.join(golden, file), 'utf8'));
            }
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
