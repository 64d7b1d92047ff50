// The plan cache (packages/cli/src/plan-cache.ts), as a user meets it through the built binary: a
// project's second start executes what the first compiled, and any change to what was compiled (a
// .followup file, a template file, a file added) compiles again. The cache's own text is altered in
// some tests to tell whether a run executed the cache or compiled the sources.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, repo, tempDir } from '../runtime/support.js';
import { bundleChunksMatching, recordResolutions } from '../support/resolve-recording.js';

const temp = tempDir('plan-cache');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
const NOW = '2026-11-23T10:30:00Z';

function followup(args: string[], cwd: string, env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FOLLOWUP_DB: '', ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const shop = `
type CartItem { name: string  price: decimal }
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string  items: list<CartItem> }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart is waiting" html: file "templates/followup.html" }
followup nudge {
  when cartAbandonment sent 1 day ago then send followup email
}
`;
const cart = (id: string, items: unknown) => JSON.stringify({
    kind: 'event', id, type: 'cartAbandonment', at: '2026-11-22T10:00:00Z',
    data: { customerId: `c-${id}`, email: `${id}@example.com`, firstName: 'Ana', items },
});
const delivery = (id: string) => JSON.stringify({ kind: 'delivery', id: `d-${id}`, event: id, message: 'transactional', channel: 'email', to: `${id}@example.com`, at: '2026-11-22T10:00:05Z' });

let projects = 0;
/** A new project folder with one abandoned cart imported into its default store (.followup/db). */
function project(): string {
    const dir = path.join(temp, `project-${++projects}`);
    fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'shop.followup'), shop);
    fs.writeFileSync(path.join(dir, 'templates/followup.html'), '<p>Hi {{ firstName }}, {{ items[0].name }} is still there</p>\n');
    fs.writeFileSync(path.join(dir, 'history.jsonl'), `${cart('ana', [{ name: 'Lamp', price: '12.50' }])}\n${delivery('ana')}\n`);
    const imported = followup(['import', 'history.jsonl'], dir);
    expect(imported.code, imported.stderr).toBe(0);
    return dir;
}

const cacheFile = (dir: string) => path.join(dir, '.followup/cache/plans.json');
const dryRun = (dir: string, env: Record<string, string> = {}) => followup(['run', '.', '--now', NOW, '--dry-run'], dir, env);

