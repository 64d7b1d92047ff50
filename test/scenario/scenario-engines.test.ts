// The scenario runner on both store engines (a PGlite folder and a PostgreSQL 15 database): the
// examples' tests pass on each, each test starts from an empty store, and a test's result does not
// depend on the tests run before it.
import * as path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { compilePlans, lowerTests, type RenderPlan, type ScenarioIR } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { runScenario, runScenarios, storeTables, type ImportSchemas } from '@followup/runtime';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';
import { forEachEngine } from '../support/stores.js';

const repo = path.resolve(import.meta.dirname, '../..');
const projects: Record<string, { plans: RenderPlan[]; scenarios: ScenarioIR[]; schemas: ImportSchemas }> = {};

beforeAll(async () => {
    for (const example of ['cart-abandonment', 'order-shipped']) {
        const project = await loadProject([path.join(repo, 'examples', example)]);
        projects[example] = { plans: compilePlans(project), scenarios: lowerTests(project), schemas: projectSchemas(project) };
    }
});

forEachEngine('scenario tests', (ctx) => {
    it('the examples\' tests all pass', async () => {
        for (const [example, { plans, scenarios, schemas }] of Object.entries(projects)) {
            const results = await runScenarios(ctx.store, plans, scenarios, { schemas });
            expect(results.map(r => [r.name, r.failures]), example).toEqual(scenarios.map(s => [s.name, []]));
            expect(results.every(r => r.expectations > 0)).toBe(true);
        }
    });

    it('each test starts from an empty store and gives the same result whatever ran before', async () => {
        const { plans, scenarios, schemas } = projects['cart-abandonment']!;
        const alone = await runScenario(ctx.store, plans, scenarios[0]!, { schemas });
        // Something left in the store (another project's data) is gone when the next test starts.
        await runScenario(ctx.store, projects['order-shipped']!.plans, projects['order-shipped']!.scenarios[2]!, { schemas: projects['order-shipped']!.schemas });
        const after = await runScenario(ctx.store, plans, scenarios[0]!, { schemas });
        const strip = (r: typeof alone) => ({ ...r, durationMs: 0 });
        expect(strip(after)).toEqual(strip(alone));
        const { rows } = await ctx.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'orderShipped'`);
        expect(rows[0]!.n).toBe(0);
        expect(storeTables).toContain('events');
    });

    it('a broken expectation fails with the step it is written at, and the test goes on', async () => {
        const { plans, scenarios, schemas } = projects['cart-abandonment']!;
        const scenario = structuredClone(scenarios.find(s => s.name.startsWith('one follow-up a day'))!);
        const step = scenario.steps.find(s => s.kind === 'expect-not-sent')!;
        if (step.kind !== 'expect-not-sent') throw new Error('unreachable');
        step.reason = { kind: 'verdict', verdict: 'expired' };
        const result = await runScenario(ctx.store, plans, scenario, { schemas });
        expect(result.passed).toBe(false);
        expect(result.failures).toEqual([expect.objectContaining({ code: 'FU190', source: step.source, expected: 'not sent because expired' })]);
        expect(result.expectations).toBe(3);
    });
});
