// A scenario test gives the verdicts `followup run` gives on the same history. Each example test is
// run by the scenario runner (PGlite in memory, as `followup test` does); then its history is replayed
// with the CLI itself on a PostgreSQL 15 database — `followup import --project` of the records the test
// imported before each run, `followup explain --json` before and after each run, `followup run --now
// <the run's instant> --json` — and the two must agree: the same follow-ups sent to the same
// addresses with the same subjects, the same counts per rule, the same decisions, and `explain`'s
// verdicts satisfying every "not sent because ..." of the test.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlans, lowerTests, type ScenarioIR } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { openScenarioStore, reasonMatches, runScenario, type ScenarioResult, type ScenarioVerdict, type Store } from '@followup/runtime';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';
import { freshPostgresTarget, releaseSharedDatabases } from '../support/stores.js';
import { withClient } from '../support/postgres.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-scenario-vs-run-'));

function followup(args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: temp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (result.status !== 0) throw new Error(`followup ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

interface Decision { rule: string; event_id: string; outcome: string }

interface Observed {
    scenario: ScenarioIR;
    result: ScenarioResult;
    decisions: Decision[];
}

let scenarioStore: Store;
const observed: Record<string, Observed[]> = {};
const examples = ['cart-abandonment', 'order-shipped'];

beforeAll(async () => {
    scenarioStore = (await openScenarioStore()).store;
    for (const example of examples) {
        const dir = path.join(temp, example);
        fs.cpSync(path.join(repo, 'examples', example), dir, { recursive: true, filter: f => !f.split(path.sep).includes('.followup') });
        const project = await loadProject([dir]);
        const plans = compilePlans(project);
        observed[example] = [];
        for (const scenario of lowerTests(project)) {
            const result = await runScenario(scenarioStore, plans, scenario, { schemas: projectSchemas(project) });
            const { rows } = await scenarioStore.query<Decision>('SELECT rule, event_id, outcome FROM decisions ORDER BY rule, event_id');
            observed[example].push({ scenario, result, decisions: rows });
        }
    }
});

afterAll(async () => {
    await scenarioStore?.close();
    await releaseSharedDatabases();
    fs.rmSync(temp, { recursive: true, force: true });
});

interface Explained { verdicts: (ScenarioVerdict & { rule: string })[] }

function explain(dir: string, db: string, event: string, at: string, rule: string): ScenarioVerdict {
    const result = spawnSync(process.execPath, [bin, 'explain', dir, '--db', db, '--event', event, '--now', at, '--json'], { cwd: temp, encoding: 'utf8' });
    if (result.status !== 0) return { kind: 'no-event', reason: result.stderr.trim(), wouldSend: false };
    const [explained] = JSON.parse(result.stdout) as Explained[];
    return explained!.verdicts.find(v => v.rule === rule)!;
}

describe.each(examples)('%s: each test against followup import, explain and run on PostgreSQL 15', (example) => {
    it('has the tests of the mission sentence, a chain, a since, a cap and quiet hours (cart-abandonment)', () => {
        const names = observed[example]!.map(o => o.scenario.name);
        expect(names.length).toBeGreaterThanOrEqual(3);
        expect(observed[example]!.every(o => o.result.passed), JSON.stringify(observed[example]!.map(o => o.result.failures))).toBe(true);
        if (example === 'cart-abandonment') {
            for (const kind of ['reminder three days later', 'the reminder was opened', 'since the cart', 'one follow-up a day', 'at night']) {
                expect(names.some(n => n.includes(kind)), kind).toBe(true);
            }
        }
    });

    it('every test: the same sends, counts, decisions and reasons as the CLI', async () => {
        const dir = path.join(temp, example);
        for (const { scenario, result, decisions } of observed[example]!) {
            const db = await freshPostgresTarget();
            for (const [index, run] of result.runs.entries()) {
                const records = path.join(temp, `records-${index}.jsonl`);
                fs.writeFileSync(records, run.records.join('\n') + '\n');
                if (run.records.length > 0) followup(['import', records, '--project', dir, '--db', db]);
                // The expectations about this run, and what explain says of them before and after it.
                const runStep = scenario.steps.filter(s => s.kind === 'run')[index]!;
                const expectations = [];
                for (const step of scenario.steps.slice(scenario.steps.indexOf(runStep) + 1)) {
                    if (step.kind === 'run') break;
                    if (step.kind === 'expect-not-sent' && step.reason) expectations.push(step);
                }
                const before = expectations.map(e => explain(dir, db, e.event, run.at, e.rule));

                const lines = followup(['run', dir, '--db', db, '--now', run.at, '--json', ...(run.rule ? ['--rule', run.rule] : [])])
                    .trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
                const summary = lines.pop()!['summary'] as { rules: Record<string, unknown>[] };
                const sent = lines.map(l => ({ rule: l['rule'], event: l['event'], to: l['to'], subject: l['subject'] ?? undefined }));
                const label = `${scenario.name}, run at ${run.at}`;
                expect(sent.sort(byRuleEvent), label).toEqual(run.sent.map(m => ({ rule: m.rule, event: m.event, to: m.to, subject: m.subject })).sort(byRuleEvent));
                expect(summary.rules.map(({ rule, selected, sent: n, suppressed, expired, stopped, failed, capped, held }) =>
                    ({ rule, selected, sent: n, suppressed, expired, stopped, failed, capped, held })), label)
                    .toEqual(run.rules.map(({ rule, selected, sent: n, suppressed, expired, stopped, failed, capped, held }) =>
                        ({ rule, selected, sent: n, suppressed, expired, stopped, failed, capped, held })));

                expectations.forEach((e, i) => {
                    const pre = before[i]!;
                    const post = explain(dir, db, e.event, run.at, e.rule);
                    // The reason is what explain said before the run, unless the run decided without sending.
                    const why = pre.kind === 'decided' ? pre : post.kind === 'decided' || post.kind === 'held' ? post : pre;
                    expect(reasonMatches(e.reason!, why), `${label}: ${e.text} — explain says ${why.reason}`).toBe(true);
                });
            }
            const cli = await withClient(db, client => client.query<Decision>('SELECT rule, event_id, outcome FROM decisions ORDER BY rule, event_id'));
            expect(cli.rows, scenario.name).toEqual(decisions);
        }
    }, 600_000); // dozens of CLI processes
});

function byRuleEvent(a: { rule: unknown; event: unknown }, b: { rule: unknown; event: unknown }): number {
    return `${a.rule}/${a.event}`.localeCompare(`${b.rule}/${b.event}`);
}
