// `followup prune` as a user runs it (the built binary: `npm test` builds first), on an embedded store
// and on a real PostgreSQL: --help, usage errors (exit 2), a --before past what the rules read
// (refused, exit 2, nothing deleted), --dry-run (counts, deletes nothing), the prune itself, and a run
// after it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresTarget, releaseSharedDatabases } from '../support/stores.js';
import { bin, repo, tempDir } from '../runtime/support.js';

const temp = tempDir('cli-prune');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
afterAll(releaseSharedDatabases);
const example = path.join(repo, 'examples/cart-abandonment');
const project = path.join(temp, 'project');
fs.cpSync(example, project, { recursive: true, filter: (f) => !f.split(path.sep).includes('.followup') });

function followup(args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FOLLOWUP_DB: '' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const usage = 'Usage: followup prune <project> | --plans <dir> --before <instant> [--db <target>] [--now <instant>] [--dry-run] [--json]';

describe('followup prune', () => {
    it('--help tells the usage, what is kept and the exit codes; the command list has it', () => {
        const r = followup(['prune', '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(usage);
        expect(r.stdout).toContain('--before must not be later than what the project\'s rules still read');
        expect(r.stdout).toContain('Exit codes: 0 pruned');
        expect(followup(['--help']).stdout).toMatch(/\n {2}prune +Delete the history older than an instant that no rule or explain still reads\n/);
    });

    it('usage errors: exit 2 with the usage line', () => {
        const db = path.join(temp, 'unused-db');
        const missing = followup(['prune', project, '--db', db]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toBe(`followup prune: --before is required: an ISO-8601 instant such as 2025-01-01T00:00:00Z, or a date\n${usage}  (see followup prune --help)\n`);
        const zoneless = followup(['prune', project, '--db', db, '--before', '2026-11-10T00:00']);
        expect(zoneless.code).toBe(2);
        expect(zoneless.stderr).toContain('followup prune: --before needs a time zone: write 2026-11-10T00:00Z for UTC');
        const future = followup(['prune', project, '--db', db, '--before', '2026-12-01', '--now', '2026-11-20T00:00:00Z']);
        expect(future.code).toBe(2);
        expect(future.stderr).toContain('followup prune: --before 2026-12-01T00:00:00Z is after now (2026-11-20T00:00:00Z)');
        expect(followup(['prune', '--before', '2026-01-01']).code).toBe(2);
        expect(fs.existsSync(db)).toBe(false);
    });

    it('a project with errors: diagnostics, exit 1, nothing opened', () => {
        const broken = path.join(temp, 'broken');
        fs.cpSync(project, broken, { recursive: true });
        const rules = path.join(broken, 'rules.followup');
        fs.writeFileSync(rules, fs.readFileSync(rules, 'utf8').replace('and not opened then', 'and not opend then'));
        const db = path.join(temp, 'broken-db');
        const r = followup(['prune', broken, '--db', db, '--before', '2026-11-10', '--now', '2026-11-20T00:00:00Z']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error FU');
        expect(fs.existsSync(db)).toBe(false);
    });

    for (const engine of ['pglite', 'postgres'] as const) {
        describe(`on ${engine}`, () => {
            let db: string;
            beforeAll(async () => {
                db = engine === 'pglite' ? path.join(temp, 'db') : await freshPostgresTarget();
                expect(followup(['import', path.join(example, 'history.jsonl'), '--project', project, '--db', db]).code).toBe(0);
                for (const day of ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']) {
                    expect(followup(['run', project, '--db', db, '--now', `${day}T00:00:00Z`]).code).toBe(0);
                }
            }, 180_000);

            const now = '2026-11-24T00:00:00Z';

            it('a --before past what the rules read: refused (exit 2), naming the rules and the safe bound; nothing deleted', () => {
                const r = followup(['prune', project, '--db', db, '--now', now, '--before', '2026-11-20T00:00:00Z']);
                expect(r.code).toBe(2);
                expect(r.stderr).toContain('followup prune: --before 2026-11-20T00:00:00Z would delete history the rules still read:\n');
                expect(r.stderr).toContain('  bigCartLastChance: reads deliveries sent after 2026-11-17T00:00:00Z (its watermark 2026-11-24T00:00:00Z minus its delay 7 days)\n');
                expect(r.stderr).toContain('the latest safe --before is 2026-11-17T00:00:00Z: nothing was deleted\n');
                const dry = followup(['prune', project, '--db', db, '--now', now, '--before', '2026-11-17T00:00:00Z', '--dry-run', '--json']);
                expect(JSON.parse(dry.stdout).counts.events).toBeGreaterThan(10);
            });

            it('--dry-run counts and deletes nothing; the prune deletes what it counted; a run after it works', () => {
                const args = ['prune', project, '--db', db, '--now', now, '--before', '2026-11-17'];
                const dry = followup([...args, '--dry-run', '--json']);
                expect(dry.code).toBe(0);
                const counted = JSON.parse(dry.stdout);
                expect(counted).toMatchObject({ dryRun: true, before: '2026-11-17T00:00:00.000Z', safe: '2026-11-17T00:00:00.000Z' });
                expect(counted.counts.events).toBeGreaterThan(10);
                // Nothing went: the same dry run counts the same.
                expect(JSON.parse(followup([...args, '--dry-run', '--json']).stdout).counts).toEqual(counted.counts);

                const done = followup(args);
                expect(done.code).toBe(0);
                expect(done.stdout).toMatch(/^Pruned history before 2026-11-17T00:00:00Z \(the rules read nothing before 2026-11-17T00:00:00Z\) in \d+\.\d\d s:\n/);
                for (const table of ['events', 'deliveries', 'tracking', 'outbox', 'decisions', 'profiles', 'scheduled_runs', 'idempotency_keys']) {
                    expect(done.stdout).toMatch(new RegExp(`\\n  ${table} +${counted.counts[table].toLocaleString('en-US')}\\n`));
                }
                const again = JSON.parse(followup([...args, '--json']).stdout);
                expect(Object.values(again.counts as Record<string, number>).every((n) => n === 0)).toBe(true);

                const run = followup(['run', project, '--db', db, '--now', '2026-11-28T00:00:00Z', '--json']);
                expect(run.code).toBe(0);
                expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!).summary.selected).toBeGreaterThan(0);
                const explain = followup(['explain', project, '--db', db, '--now', '2026-11-28T00:00:00Z', '--event', 'cart-001']);
                expect(explain.code).toBe(1);
                expect(explain.stderr).toContain("No event 'cart-001'");
            });
        });
    }
});
