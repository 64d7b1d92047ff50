// `followup import` as a user runs it (the built binary: `npm run build` first): exit codes 0/1/2,
// the error format, standard input, database targets.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedDatabases, sharedPostgres } from '../support/stores.js';
import { cartData, example, repo } from './support.js';

const bin = path.join(repo, 'packages/cli/bin/followup.js');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-cli-import-'));
const db = path.join(temp, 'db');
afterAll(async () => {
    await releaseSharedDatabases();
    fs.rmSync(temp, { recursive: true, force: true });
});

function followup(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
    if (!options.env?.['FOLLOWUP_DB']) delete env['FOLLOWUP_DB'];
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? repo, encoding: 'utf8', env, input: options.input ?? '' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, records: (object | string)[]): string {
    const file = path.join(temp, name);
    fs.writeFileSync(file, records.map(r => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
    return file;
}

const history = 'examples/cart-abandonment/history.jsonl';
const summary = /^Imported (\S+) into (\S+): (.+); ([\d,]+) duplicates? skipped \(([\d,]+) records in [\d.]+ s\)\.\n$/;

/** What an import checked against the example says when it creates the index its `since` rule needs. */
const createdIndex = /^created index followup_events_purchase_customerid_\w+ on events \(since purchase \(customerId\)\) in [\d.]+ s\n$/;

describe('followup import', () => {
    it('imports the example history, validated against its project, then re-imports it as a no-op', () => {
        const first = followup(['import', history, '--project', 'examples/cart-abandonment', '--db', db]);
        // The rules' index is made by the import, not by the first run.
        expect(first.stderr).toMatch(createdIndex);
        expect(first.code).toBe(0);
        expect(first.stdout).toMatch(summary);
        expect(first.stdout).toContain(`Imported ${history} into ${db}: 2,631 events, 2,538 deliveries, 58 tracking records, 3 suppressions, 0 profiles; 0 duplicates skipped (5,228 records in `);
        const dryRun = followup(['run', 'examples/cart-abandonment', '--db', db, '--dry-run', '--now', '2026-11-23T10:00:00Z']);
        expect(dryRun.code, dryRun.stderr).toBe(0);
        expect(dryRun.stderr).not.toContain('would create index');
        const again = followup(['import', history, '--no-validate', '--db', db, '--json']);
        expect(again.code).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({
            file: history, db, imported: true, lines: 5228, records: 5228,
            events: 0, deliveries: 0, tracking: 0, suppressions: 0, profiles: 0, skippedDuplicates: 5228,
        });
    }, 240_000);

    it('rejects a file with bad lines: path:LINE: message for each, a summary, exit 1, nothing written', () => {
        const file = write('bad.jsonl', [
            { kind: 'event', id: 'x1', type: 'cartAbandonment', at: '2026-11-20T10:00:00Z', data: cartData('x1') },
            { kind: 'event', id: 'x2', type: 'cartAbandonment', at: '2026-11-20T10:00:00Z', data: cartData('x2', { cartTotal: 'lots', emial: 'x' }) },
            '{"kind":"open",',
            { kind: 'delivery', id: 'x-d1', event: 'nope', message: 'transactional', channel: 'email', to: 'x1@example.com', at: '2026-11-20T10:00:01Z' },
        ]);
        const r = followup(['import', 'bad.jsonl', '--project', example, '--db', db], { cwd: temp });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe([
            'bad.jsonl:2: data.cartTotal: expected a decimal (a number, or a numeric string such as "19.99"), got "lots"',
            "bad.jsonl:2: data.emial: unknown field: event 'cartAbandonment' declares no 'emial'; did you mean 'email'?",
            `bad.jsonl:3: not valid JSON: ${jsonError('{"kind":"open",')}`,
            'bad.jsonl:4: event: unknown event "nope": no event record with this id in the file, nor in the store',
            'Rejected bad.jsonl: 4 errors; nothing was imported.',
            '',
        ].join('\n'));
        const json = followup(['import', file, '--project', example, '--db', db, '--json']);
        expect(json.code).toBe(1);
        expect(JSON.parse(json.stdout)).toMatchObject({ file, imported: false, errorCount: 4, errors: [{ line: 2, path: 'data.cartTotal' }, { line: 2 }, { line: 3, path: '' }, { line: 4, path: 'event' }] });
        // Nothing of line 1 was written: importing it alone now writes it.
        const good = write('good.jsonl', [{ kind: 'event', id: 'x1', type: 'cartAbandonment', at: '2026-11-20T10:00:00Z', data: cartData('x1') }]);
        expect(followup(['import', good, '--project', example, '--db', db]).stdout).toContain(': 1 event, 0 deliveries');
    }, 120_000);

    it('reads standard input with -', () => {
        const input = [
            JSON.stringify({ kind: 'event', id: 'x3', type: 'purchase', at: '2026-11-20T10:00:00Z', data: {} }),
            JSON.stringify({ kind: 'delivery', id: 'x1-d1', event: 'x3', message: 'transactional', channel: 'email', to: 'x1@example.com', at: '2026-11-20T10:00:01Z' }),
            JSON.stringify({ kind: 'open', delivery: 'x1-d1', at: '2026-11-21T10:00:00Z' }),
        ].join('\r\n');
        const r = followup(['import', '-', '--no-validate', '--db', db], { input });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Imported <stdin> into');
        expect(r.stdout).toContain(': 1 event, 1 delivery, 1 tracking record, 0 suppressions, 0 profiles; 0 duplicates skipped (3 records in ');
        // Year 0000 and a NUL in an id: the line and why, exit 1 (issue 11: they were PostgreSQL's raw message, exit 2).
        const year0 = followup(['import', '-', '--no-validate', '--db', db], { input: '{"kind":"event","id":"y0","type":"t","at":"0000-01-01T00:00:00Z","data":{}}\n' });
        expect(year0.code).toBe(1);
        expect(year0.stderr).toBe('<stdin>:1: at: expected an ISO-8601 instant with a time zone, such as "2026-11-20T10:00:00Z", in the years 0001-9999, got "0000-01-01T00:00:00Z"\n' +
            'Rejected <stdin>: 1 error; nothing was imported.\n');
        const nul = followup(['import', '-', '--no-validate', '--db', db], { input: '{"kind":"event","id":"a\\u0000b","type":"t","at":"2026-11-20T10:00:00Z","data":{}}\n' });
        expect(nul.code).toBe(1);
        expect(nul.stderr).toBe('<stdin>:1: id: contains a NUL character or a lone UTF-16 surrogate, which the store cannot keep\n' +
            'Rejected <stdin>: 1 error; nothing was imported.\n');
        const bad = followup(['import', '-', '--no-validate', '--db', db], { input: '{"kind":"open","delivery":"x1-d1","at":"tomorrow"}\n' });
        expect(bad.code).toBe(1);
        expect(bad.stderr).toBe('<stdin>:1: at: expected an ISO-8601 instant with a time zone, such as "2026-11-20T10:00:00Z", in the years 0001-9999, got "tomorrow"\n' +
            'Rejected <stdin>: 1 error; nothing was imported.\n');
    }, 120_000);

    it('imports into a PostgreSQL server given as postgres://, naming it without credentials', async () => {
        const { url } = await sharedPostgres();
        const r = followup(['import', history, '--project', example, '--db', url]);
        expect(r.stderr).toMatch(new RegExp(`^(${createdIndex.source.slice(1, -1)})?$`));
        expect(r.code).toBe(0);
        const where = new URL(url);
        expect(r.stdout).toContain(`into postgres://${where.host}${where.pathname}: 2,631 events`);
        const viaEnv = followup(['import', history, '--project', example], { env: { FOLLOWUP_DB: url } });
        expect(viaEnv.code).toBe(0);
        expect(viaEnv.stdout).toContain('5,228 duplicates skipped');
    }, 120_000);

    it('defaults to <project>/.followup/db with --project', () => {
        const project = path.join(temp, 'project');
        fs.cpSync(example, project, { recursive: true });
        fs.rmSync(path.join(project, '.followup'), { recursive: true, force: true });
        // A copy of an existing store, to spare creating one; the command must pick this folder.
        fs.cpSync(db, path.join(project, '.followup', 'db'), { recursive: true });
        const r = followup(['import', 'project/history.jsonl', '--project', 'project'], { cwd: temp });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Imported project\/history\.jsonl into project\/\.followup\/db: 0 events, .*; 5,228 duplicates skipped/);
    }, 120_000);

    it('exits 2 for an unreachable database, without printing its password', () => {
        const r = followup(['import', history, '--no-validate', '--db', 'postgres://u:secret@127.0.0.1:1/x']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^followup import: cannot connect to PostgreSQL at 127\.0\.0\.1:1: /);
        expect(r.stderr + r.stdout).not.toContain('secret');
    });

    it('exits 2 for a missing file, a missing project, no file, or a bad flag; 1 for a project with errors', () => {
        const missingFile = followup(['import', 'no-such.jsonl', '--db', db]);
        expect(missingFile.code).toBe(2);
        expect(missingFile.stderr).toBe('followup import: cannot read no-such.jsonl: no such file\n');
        const folder = followup(['import', 'examples', '--db', db]);
        expect(folder.code).toBe(2);
        expect(folder.stderr).toBe('followup import: cannot read examples: it is a folder, not a file\n');
        const missingProject = followup(['import', history, '--project', 'no/such/project', '--db', db]);
        expect(missingProject.code).toBe(2);
        expect(missingProject.stderr).toBe('followup import: No such file or folder: no/such/project\n');
        const noFile = followup(['import']);
        expect(noFile.code).toBe(2);
        expect(noFile.stderr).toContain('import takes one file (or - for standard input)');
        const badFlag = followup(['import', history, '--dbb', db]);
        expect(badFlag.code).toBe(2);
        expect(badFlag.stderr).toMatch(/Unknown option '--dbb'/);

        const broken = path.join(temp, 'broken');
        fs.cpSync(example, broken, { recursive: true });
        fs.rmSync(path.join(broken, '.followup'), { recursive: true, force: true });
        fs.writeFileSync(path.join(broken, 'events.followup'), fs.readFileSync(path.join(broken, 'events.followup'), 'utf8').replace('cartTotal: decimal', 'cartTotal: decmal'));
        const r = followup(['import', history, '--project', broken, '--db', db]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/broken\/events\.followup:\d+:\d+ - error FU\d+: .*decmal/);
    }, 120_000);

    it('checks the data against the project of the current folder, and without one asks for --project or --no-validate', () => {
        const cart = { kind: 'event', id: 'v1', type: 'cartAbandonment', at: '2026-11-20T10:00:00Z', data: { ...cartData('v1'), firstName: undefined } };
        const file = write('no-name.jsonl', [cart]);
        const here = followup(['import', file, '--db', path.join(temp, 'cwd-db')], { cwd: example });
        expect(here.code).toBe(1);
        expect(here.stderr).toContain("no-name.jsonl:1: data.firstName: missing (required string field of event 'cartAbandonment')");
        const nowhere = followup(['import', file, '--db', path.join(temp, 'cwd-db-2')], { cwd: temp });
        expect(nowhere.code).toBe(2);
        expect(nowhere.stderr).toBe('followup import: no project to check the data against: give --project <dir> (or --no-validate to import it unchecked)\n' +
            'Usage: followup import <file.jsonl|-> [--project <dir> | --no-validate] [--db <target>] [--json]  (see followup import --help)\n');
        expect(fs.existsSync(path.join(temp, 'cwd-db-2'))).toBe(false);
        const both = followup(['import', file, '--project', example, '--no-validate'], { cwd: temp });
        expect(both.code).toBe(2);
        expect(both.stderr).toContain('--project and --no-validate say opposite things: give one');
    }, 120_000);

    it('has --help', () => {
        const r = followup(['import', '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Usage: followup import <file\.jsonl\|-> \[--project <dir> \| --no-validate\] \[--db <target>\] \[--json\]/);
        expect(r.stdout).toContain('"kind":"profile"');
    });
});

function jsonError(text: string): string {
    try {
        JSON.parse(text);
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error('valid JSON');
}
