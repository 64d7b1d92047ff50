// The `followup` binary as a user runs it: exit codes, output, deterministic files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const example = path.join(repo, 'examples/cart-abandonment');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-cli-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function followup(args: string[], cwd = repo) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readTree(dir: string): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(dir, { recursive: true }).map(String).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort()
        .map(f => [f.split(path.sep).join('/'), fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('followup check', () => {
    it('passes the cart-abandonment example with exit 0', () => {
        const r = followup(['check', 'examples/cart-abandonment']);
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('No problems in 4 files.\n');
        expect(r.code).toBe(0);
    });

    it('prints tsc-like diagnostics with the source line and a caret underline, exit 1', () => {
        const dir = path.join(temp, 'broken');
        fs.cpSync(example, dir, { recursive: true });
        const rules = path.join(dir, 'rules.followup');
        fs.writeFileSync(rules, fs.readFileSync(rules, 'utf8').replace('not opened then send followup email', 'not opened and cartTotl > 3 then send followup email'));
        const r = followup(['check', dir], temp);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain("broken/rules.followup:2:57 - error FU101: Unknown field 'cartTotl' on event 'cartAbandonment'");
        expect(r.stdout).toContain('2 when cartAbandonment sent 3 days ago and not opened and cartTotl > 3 then send followup email\n' +
            ' '.repeat(58) + '~~~~~~~~\n' +
            "  hint: Did you mean 'cartTotal'?");
        expect(r.stdout).toMatch(/Found 1 error in 1 file\.\n$/);
    });

    it('gives the diagnostics as JSON with --json', () => {
        const r = followup(['check', path.join(temp, 'broken'), '--json'], temp);
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toEqual([{
            file: 'broken/rules.followup', line: 2, column: 57, endLine: 2, endColumn: 65, severity: 'error', code: 'FU101',
            message: "Unknown field 'cartTotl' on event 'cartAbandonment'", hint: "Did you mean 'cartTotal'?",
        }]);
    });

    it('exits 2 for a missing project and for a bad flag, with help available', () => {
        const missing = followup(['check', 'no/such/project']);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain('No such file or folder: no/such/project');
        const bad = followup(['check', 'examples/cart-abandonment', '--jsn']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/Unknown option '--jsn'/);
        const help = followup(['check', '--help']);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/^Usage: followup check/);
    });
});

describe('followup compile', () => {
    it('writes one .sql and one .plan.json per rule, the ingestion plans and a manifest, byte-identical across two runs', () => {
        const first = path.join(temp, 'out1');
        const second = path.join(temp, 'out2');
        expect(followup(['compile', 'examples/cart-abandonment', '--out', first]).code).toBe(0);
        expect(followup(['compile', 'examples/cart-abandonment', '--out', second]).code).toBe(0);
        const files = readTree(first);
        const manifest = JSON.parse(files['manifest.json']!) as { rules: { name: string; sql: string; plan: string }[] };
        const names = manifest.rules.map(r => r.name);
        expect(names).toEqual(['bigCartLastChance', 'cartAbandonment_followup_email', 'cartReminderChase', 'loyalOpenedNoPurchase']);
        expect(Object.keys(files).sort()).toEqual(['indexes.sql', 'ingestion.json', 'manifest.json', ...names.flatMap(n => [`${n}.plan.json`, `${n}.sql`]),
            'schemas/cartAbandonment.json', 'schemas/purchase.json'].sort());
        expect(readTree(second)).toEqual(files);
        const plan = JSON.parse(files['cartAbandonment_followup_email.plan.json']!);
        expect(plan).toMatchObject({
            rule: 'cartAbandonment_followup_email', event: 'cartAbandonment', channel: 'email', message: 'followup',
            trigger: { kind: 'event', name: 'cartAbandonment', delay: { text: '3 days', minutes: 4320 } },
            recipient: { source: 'event', path: ['email'] },
            schedule: { every: { text: '1 day' }, at: '00:00', zone: 'UTC' },
        });
        expect(Object.keys(plan.templates).sort()).toEqual(['html', 'subject', 'text']);
        expect(plan.queries.selection.parameters.slice(0, 2)).toEqual([
            { index: 1, name: 'watermark', type: 'timestamptz' }, { index: 2, name: 'now', type: 'timestamptz' },
        ]);
    });

    it('compiling again after a rule was removed takes its files away, and leaves the folder\'s other files alone', () => {
        const project = path.join(temp, 'shrinking');
        fs.cpSync(path.join(repo, 'examples/cart-abandonment'), project, { recursive: true, filter: (f) => !f.includes('.followup/') && !f.endsWith('tests.followup') });
        const out = path.join(temp, 'shrinking-out');
        expect(followup(['compile', project, '--out', out]).code).toBe(0);
        fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
        const rules = path.join(project, 'rules.followup');
        fs.writeFileSync(rules, fs.readFileSync(rules, 'utf8').replace(/followup cartReminderChase \{[^}]*\}/s, ''));
        const r = followup(['compile', project, '--out', out]);
        expect(r.code, r.stderr).toBe(0);
        const files = fs.readdirSync(out);
        expect(files.filter(f => f.startsWith('cartReminderChase'))).toEqual([]);
        expect(files).toContain('bigCartLastChance.plan.json');
        expect(files).toContain('notes.txt');
    });

    it('writes nothing and exits 1 when the project has errors', () => {
        const out = path.join(temp, 'out-broken');
        const r = followup(['compile', path.join(temp, 'broken'), '--out', out], temp);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error FU101');
        expect(fs.existsSync(out)).toBe(false);
    });

    it('prints the IR with --emit ir', () => {
        const r = followup(['compile', 'examples/cart-abandonment', '--emit', 'ir']);
        expect(r.code).toBe(0);
        const ir = JSON.parse(r.stdout) as { rule: string; condition: unknown }[];
        expect(ir.find(x => x.rule === 'cartAbandonment_followup_email')?.condition).toEqual({ kind: 'not', item: { kind: 'engagement', what: 'opened' } });
    });
});
