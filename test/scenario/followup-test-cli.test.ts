// `followup test` as a user runs it (the built binary): every example's tests pass; a broken
// expectation fails at its line with exit 1; data that does not match the schema is a check error.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const examples = path.join(repo, 'examples');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-test-cli-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function followup(args: string[], cwd = repo) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of an example whose tests.followup has `from` replaced by `to`. */
function variant(example: string, name: string, from: string, to: string): string {
    const dir = path.join(temp, name);
    fs.cpSync(path.join(examples, example), dir, { recursive: true, filter: f => !f.includes(`${path.sep}.followup${path.sep}`) && !f.endsWith(`${path.sep}.followup`) });
    const file = path.join(dir, 'tests.followup');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(file, text.replace(from, to));
    return dir;
}

function lineOf(file: string, needle: string): number {
    return fs.readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes(needle)) + 1;
}

const exampleNames = fs.readdirSync(examples).filter(e => fs.existsSync(path.join(examples, e, 'tests.followup')));

describe('followup test on the examples', () => {
    it('every example has tests', () => {
        expect(exampleNames.sort()).toEqual(['cart-abandonment', 'order-shipped']);
    });

    it.each(exampleNames)('%s: every test passes, exit 0', (example) => {
        const r = followup(['test', `examples/${example}`]);
        expect(r.stderr).toBe('');
        const count = (fs.readFileSync(path.join(examples, example, 'tests.followup'), 'utf8').match(/^test "/gm) ?? []).length;
        expect(r.stdout.split('\n').filter(l => l.startsWith('✓ '))).toHaveLength(count);
        expect(r.stdout).toMatch(new RegExp(`\\n${count} passed, 0 failed \\(${count} tests, [0-9.]+ s\\)\\n$`));
        expect(r.code).toBe(0);
    });
});

describe('a project without tests', () => {
    it('says so, exit 0', () => {
        const dir = path.join(temp, 'no-tests');
        fs.cpSync(path.join(examples, 'order-shipped'), dir, { recursive: true, filter: f => !f.endsWith('tests.followup') });
        const r = followup(['test', dir], temp);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^No tests in no-tests \(declare them with test "\.\.\." \{ \.\.\. \}: see docs\/testing\.md\)\.\n0 passed, 0 failed/);
    });
});

describe('a failing expectation', () => {
    const dir = variant('cart-abandonment', 'broken', 'expect cartReminderChase not sent for bob because capped', 'expect cartReminderChase not sent for bob because expired');
    const file = path.join(dir, 'tests.followup');
    const line = lineOf(file, 'because expired');

    it('is a diagnostic at its line, with what was expected and what happened; exit 1', () => {
        const r = followup(['test', dir], temp);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(`✗ one follow-up a day: the chase is capped when the last chance goes the same day (broken/tests.followup:`);
        expect(r.stdout).toContain(`broken/tests.followup:${line}:3 - error FU190: cartReminderChase did not send a follow-up for bob, but not because expired\n\n` +
            `${line}   expect cartReminderChase not sent for bob because expired\n` +
            `${' '.repeat(String(line).length)}   ${'~'.repeat('expect cartReminderChase not sent for bob because expired'.length)}\n` +
            '  expected: not sent because expired\n' +
            '  got:      not sent: capped: 1 follow-up on email to bob@example.com since 2026-11-16T10:05:00Z ' +
            "(the project policy's limit 1 per recipient per 1 day), decided at 2026-11-17T10:05:00Z\n");
        expect(r.stdout).toMatch(/\n6 passed, 1 failed \(7 tests, [0-9.]+ s\)\n$/);
    });

    it('--json gives the same as data', () => {
        const r = followup(['test', dir, '--json'], temp);
        expect(r.code).toBe(1);
        const report = JSON.parse(r.stdout) as { passed: number; failed: number; tests: { name: string; passed: boolean; line: number; failures: unknown[] }[] };
        expect(report.passed).toBe(6);
        expect(report.failed).toBe(1);
        const failed = report.tests.filter(t => !t.passed);
        expect(failed.map(t => t.name)).toEqual(['one follow-up a day: the chase is capped when the last chance goes the same day']);
        expect(failed[0]!.failures).toEqual([{
            file: 'broken/tests.followup', line, column: 3, endLine: line, endColumn: 60, code: 'FU190',
            message: 'cartReminderChase did not send a follow-up for bob, but not because expired',
            expected: 'not sent because expired',
            got: expect.stringMatching(/^not sent: capped: 1 follow-up on email to bob@example.com/),
        }]);
    });

    it('--test runs only the named test; an unknown name is a usage error', () => {
        const one = followup(['test', dir, '--test', 'a hard bounce suppresses the address'], temp);
        expect(one.code).toBe(0);
        expect(one.stdout).toMatch(/^✓ a hard bounce suppresses the address \(broken\/tests\.followup:\d+, \d+ ms\)\n1 passed, 0 failed/);
        const none = followup(['test', dir, '--test', 'no such test'], temp);
        expect(none.code).toBe(2);
        expect(none.stderr).toContain('no test named "no such test"');
    });
});

describe('a step that cannot be carried out', () => {
    it('is a diagnostic at the step (FU191), and the test stops there', () => {
        const dir = variant('cart-abandonment', 'no-followup-yet', '  +3 days run\n  expect cartAbandonment_followup_email sent for ana',
            '  +1 day ana opened followup email\n  +2 days run\n  expect cartAbandonment_followup_email sent for ana');
        const line = lineOf(path.join(dir, 'tests.followup'), 'ana opened followup email');
        const r = followup(['test', dir, '--test', 'the chase follows the reminder four days later, unless the reminder was opened'], temp);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(`no-followup-yet/tests.followup:${line}:3 - error FU191: ana has not been sent followup email by 2026-11-11T10:05:00Z: nothing to be opened`);
        expect(r.stdout).toMatch(/0 passed, 1 failed/);
    });
});

describe('test data that does not match the event schema', () => {
    const dir = variant('cart-abandonment', 'bad-data', '    cartTotal: 150\n', '    cartTotal: "a lot"\n');
    const line = lineOf(path.join(dir, 'tests.followup'), 'cartTotal: "a lot"');

    it('is a check error (FU181) at the value', () => {
        const r = followup(['check', dir, '--json'], temp);
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toEqual([{
            file: 'bad-data/tests.followup', line, column: 16, endLine: line, endColumn: 23, severity: 'error', code: 'FU181',
            message: 'expected a decimal (a number, or a numeric string such as "19.99"), got "a lot"',
        }]);
    });

    it('stops followup test before any test runs, exit 1', () => {
        const r = followup(['test', dir], temp);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`bad-data/tests.followup:${line}:16 - error FU181: expected a decimal`);
        expect(r.stderr).toMatch(/Found 1 error in 1 file\.\n$/);
    });
});

