// `followup run` as a user runs it (the built binary: `npm test` builds first).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { bin, copyExample, readOutbox, repo, seedCarts, tempDir } from './support.js';

const temp = tempDir('cli-run');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function followup(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const now = '2026-11-23T10:00:00Z';

describe('followup run', () => {
    let project: string;
    let db: string;
    beforeAll(async () => {
        project = copyExample(temp);
        db = path.join(temp, 'db');
        const store = await openStore(db);
        try {
            // Three carts sent 3 days and a few hours before now: due for the mission rule.
            await seedCarts(store, 3, new Date('2026-11-20T08:00:00Z'));
        } finally {
            await store.close();
        }
    });

    it('--help tells the usage', () => {
        const r = followup(['run', '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Usage: followup run <project> | --plans <dir> [--db <target>] [--now <instant>] [--rule <name>] [--dry-run] [--json]');
    });

    it('an unknown --rule is a usage error (exit 2) naming the rules, and the one meant', () => {
        const typo = followup(['run', project, '--db', db, '--now', now, '--rule', 'bigCartLastChanse']);
        expect(typo.code).toBe(2);
        expect(typo.stderr).toContain("no rule named 'bigCartLastChanse' — did you mean 'bigCartLastChance'? (the project has: ");
        const r = followup(['run', project, '--db', db, '--now', now, '--rule', 'nope']);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("no rule named 'nope' (the project has: bigCartLastChance, cartAbandonment_followup_email, cartReminderChase, loyalOpenedNoPurchase)");
    });

    it('a bad --now is a usage error (exit 2); one without a zone says how to write it', () => {
        expect(followup(['run', project, '--db', db, '--now', 'tomorrow']).code).toBe(2);
        const zoneless = followup(['run', project, '--db', db, '--now', '2026-11-12T10:00']);
        expect(zoneless.code).toBe(2);
        expect(zoneless.stderr).toContain('followup run: --now needs a time zone: write 2026-11-12T10:00Z for UTC, or an offset such as 2026-11-12T10:00+01:00\n');
        expect(followup(['explain', project, '--db', db, '--event', 'cart-0', '--now', '2026-11-12T10:00:00']).code).toBe(2);
    });

    it('--now of year 0000, past 9999 or without a zone: one readable line and the usage, exit 2, never a stack trace or SQL (issue 11)', () => {
        const usage = 'Usage: followup run <project> | --plans <dir> [--db <target>] [--now <instant>] [--rule <name>] [--dry-run] [--json]  (see followup run --help)\n';
        for (const given of ['0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z']) {
            const r = followup(['run', project, '--db', db, '--now', given]);
            expect(r.code).toBe(2);
            expect(r.stderr).toBe(`followup run: --now takes an ISO-8601 instant with a time zone, such as 2026-11-20T10:00:00Z, in the years 0001-9999, not '${given}'\n` + usage);
        }
        const zoneless = followup(['run', project, '--db', db, '--now', '2026-11-12T10:00']);
        expect(zoneless.code).toBe(2);
        expect(zoneless.stderr).toBe('followup run: --now needs a time zone: write 2026-11-12T10:00Z for UTC, or an offset such as 2026-11-12T10:00+01:00\n' + usage);
    });

    it('a project with errors: diagnostics, exit 1, nothing run', () => {
        const broken = path.join(temp, 'broken');
        fs.cpSync(project, broken, { recursive: true });
        const rules = path.join(broken, 'rules.followup');
        fs.writeFileSync(rules, fs.readFileSync(rules, 'utf8').replace('and not opened then', 'and not opend then'));
        const r = followup(['run', broken, '--db', path.join(temp, 'other-db'), '--now', now]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error FU');
        expect(fs.existsSync(path.join(temp, 'other-db'))).toBe(false);
    });

    it('--dry-run prints what it would send and records nothing; then a run sends it (--json lines)', async () => {
        const dry = followup(['run', project, '--db', db, '--now', now, '--dry-run']);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toBe(
            'would send  cartAbandonment_followup_email  cart-0 → user0@example.com  "User0, your cart is waiting"\n' +
            'would send  cartAbandonment_followup_email  cart-1 → user1@example.com  "User1, your cart is waiting"\n' +
            'would send  cartAbandonment_followup_email  cart-2 → user2@example.com  "User2, your cart is waiting"\n' +
            'Dry run 4 rules as of 2026-11-23T10:00:00.000Z: 3 selected, 3 would be sent, 0 suppressed, 0 expired, 0 stopped, 0 failed.\n' +
            'Dry run: nothing was recorded or sent.\n');
        expect(fs.existsSync(path.join(project, '.followup/outbox'))).toBe(false);

        const run = followup(['run', project, '--db', db, '--now', now, '--json']);
        // The first run creates the index the example's `since` rules need (and says so on stderr only).
        expect(run.stderr).toMatch(/^created index followup_events_purchase_customerid_[0-9a-f]{10} on events \(since purchase \(customerId\)\) in \d+\.\d\d s\n$/);
        expect(run.code).toBe(0);
        const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines.slice(0, 3)).toEqual([0, 1, 2].map((i) => ({
            rule: 'cartAbandonment_followup_email', event: `cart-${i}`, delivery: `cartAbandonment_followup_email:cart-${i}`,
            channel: 'email', to: `user${i}@example.com`, subject: `User${i}, your cart is waiting`,
        })));
        expect(lines[3].summary).toMatchObject({ now: '2026-11-23T10:00:00.000Z', dryRun: false, selected: 3, sent: 3, suppressed: 0, expired: 0, stopped: 0, failed: 0 });
        expect(lines).toHaveLength(4);
        const mails = await readOutbox(path.join(project, '.followup/outbox'));
        expect(mails.map((m) => [m.to, m.subject])).toEqual([0, 1, 2].map((i) => [`user${i}@example.com`, `User${i}, your cart is waiting`]));
        // Dated on the run's clock, not the machine's.
        expect(mails.map((m) => (m.headers.get('date') as Date).toISOString())).toEqual([0, 1, 2].map(() => '2026-11-23T10:00:00.000Z'));
    });

    it('the same now again: nothing to select, said in the summary', () => {
        const r = followup(['run', project, '--db', db, '--now', now]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(
            'Ran 4 rules as of 2026-11-23T10:00:00.000Z: 0 selected, 0 sent, 0 suppressed, 0 expired, 0 stopped, 0 failed.\n' +
            'Already run as of this now or later (nothing to select): bigCartLastChance, cartAbandonment_followup_email, cartReminderChase, loyalOpenedNoPurchase.\n');
    });

    it('a renamed rule: refused without `was` (exit 1, naming both rules), then it takes the history over and sends nothing again', () => {
        const renamed = path.join(temp, 'renamed');
        // Without the example's scenario tests, whose expectations name the rule by its old name.
        fs.cpSync(project, renamed, { recursive: true, filter: (from) => !from.includes(`${path.sep}.followup`) && !from.endsWith('tests.followup') });
        const rules = path.join(renamed, 'rules.followup');
        const rename = (how: string) => fs.writeFileSync(rules, fs.readFileSync(path.join(project, 'rules.followup'), 'utf8')
            .replace('when cartAbandonment sent 3 days ago and not opened then send followup email',
                `followup firstReminder ${how} {\n  when cartAbandonment sent 3 days ago and not opened\n  then send followup email\n}`)
            .replace('when cartAbandonment_followup_email sent 4 days ago', 'when firstReminder sent 4 days ago'));
        const later = '2026-11-23T11:00:00Z';
        // A copy of the store the mission rule has run on (the tests below go on with the original).
        const copy = path.join(temp, 'renamed-db');
        fs.cpSync(db, copy, { recursive: true });
        rename('');
        const refused = followup(['run', renamed, '--db', copy, '--now', later]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("followup run: rule 'firstReminder' looks like 'cartAbandonment_followup_email' (same trigger, message and channel), " +
            'which is no longer in the project but decided 3 follow-ups');
        rename('was cartAbandonment_followup_email');
        const dry = followup(['run', renamed, '--db', copy, '--now', later, '--dry-run']);
        expect(dry.stderr).toContain("would take over: rule 'firstReminder' was 'cartAbandonment_followup_email' (3 decisions kept)");
        const run = followup(['run', renamed, '--db', copy, '--now', later, '--rule', 'firstReminder']);
        expect(run.code).toBe(0);
        expect(run.stderr).toBe("took over: rule 'firstReminder' was 'cartAbandonment_followup_email' (3 decisions kept)\n");
        expect(run.stdout).toBe('Ran 1 rule as of 2026-11-23T11:00:00.000Z: 0 selected, 0 sent, 0 suppressed, 0 expired, 0 stopped, 0 failed.\n');
        // The chained reminder measures from the follow-ups the renamed rule made.
        const chase = followup(['run', renamed, '--db', copy, '--now', '2026-11-27T10:00:00Z', '--rule', 'cartReminderChase', '--dry-run']);
        expect(chase.stdout).toContain('3 selected, 3 would be sent');
    });

    it('human output: one line per message sent (the chained reminder, 4 days later)', () => {
        const r = followup(['run', project, '--db', db, '--now', '2026-11-27T10:00:00Z', '--rule', 'cartReminderChase']);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n')[0]).toBe('sent  cartReminderChase  cart-0 → user0@example.com  "Last chance, User0: your cart expires soon"');
        expect(r.stdout).toContain('Ran 1 rule as of 2026-11-27T10:00:00.000Z: 3 selected, 3 sent, 0 suppressed, 0 expired, 0 stopped, 0 failed.\n');
    });
});
