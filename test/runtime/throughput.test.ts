/**
 * How fast a run decides, renders and records (decisions + outbox rows per second), and how fast the
 * outbox drains into the outbox folder, on both engines. Prints the numbers; the floor asserted is
 * deliberately low (the machine may be busy): it is there to catch a change of complexity — such as a
 * query plan gone quadratic without planner statistics, ~300 rows/s here — not to benchmark.
 * Two runs of the same size: the first in a cold process (as `followup run` is: the WebAssembly of
 * PGlite and V8 still warming up), the second warm (as a long-running `serve` would be).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { compileProject } from '@followup/compiler';
import { loadProject, unloadProject } from '@followup/language';
import { createOutboxFolderTransport, dispatchOutbox, runRules } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { count, repo, seedCarts, tempDir } from './support.js';

const DUE = 3000;
const rule = 'cartAbandonment_followup_email';
const project = await loadProject([path.join(repo, 'examples/cart-abandonment')]);
const plans = compileProject(project).map((r) => r.plan);
unloadProject(project);

const temp = tempDir('throughput');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

forEachEngine('throughput', (ctx) => {
    it(`decides, renders and records ${DUE} follow-ups, then dispatches them`, async () => {
        const db = ctx.store;
        // 3000 carts due at the first run (2026-11-22T10:00Z), 3000 more due at the second, a day later.
        await seedCarts(db, DUE, new Date('2026-11-19T08:00:00Z'), { from: 100_000 });
        await seedCarts(db, DUE, new Date('2026-11-20T08:00:00Z'));
        const transport = createOutboxFolderTransport(path.join(temp, ctx.engine), { from: 'shop@example.com' });
        const transports = { email: transport, sms: transport, push: transport };

        const lines: string[] = [];
        const rates: number[] = [];
        for (const [label, now] of [['cold', new Date('2026-11-22T10:00:00Z')], ['warm', new Date('2026-11-23T10:00:00Z')]] as const) {
            const rowsBefore = (await count(db, 'decisions')) + (await count(db, 'outbox'));
            let t = performance.now();
            const report = await runRules(db, plans, { now, onlyRule: rule });
            const decideMs = performance.now() - t;
            expect(report.total.queued).toBe(DUE);
            const rows = (await count(db, 'decisions')) + (await count(db, 'outbox')) - rowsBefore;
            expect(rows).toBe(2 * DUE);

            t = performance.now();
            const dispatch = await dispatchOutbox(db, { transports, plans, now });
            const dispatchMs = performance.now() - t;
            expect(dispatch.total.sent).toBe(DUE);

            const rate = Math.round(rows / (decideMs / 1000));
            rates.push(rate);
            lines.push(
                `[${ctx.engine}, ${label}] decide+render+record ${DUE} follow-ups (${rows} decisions+outbox rows): ${Math.round(decideMs)} ms = ` +
                    `${rate} rows/s; dispatch to the outbox folder: ${Math.round(dispatchMs)} ms = ${Math.round(DUE / (dispatchMs / 1000))} messages/s`,
            );
        }
        console.log(lines.join('\n'));
        for (const rate of rates) expect(rate).toBeGreaterThan(1000);
    }, 180_000);
});
