// `followup report` as a user runs it (the built binary), on the demo's story: the example's history,
// `followup run` as of 2026-11-23T10:00:00Z (bigCartLastChance holds 10% out), the week after imported,
// then the report a week later: the table, --json, --rule/--from/--to, --html, --sql, and usage errors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutIndexNotes } from '../support/cli-output.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const example = path.join(repo, 'examples/cart-abandonment');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-report-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const project = path.join(temp, 'shop');
const weekLater = '2026-11-30T10:00:00Z';

function followup(...args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: temp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
    fs.cpSync(example, project, { recursive: true, filter: (from) => !from.includes(`${path.sep}.followup`) });
    for (const step of [
        ['import', 'shop/history.jsonl', '--project', 'shop'],
        ['run', 'shop', '--now', '2026-11-23T10:00:00Z', '--dry-run', '--json'],
        ['run', 'shop', '--now', '2026-11-23T10:00:00Z'],
        ['import', 'shop/week-after.jsonl', '--project', 'shop'],
    ]) {
        const r = followup(...step);
        expect(withoutIndexNotes(r.stderr), step.join(' ')).toBe('');
        expect(r.code, step.join(' ')).toBe(0);
        if (step.includes('--dry-run')) {
            const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!).summary;
            expect(summary).toMatchObject({ selected: 2424, wouldSend: 2190, heldOut: 229 });
            expect(summary.rules.find((x: { rule: string }) => x.rule === 'bigCartLastChance')).toMatchObject({ heldOut: 229 });
        } else if (step[0] === 'run') {
            expect(r.stdout.trim().split('\n').at(-1)).toBe(
                'Ran 4 rules as of 2026-11-23T10:00:00.000Z: 2424 selected, 2190 sent, 3 suppressed, 2 expired, 0 stopped, 0 failed, 229 held out (holdout).');
        }
    }
}, 300_000);

describe('followup report', () => {
    it('prints a table per rule and, for a rule with a goal and a holdout, both rates and the lift with its interval', () => {
        const r = followup('report', 'shop', '--now', weekLater);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Report as of 2026-11-30T10:00:00.000Z, every decision\n');
        expect(r.stdout).toMatch(/^rule\s+message\s+selected\s+sent\s+held out\s+delivered\s+opened\s+clicked\s+converted$/m);
        expect(r.stdout).toMatch(/^bigCartLastChance\s+lastChance email\s+2,414\s+2,184\s+229\s+0\s+0\s+0\s+330$/m);
        expect(r.stdout).toMatch(/^cartAbandonment_followup_email\s+followup email\s+6\s+4\s+0\s+0\s+0\s+0\s+—$/m);
        expect(r.stdout).toContain('bigCartLastChance: goal purchase within 7 days (value total); holdout 10%\n' +
            '  sent      15.1% (330 of 2,184 measured; 95% CI 13.7%–16.7%); revenue per recipient 21.60\n' +
            '  held out  7.4% (17 of 229 measured; 95% CI 4.7%–11.6%); revenue per recipient 10.92\n' +
            '  lift      +7.7 points (95% CI +3.3 to +10.8), relative +104% (95% CI +27% to +225%)\n' +
            '  the follow-up raised conversions: the whole interval is above 0\n');
        expect(r.stdout).toContain("Lift: Newcombe's hybrid score interval");
        expect(r.stdout).toMatch(/^By message \(rules sending the same message, added up\)\n.*\nbigCartLastChance, cartReminderChase\s+lastChance email\s+2,414\s+2,184\s+229/m);
    });

    it('--json: the same as data', () => {
        const r = followup('report', 'shop', '--now', weekLater, '--json');
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout);
        const big = report.rules.find((x: { rule: string }) => x.rule === 'bigCartLastChance');
        expect(big).toMatchObject({
            verdict: 'measured', holdout: { share: 10 }, goal: { event: 'purchase', within: '7 days', value: 'total', scope: 'rule' },
            counts: { selected: 2414, sent: 2184, heldOut: 229, converted: 330 },
            sentGroup: { people: 2184, measured: 2184, converted: 330 }, heldOutGroup: { people: 229, measured: 229, converted: 17 },
        });
        expect(big.lift.absolute.lower).toBeGreaterThan(0);
        expect(report.method.minimum).toEqual({ peoplePerGroup: 100, conversions: 10 });
    });

    it('--rule, --from and --to pick the rules and the period of the decisions', () => {
        const day = JSON.parse(followup('report', 'shop', '--now', weekLater, '--json', '--rule', 'bigCartLastChance',
            '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z').stdout);
        expect(day.rules.map((x: { rule: string }) => x.rule)).toEqual(['bigCartLastChance']);
        expect(day.rules[0].counts.selected).toBe(2414);
        const after = JSON.parse(followup('report', 'shop', '--now', weekLater, '--json', '--rule', 'bigCartLastChance', '--from', '2026-11-24T00:00:00Z').stdout);
        expect(after.rules[0]).toMatchObject({ counts: { selected: 0 }, verdict: 'not-enough-data' });
        // As of the run itself, nobody is measured yet: every window is still open.
        const early = JSON.parse(followup('report', 'shop', '--now', '2026-11-24T10:00:00Z', '--json', '--rule', 'bigCartLastChance').stdout);
        expect(early.rules[0]).toMatchObject({ measuring: 2184 + 229, sentGroup: { measured: 0 }, verdict: 'not-enough-data' });
    });

    it('--html writes one self-contained page: the tables, the data and uPlot inline', () => {
        const r = followup('report', 'shop', '--now', weekLater, '--html', 'out/report.html');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('Wrote out/report.html (4 rules; open it in a browser, no network needed)\n');
        const page = fs.readFileSync(path.join(temp, 'out/report.html'), 'utf8');
        expect(page).toContain('<title>followup report — shop</title>');
        expect(page).toContain('<strong>+7.7 points (95% CI +3.3 to +10.8), relative +104% (95% CI +27% to +225%)</strong>');
        expect(page).toMatch(/<script type="application\/json" id="report-data">\{"now":"2026-11-30T10:00:00.000Z"/);
        expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    });

    it('--sql prints the report queries with their parameters, without a store', () => {
        const fresh = path.join(temp, 'fresh');
        fs.cpSync(example, fresh, { recursive: true, filter: (from) => !from.includes(`${path.sep}.followup`) });
        const r = followup('report', 'fresh', '--sql', '--rule', 'bigCartLastChance');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^-- followup report of rule bigCartLastChance \(rules\.followup:\d+\)\n-- Run in a read-only transaction after: SET LOCAL enable_nestloop = off;\n/);
        expect(r.stdout).toContain('--   $4 rule (text) = "bigCartLastChance"');
        expect(r.stdout).toContain('--   $6 within (interval) = "10080 minutes"');
        expect(r.stdout).toMatch(/WITH\s+decided AS/);
        expect(fs.existsSync(path.join(fresh, '.followup'))).toBe(false);
    });

    it('usage errors: exit 2', () => {
        expect(followup('report', 'shop', '--rule', 'nope').stderr).toMatch(/no rule 'nope' in the project \(rules: bigCartLastChance, /);
        const r = followup('report', 'shop', '--from', '2026-11-23');
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('--from takes an ISO-8601 instant with a time zone');
        expect(followup('report', 'shop', '--json', '--sql').code).toBe(2);
        expect(followup('report', 'shop', '--from', '2026-11-24T00:00:00Z', '--to', '2026-11-23T00:00:00Z').code).toBe(2);
    });
});
