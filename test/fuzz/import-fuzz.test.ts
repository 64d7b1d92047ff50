// `followup import` over mutated history files (issue 11): 400 files (about 2,600 lines) per engine, made from valid
// records of the cart-abandonment example by mutation (event-mutations.ts), each imported with the
// project's schemas. Every file is either imported whole (and then every event of it is stored with
// the data, type and time it had, or was stored before: a duplicate) or rejected with problems that
// each name a line of the file, and nothing of it is stored. No database error ever escapes. A
// sample of the files goes through the built CLI too: exit 0 or 1, every line of its error output
// readable (no stack trace, SQL or source). Counts are printed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ImportRejectedError, importHistory } from '@followup/runtime';
import { parseInstant } from '@followup/values';
import { forEachEngine } from '../support/stores.js';
import { exampleSchemas, example, lines as asLines, repo, rowCounts } from '../import/support.js';
import { asStored, historyFile, LEAK, rng } from './event-mutations.js';

const FILES = Number(process.env['FOLLOWUP_FUZZ_FILES'] ?? 400);
const CLI_SAMPLE = 8;
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-import-fuzz-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

forEachEngine('import fuzz', (ctx) => {
    it(`${FILES.toLocaleString('en-US')} mutated history files: imported whole and exactly, or rejected with line numbers and nothing stored`, async () => {
        const schemas = await exampleSchemas();
        const r = rng(ctx.engine === 'pglite' ? 7 : 8);
        const ids: string[] = [];
        const stored = new Map<string, { type: string; data: unknown; at: string }>();
        let accepted = 0;
        let rejected = 0;
        let lineCount = 0;
        const problemsByPath = new Map<string, number>();
        const cliFiles: string[] = [];
        for (let f = 0; f < FILES; f++) {
            const file = historyFile(r, 2 + Math.floor(r() * 10), ids);
            // The lines as the CLI reads them from a file (readline: \n, \r\n and \r end a line).
            const fileLines = file.lines.join('\n').split(/\r\n|\r|\n/);
            lineCount += fileLines.length;
            const before = await rowCounts(ctx.store);
            const context = `file ${f} (${file.labels.join('; ')}):\n${fileLines.join('\n').slice(0, 2000)}`;
            try {
                await importHistory(ctx.store, asLines(...fileLines), { schemas });
                accepted++;
                // Every event line is stored as written, or was stored already (the stored one wins).
                for (const text of fileLines) {
                    if (text.trim() === '') continue;
                    const record = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Record<string, unknown>;
                    if (record['kind'] !== 'event') continue;
                    const id = record['id'] as string;
                    if (!stored.has(id)) stored.set(id, { type: record['type'] as string, data: record['data'], at: record['at'] as string });
                }
            } catch (error) {
                expect(error, context).toBeInstanceOf(ImportRejectedError);
                const rejection = error as ImportRejectedError;
                rejected++;
                expect(rejection.errors.length, context).toBeGreaterThan(0);
                for (const problem of rejection.errors) {
                    expect(problem.line, context).toBeGreaterThanOrEqual(1);
                    expect(problem.line, context).toBeLessThanOrEqual(fileLines.length);
                    expect(`${problem.path}: ${problem.message}`, context).not.toMatch(LEAK);
                    expect(problem.message, context).not.toContain('\n');
                    const key = problem.path.replace(/\[\d+\]/g, '[]') || '(line)';
                    problemsByPath.set(key, (problemsByPath.get(key) ?? 0) + 1);
                }
                expect(await rowCounts(ctx.store), context).toEqual(before);
                if (cliFiles.length < CLI_SAMPLE && f % 13 === 0) {
                    const name = path.join(temp, `${ctx.engine}-${f}.jsonl`);
                    fs.writeFileSync(name, `${fileLines.join('\n')}\n`);
                    cliFiles.push(name);
                }
            }
        }

        const { rows } = await ctx.store.query<{ id: string; type: string; occurred_at: Date; payload: unknown }>('SELECT id, type, occurred_at, payload FROM events');
        expect(rows.length).toBe(stored.size);
        for (const row of rows) {
            const want = stored.get(row.id);
            expect(want, `stored ${JSON.stringify(row.id)} came from an imported file`).toBeDefined();
            expect(row.type).toBe(want!.type);
            expect(row.payload).toEqual(asStored(want!.data));
            expect(row.occurred_at.getTime()).toBe(parseInstant(want!.at)!.getTime());
        }

        // The CLI on a sample of the rejected files (and one good file): exit 1, readable lines only.
        const db = await ctx.freshTarget();
        let cliRuns = 0;
        for (const file of cliFiles) {
            const run = spawnSync(process.execPath, [bin, 'import', file, '--project', example, '--db', db], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
            cliRuns++;
            expect(run.status, run.stderr).toBe(1);
            for (const line of run.stderr.split('\n').filter((l) => l !== '')) {
                expect(line).toMatch(/^(.+\.jsonl:\d+: .+|Rejected .+: \d+ errors?; nothing was imported\.|\.\.\. and [\d,]+ more\.)$/);
                expect(line).not.toMatch(LEAK);
            }
        }

        const paths = [...problemsByPath].sort((a, b) => b[1] - a[1]).slice(0, 15);
        console.log(
            `[${ctx.engine}] import fuzz: ${FILES.toLocaleString('en-US')} files, ${lineCount.toLocaleString('en-US')} lines: ${accepted} imported (${stored.size} events verified), ` +
                `${rejected} rejected with nothing stored; CLI on ${cliRuns} of them: exit 1, readable lines\n  problems by path: ${paths.map(([k, v]) => `${k} ${v}`).join(', ')}`,
        );
        expect(accepted).toBeGreaterThan(FILES / 20);
        expect(rejected).toBeGreaterThan(FILES / 20);
    }, 20 * 60_000);
});
