/**
 * Concurrency (docs/language.md §4: at most once also when runs overlap): three `followup run` processes
 * started together on one PostgreSQL store, with the same --now, deliver every due follow-up exactly
 * once in total. The first to lock a rule's watermark decides; the others wait, then find nothing new;
 * all three drain the outbox, skipping each other's locked rows.
 *
 * Spawns the built CLI: `npm test` builds first (`npm run build` before running this file alone).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { copyExample, expectExactlyOnce, seedCarts, spawnRun, tempDir } from './support.js';

const DUE = 3000;
const now = '2026-11-23T10:00:00Z';
const rule = 'cartAbandonment_followup_email';

const temp = tempDir('concurrency');
let server: PostgresServer | undefined;
afterAll(async () => {
    await server?.stop();
    fs.rmSync(temp, { recursive: true, force: true });
});

describe('three runs at once on one PostgreSQL store', () => {
    it(`deliver each of ${DUE} due follow-ups exactly once in total`, async () => {
        server = await startPostgres();
        const store = await openStore(server.url);
        try {
            await seedCarts(store, DUE, new Date('2026-11-20T08:00:00Z'));
        } finally {
            await store.close();
        }
        const project = copyExample(temp);
        const started = Date.now();
        const runs = await Promise.all([0, 1, 2].map(() => spawnRun(project, server!.url, now)));
        const exits = await Promise.all(runs.map((r) => r.exited));
        const ms = Date.now() - started;
        exits.forEach((exit) => expect(exit.code, exit.stderr).toBe(0));

        const summaries = runs.map((r) => (r.lines.at(-1) as { summary: { selected: number; sent: number } }).summary);
        // One process decided everything; the others found the watermark already at now.
        expect(summaries.map((s) => s.selected).sort((a, b) => a - b)).toEqual([0, 0, DUE]);
        expect(summaries.reduce((sum, s) => sum + s.sent, 0)).toBe(DUE);

        const check = await openStore(server.url);
        try {
            const ids = Array.from({ length: DUE }, (_, i) => `cart-${i}`);
            await expectExactlyOnce(check, path.join(project, '.followup/outbox'), rule, ids, runs.flatMap((r) => r.lines), expect);
            expect(await check.query('SELECT count(*)::int AS n FROM runs WHERE rule = $1', [rule]).then((r) => r.rows[0])).toEqual({ n: 1 });
        } finally {
            await check.close();
        }
        console.log(`[postgres] 3 concurrent runs: ${ms} ms in all; sent per process: ${summaries.map((s) => s.sent).join(', ')}; ` +
            `each ${exits.map((e) => e.ms).join(', ')} ms`);
    }, 10 * 60_000);
});