/** Replaces `from` by `to` in the cached plans (the text must be there). */
function alterCache(dir: string, from: string, to: string): void {
    const text = fs.readFileSync(cacheFile(dir), 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(cacheFile(dir), text.split(from).join(to));
}

async function sentHtml(dir: string): Promise<string> {
    const outbox = path.join(dir, '.followup/outbox');
    const files = fs.readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(fs.readFileSync(path.join(outbox, files[0]!)));
    return String(mail.html);
}

describe('the plan cache of a project folder', () => {
    it('a second run executes what the first compiled, until a .followup file changes', () => {
        const dir = project(); // import compiled the project and kept it
        expect(fs.existsSync(cacheFile(dir))).toBe(true);
        const first = dryRun(dir);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout).toContain('"Ana, your cart is waiting"');

        alterCache(dir, 'your cart is waiting', 'from the cache');
        expect(dryRun(dir).stdout).toContain('"Ana, from the cache"');

        fs.writeFileSync(path.join(dir, 'shop.followup'), shop.replace('your cart is waiting', 'your cart is still here'));
        const edited = dryRun(dir);
        expect(edited.stdout).toContain('"Ana, your cart is still here"');
        expect(fs.readFileSync(cacheFile(dir), 'utf8')).toContain('your cart is still here');
    });

    it('a changed template file compiles again: the message sent has the new text', async () => {
        const dir = project();
        alterCache(dir, 'is still there', 'came from the cache');
        fs.writeFileSync(path.join(dir, 'templates/followup.html'), '<p>Hi {{ firstName }}, {{ items[0].name }} waits for you</p>\n');
        const run = followup(['run', '.', '--now', NOW], dir);
        expect(run.code, run.stderr).toBe(0);
        const html = await sentHtml(dir);
        expect(html).toContain('Lamp waits for you');
        expect(html).not.toContain('cache');
    });

    it('a .followup file added compiles again (its rule runs)', () => {
        const dir = project();
        fs.writeFileSync(path.join(dir, 'more.followup'), 'followup nudgeAgain {\n  when cartAbandonment sent 1 day ago then send followup email\n}\n');
        const run = dryRun(dir);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('Dry run 2 rules');
    });

    it('another build of followup does not use the cache', () => {
        const dir = project();
        alterCache(dir, 'your cart is waiting', 'from the cache');
        const entry = JSON.parse(fs.readFileSync(cacheFile(dir), 'utf8')) as { build: string };
        fs.writeFileSync(cacheFile(dir), JSON.stringify({ ...entry, build: 'another build' }));
        expect(dryRun(dir).stdout).toContain('"Ana, your cart is waiting"');
    });

    it('FOLLOWUP_PLAN_CACHE=off neither reads nor writes it; a broken cache compiles again', () => {
        const dir = project();
        alterCache(dir, 'your cart is waiting', 'from the cache');
        expect(dryRun(dir, { FOLLOWUP_PLAN_CACHE: 'off' }).stdout).toContain('"Ana, your cart is waiting"');
        expect(fs.readFileSync(cacheFile(dir), 'utf8')).toContain('from the cache');

        fs.writeFileSync(cacheFile(dir), '{"format":');
        const run = dryRun(dir);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('"Ana, your cart is waiting"');

        fs.rmSync(path.join(dir, '.followup/cache'), { recursive: true });
        expect(dryRun(dir, { FOLLOWUP_PLAN_CACHE: 'off' }).code).toBe(0);
        expect(fs.existsSync(cacheFile(dir))).toBe(false);
    });

    it('a project with warnings is not cached: its warnings are printed at every start', () => {
        const dir = project();
        fs.rmSync(path.join(dir, '.followup/cache'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'shop.followup'), shop.replace('sent 1 day ago then', 'sent 1 day ago and opened and not opened then'));
        for (let i = 0; i < 2; i++) {
            const run = dryRun(dir);
            expect(run.code, run.stderr).toBe(0);
            expect(run.stderr).toContain('FU160');
        }
        expect(fs.existsSync(cacheFile(dir))).toBe(false);
    });

    it('import checks records against the cached declarations as against the compiled ones (nested records too)', () => {
        const dir = project();
        expect(fs.existsSync(cacheFile(dir))).toBe(true);
        const bad = path.join(dir, 'bad.jsonl');
        fs.writeFileSync(bad, `${cart('bob', [{ name: 'Mug', price: 'cheap' }, { price: '3.00' }])}\n${cart('eve', 'none')}\n`);
        const cached = followup(['import', 'bad.jsonl', '--json'], dir);
        const compiled = followup(['import', 'bad.jsonl', '--json'], dir, { FOLLOWUP_PLAN_CACHE: 'off' });
        expect(cached.code).toBe(1);
        expect(cached.stdout).toBe(compiled.stdout);
        expect(cached.stdout).toContain('items[0].price');
        expect(cached.stdout).toContain('items[1].name');
        expect(cached.stdout).toContain('expected a list<CartItem>');

        fs.writeFileSync(path.join(dir, 'good.jsonl'), `${cart('bob', [{ name: 'Mug', price: '3.00' }])}\n${delivery('bob')}\n`);
        const good = followup(['import', 'good.jsonl'], dir);
        expect(good.code, good.stderr).toBe(0);
        expect(good.stdout).toContain('1 event, 1 delivery');
    });

    it('a run from the cache loads neither Langium, Chevrotain, the language nor the compiler (the bundle chunks it reads)', async () => {
        const dir = project();
        // esbuild leaves each bundled module's path as a comment: Langium's, Chevrotain's, or our own modules'.
        const markers = /\/\/ \.\.\/\.\.\/(langium|chevrotain|sql-formatter)\/|createFollowupServices|function compilePlans/;
        const loaded = async (env: Record<string, string>) => {
            const recorded = path.join(dir, `resolved-${Object.keys(env).length}.jsonl`);
            const code = await new Promise<number | null>((resolve) => {
                const child = spawn(process.execPath, [...recordResolutions(recorded), bin, 'run', '.', '--now', NOW, '--dry-run'], { cwd: dir, env: { ...process.env, FOLLOWUP_DB: '', ...env } });
                child.on('close', resolve);
            });
            expect(code).toBe(0);
            return bundleChunksMatching(recorded, repo, markers);
        };
        expect(await loaded({})).toEqual([]);
        expect((await loaded({ FOLLOWUP_PLAN_CACHE: 'off' })).length).toBeGreaterThan(0);
    });
});
