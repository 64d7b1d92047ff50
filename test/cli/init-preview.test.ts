// `followup init`, `preview` and `send-test` from the repository's binary: what they write, their
// refusals and exit codes (the packed package runs the README's steps in test/package).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/followup.js');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-init-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function followup(args: string[], cwd = temp) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('followup init', () => {
    it('writes a project that checks clean, and says what to run next', () => {
        const r = followup(['init', 'shop']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Created shop/: events.followup, messages.followup, rules.followup, templates/followup.html, followup.config.json, history.jsonl, .gitignore, README.md');
        expect(r.stdout).toContain('npx followup run shop --now 2026-11-23T12:00:00Z');
        expect(followup(['check', 'shop'])).toMatchObject({ code: 0, stdout: 'No problems in 3 files.\n' });
        expect(JSON.parse(fs.readFileSync(path.join(temp, 'shop/followup.config.json'), 'utf8')).transports.email).toBe('outbox:.followup/outbox');
    });

    it('into the current folder by default; refuses to overwrite (exit 2, nothing written)', () => {
        const here = path.join(temp, 'here');
        fs.mkdirSync(here);
        expect(followup(['init', '--json'], here)).toMatchObject({ code: 0 });
        expect(fs.existsSync(path.join(here, 'rules.followup'))).toBe(true);
        const again = followup(['init'], here);
        expect(again.code).toBe(2);
        expect(again.stderr).toMatch(/^followup init: \. already has events\.followup, messages\.followup, .*: nothing written\n/);
        const file = path.join(temp, 'a-file');
        fs.writeFileSync(file, '');
        expect(followup(['init', 'a-file']).code).toBe(2);
    });

    it('has --help', () => {
        expect(followup(['init', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: followup init [dir]') });
        expect(followup(['--help']).stdout).toMatch(/init\s+Create a project[\s\S]*preview\s+Render[\s\S]*send-test\s+Send one/);
    });
});

describe('followup preview', () => {
    const project = path.join(repo, 'examples/cart-abandonment');

    it('prints the subject and text, writes the HTML, from history.jsonl by default', () => {
        const html = path.join(temp, 'preview.html');
        const r = followup(['preview', project, '--rule', 'cartAbandonment_followup_email', '--html', html]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Sample   history.jsonl (event cart-001)\nSubject  Milan, your cart is waiting\n');
        expect(r.stdout).toContain('you left 2 items (€168.00) in your cart:');
        expect(fs.readFileSync(html, 'utf8')).toContain('<h1>Milan, your cart is waiting</h1>');
    });

    it('--event, --sample (with its warning), --json', () => {
        const byEvent = followup(['preview', project, '--rule', 'cartAbandonment_followup_email', '--event', 'cart-002', '--json', '--html', path.join(temp, 'p2.html')]);
        expect(JSON.parse(byEvent.stdout)).toMatchObject({ rule: 'cartAbandonment_followup_email', channel: 'email', subject: 'Greta, your cart is waiting',
            sample: { source: 'history.jsonl (event cart-002)', ref: 'history.jsonl#cart-002', missing: [], unknown: [] } });
        const sample = path.join(temp, 'sample.json');
        fs.writeFileSync(sample, JSON.stringify({ kind: 'event', type: 'cartAbandonment', data: { customerId: 'c1', email: 'a@example.com', givenName: 'Ann' } }));
        const stale = followup(['preview', project, '--rule', 'loyalOpenedNoPurchase', '--sample', sample]);
        expect(stale.code).toBe(0);
        expect(stale.stderr).toMatch(/^warning: The sample \S+sample\.json does not match event 'cartAbandonment': missing firstName, cartTotal, currency, items, cartUrl, loyaltyMember, abandonedAt; unknown givenName\./);
        expect(stale.stdout).toContain('Text\n, your cart: \n');
    });

    it('usage errors exit 2 with one line', () => {
        const several = followup(['preview', project]);
        expect(several.code).toBe(2);
        expect(several.stderr.split('\n')[0]).toBe('followup preview: say which rule with --rule <name> (the project has: bigCartLastChance, cartAbandonment_followup_email, cartReminderChase, loyalOpenedNoPurchase)');
        expect(followup(['preview', project, '--rule', 'cartAbandonment_followup_email', '--event', 'nope']).stderr.split('\n')[0])
            .toBe("followup preview: no 'cartAbandonment' event 'nope' in the project's history.jsonl or in the store");
        expect(followup(['preview', project, '--rule', 'cartAbandonment_followup_email', '--event', 'a', '--sample', 'b']).code).toBe(2);
    });
});

describe('followup send-test', () => {
    it('needs --to, and an email address for an email message', () => {
        const project = path.join(temp, 'shop');
        expect(followup(['send-test', project, '--rule', 'cartAbandonment_followup_email']).stderr.split('\n')[0]).toBe('followup send-test: send-test needs --to <address>');
        expect(followup(['send-test', project, '--rule', 'cartAbandonment_followup_email', '--to', 'Ann <a@example.com>, b@example.com']).code).toBe(2);
    });

    it('through the outbox transport: one .eml marked as a test, and no store created', () => {
        const project = path.join(temp, 'shop');
        const r = followup(['send-test', project, '--rule', 'cartAbandonment_followup_email', '--to', 'me@example.com']);
        expect(r.code).toBe(0);
        const outbox = path.join(project, '.followup/outbox');
        const [file] = fs.readdirSync(outbox).filter(f => f.endsWith('.eml'));
        const eml = fs.readFileSync(path.join(outbox, file!), 'utf8');
        expect(eml).toMatch(/^Subject: \[TEST\] Ana, your cart is waiting\r?$/m);
        expect(eml).toMatch(/^X-Followup-Test: true\r?$/m);
        expect(eml).toMatch(/^To: me@example.com\r?$/m);
        expect(fs.existsSync(path.join(project, '.followup/db'))).toBe(false);
    });
});