describe('followup test --watch', () => {
    it('runs the tests, then again when a file changes, until Ctrl-C (exit 0)', async () => {
        const dir = variant('order-shipped', 'watched', 'because clicked', 'because clicked');
        const child = spawn(process.execPath, [bin, 'test', dir, '--watch'], { cwd: temp, env: { ...process.env, NO_COLOR: '1' } });
        let out = '';
        child.stdout.on('data', d => (out += d));
        const waitFor = (pattern: RegExp, from: number) => new Promise<void>((resolve, reject) => {
            const started = Date.now();
            const poll = setInterval(() => {
                if (pattern.test(out.slice(from))) { clearInterval(poll); resolve(); }
                else if (Date.now() - started > 60_000) { clearInterval(poll); reject(new Error(`timed out waiting for ${pattern}:\n${out}`)); }
            }, 50);
        });
        await waitFor(/3 passed, 0 failed[^]*Watching for changes/, 0);
        const seen = out.length;
        const file = path.join(dir, 'tests.followup');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('because clicked', 'because opened'));
        await waitFor(/2 passed, 1 failed[^]*Watching for changes/, seen);
        const exit = new Promise<number | null>(resolve => child.on('close', resolve));
        child.kill('SIGINT');
        expect(await exit).toBe(0);
        expect(out.slice(seen)).toContain('error FU190: reviewRequest did not send a follow-up for ship1, but not because opened');
    }, 180_000);
});

describe('tests are not rules', () => {
    it('compile writes the rules of the example and nothing for its tests', () => {
        const out = path.join(temp, 'build');
        const r = followup(['compile', 'examples/cart-abandonment', '--out', out]);
        expect(r.code).toBe(0);
        const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { rules: { name: string }[] };
        expect(manifest.rules.map(x => x.name)).toEqual(['bigCartLastChance', 'cartAbandonment_followup_email', 'cartReminderChase', 'loyalOpenedNoPurchase']);
    });
});
