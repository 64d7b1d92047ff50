// Issue 12, acceptance 1: the compiled plan folder is the deployable artifact. The example is compiled,
// its sources deleted, and `run --plans` / `serve --plans` send exactly what the same commands send
// from the sources, on both engines; a folder with one changed byte is refused. The built CLI, as a
// user runs it (`npm test` builds first).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { startServe } from '../serve/serve-process.js';
import { cartData } from '../serve/serve-support.js';
import { bin, repo, tempDir } from '../runtime/support.js';
import { recordResolutions, resolvedUrls } from '../support/resolve-recording.js';

const temp = tempDir('plans-folder');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const example = path.join(repo, 'examples/cart-abandonment');
const NOW = '2026-11-26T09:00:00Z';

function followup(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? repo, env: { ...process.env, NO_COLOR: '1', ...options.env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

async function ok(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await followup(args, options);
    expect(r.code, `followup ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
}

/** A copy of the example's sources in `name`/, and its compiled plans in `name`-deploy/build with no source beside them. */
async function compiledCopy(name: string, env: Record<string, string> = {}): Promise<{ sources: string; deploy: string; build: string }> {
    const sources = path.join(temp, name);
    fs.cpSync(example, sources, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
    const deploy = path.join(temp, `${name}-deploy`);
    await ok(['compile', sources, '--out', path.join(deploy, 'build')], { env });
    expect(fs.readdirSync(deploy, { recursive: true }).filter((f) => String(f).endsWith('.followup'))).toEqual([]);
    return { sources, deploy, build: path.join(deploy, 'build') };
}

/** Each message of an outbox folder, by file name: who it goes to, the subject, and the text and HTML bodies. */
async function outboxMessages(folder: string): Promise<Record<string, { to: string; subject: string; text: string; html: string }>> {
    const messages: Record<string, { to: string; subject: string; text: string; html: string }> = {};
    for (const file of fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.eml')).sort() : []) {
        const mail = await simpleParser(fs.readFileSync(path.join(folder, file)));
        messages[file] = { to: String((mail.to as { text: string } | undefined)?.text), subject: mail.subject ?? '', text: mail.text ?? '', html: String(mail.html) };
    }
    return messages;
}

const sentLines = (stdout: string) => stdout.trim().split('\n').filter((l) => !l.startsWith('{"summary"')).sort();

forEachEngine('run and explain --plans', (ctx) => {
    it('send what the same commands send from the sources, with the sources deleted', async () => {
        const { sources, deploy, build } = await compiledCopy(`run-${ctx.engine}`);
        const fromSources = await ctx.freshTarget();
        const fromPlans = await ctx.freshTarget();
        for (const db of [fromSources, fromPlans]) await ok(['import', path.join(example, 'history.jsonl'), '--project', sources, '--db', db]);

        const expected = await ok(['run', sources, '--db', fromSources, '--now', NOW, '--json']);
        const expectedExplain = await ok(['explain', sources, '--db', fromSources, '--now', NOW, '--to', 'ana.silva@example.com', '--json']);
        const expectedOutbox = await outboxMessages(path.join(sources, '.followup/outbox'));
        fs.rmSync(sources, { recursive: true });

        // From the deploy folder: its config and .followup/ are the current folder's.
        const actual = await ok(['run', '--plans', 'build', '--db', fromPlans, '--now', NOW, '--json'], { cwd: deploy });
        expect(sentLines(actual).length).toBeGreaterThan(0);
        expect(sentLines(actual)).toEqual(sentLines(expected));
        expect(JSON.parse(actual.trim().split('\n').at(-1)!)).toEqual(JSON.parse(expected.trim().split('\n').at(-1)!));
        const actualOutbox = await outboxMessages(path.join(deploy, '.followup/outbox'));
        expect(Object.keys(actualOutbox).length).toBe(sentLines(expected).length);
        expect(actualOutbox).toEqual(expectedOutbox);

        // explain reads the same plans: the same verdicts, with the project folder given for the store.
        const explained = await ok(['explain', deploy, '--plans', build, '--db', fromPlans, '--now', NOW, '--to', 'ana.silva@example.com', '--json']);
        expect(JSON.parse(explained)).toEqual(JSON.parse(expectedExplain));
    });
});

describe('a plan folder that is not what the compiler wrote', () => {
    it('is refused when one byte of a plan, the ingestion plans or the manifest changed (exit 1, the file named)', async () => {
        const { deploy, build } = await compiledCopy('tampered');
        const db = path.join(deploy, 'db');
        const pristine = new Map(fs.readdirSync(build).filter((f) => f.endsWith('.json')).map((f) => [f, fs.readFileSync(path.join(build, f))]));
        // Untouched, it runs.
        await ok(['run', '--plans', 'build', '--db', db, '--now', NOW], { cwd: deploy });

        for (const [file, at, reason] of [
            ['cartReminderChase.plan.json', '"sql"', 'changed since it was compiled (its SHA-256 is not the manifest\'s)'],
            ['ingestion.json', '"event"', 'changed since it was compiled (its SHA-256 is not the manifest\'s)'],
            ['manifest.json', '"version"', 'changed since it was compiled (its digest does not match)'],
        ] as const) {
            const bytes = Buffer.from(pristine.get(file)!);
            const i = bytes.indexOf(at) + at.length + 4; // a byte inside the value after the key
            bytes[i] = bytes[i] === 0x41 ? 0x42 : 0x41;
            fs.writeFileSync(path.join(build, file), bytes);
            const r = await followup(['run', '--plans', 'build', '--db', db, '--now', NOW], { cwd: deploy });
            expect(r.code, r.stderr).toBe(1);
            expect(r.stderr).toContain(path.join(build, file));
            expect(r.stderr).toContain(reason);
            expect(r.stdout).toBe('');
            fs.writeFileSync(path.join(build, file), pristine.get(file)!);
        }

        const missing = await followup(['serve', '--plans', path.join(deploy, 'nowhere')], { env: { FOLLOWUP_API_KEYS: 'plans-folder-key-0123456789' } });
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain('no such folder');
        const notPlans = await followup(['run', '--plans', example]);
        expect(notPlans.code).toBe(1);
        expect(notPlans.stderr).toContain('manifest.json: not found; --plans takes a folder written by followup compile --out');
    });

    it('a template program rewritten with the hashes recomputed (no plan key) is still refused when the folder is read', async () => {
        const { deploy, build } = await compiledCopy('rehashed');
        const file = 'cartAbandonment_followup_email.plan.json';
        const plan = JSON.parse(fs.readFileSync(path.join(build, file), 'utf8')) as { templates: { subject: { program: unknown[] } } };
        plan.templates.subject.program.push({ kind: 'output', escape: false, expr: { kind: 'filter', name: 'constructor', input: { kind: 'string', value: 'x' }, args: [] } });
        const text = JSON.stringify(plan, null, 2) + '\n';
        fs.writeFileSync(path.join(build, file), text);
        const manifest = JSON.parse(fs.readFileSync(path.join(build, 'manifest.json'), 'utf8')) as { files: Record<string, string>; digest?: string };
        manifest.files[file] = 'sha256:' + createHash('sha256').update(text).digest('hex');
        delete manifest.digest;
        const digest = 'sha256:' + createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
        fs.writeFileSync(path.join(build, 'manifest.json'), JSON.stringify({ ...manifest, digest }, null, 2) + '\n');

        const r = await followup(['run', '--plans', 'build', '--db', path.join(deploy, 'db'), '--now', NOW], { cwd: deploy });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(`${path.join(build, file)}: Invalid template program at templates.subject.program[`);
        expect(r.stderr).toContain('unknown filter "constructor"');
        expect(fs.existsSync(path.join(deploy, 'db'))).toBe(false);
    });

    it('with FOLLOWUP_PLAN_KEY, only a folder signed with that key runs', async () => {
        const signed = await compiledCopy('signed', { FOLLOWUP_PLAN_KEY: 'the-build-servers-key' });
        const unsigned = await compiledCopy('unsigned');
        const db = path.join(temp, 'signed-db');
        const run = (build: string, key: string) => followup(['run', '--plans', build, '--db', db, '--now', NOW], { cwd: temp, env: { FOLLOWUP_PLAN_KEY: key } });
        expect((await run(signed.build, 'the-build-servers-key')).code).toBe(0);
        const wrongKey = await run(signed.build, 'another-key');
        expect(wrongKey.code).toBe(1);
        expect(wrongKey.stderr).toContain('signed with another key than FOLLOWUP_PLAN_KEY');
        expect(wrongKey.stderr).not.toContain('another-key');
        const notSigned = await run(unsigned.build, 'the-build-servers-key');
        expect(notSigned.code).toBe(1);
        expect(notSigned.stderr).toContain('not signed, and FOLLOWUP_PLAN_KEY is set');
    });
});

forEachEngine('serve --plans', (ctx) => {
    it('ingests and sends what serve from the sources sends: transactional and scheduled follow-ups', async () => {
        const { sources, deploy, build } = await compiledCopy(`serve-${ctx.engine}`);
        const fromSources = await ctx.freshTarget();
        const fromPlans = await ctx.freshTarget();
        for (const db of [fromSources, fromPlans]) await ok(['import', path.join(example, 'history.jsonl'), '--project', sources, '--db', db]);
        // A minute before midnight UTC, running 20 times faster: the rules' daily run at 00:00 comes within seconds.
        const env = { FOLLOWUP_API_KEYS: 'plans-folder-key-0123456789', FOLLOWUP_CLOCK_START: '2026-11-25T23:59:00Z', FOLLOWUP_CLOCK_RATE: '20' };

        const serveAndCollect = async (args: string[], outbox: string) => {
            const serve = await startServe(args, env);
            try {
                const r = await fetch(`${serve.url}/v1/events/cartAbandonment`, {
                    method: 'POST',
                    headers: { authorization: `Bearer ${env.FOLLOWUP_API_KEYS}`, 'content-type': 'application/json' },
                    body: JSON.stringify({ id: 'plans-cart-1', at: '2026-11-25T23:59:00Z', data: cartData(901) }),
                });
                expect(r.status, await r.text()).toBe(202);
                return await stableOutbox(outbox);
            } finally {
                expect(await serve.stop()).toBe(0);
            }
        };
        const expected = await serveAndCollect([sources, '--db', fromSources], path.join(sources, '.followup/outbox'));
        fs.rmSync(sources, { recursive: true });
        const actual = await serveAndCollect([deploy, '--plans', build, '--db', fromPlans], path.join(deploy, '.followup/outbox'));

        expect(Object.keys(expected)).toContain('transactional.email~plans-cart-1.eml');
        expect(Object.keys(expected).filter((f) => !f.startsWith('transactional~')).length).toBeGreaterThan(0);
        expect(actual).toEqual(expected);
    });
});

/** The outbox folder's messages once some are there and none has come for two seconds (at most 60 s). */
async function stableOutbox(folder: string): Promise<Awaited<ReturnType<typeof outboxMessages>>> {
    const deadline = Date.now() + 60_000;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
        const count = fs.existsSync(folder) ? fs.readdirSync(folder).length : 0;
        if (count !== last) {
            last = count;
            stableSince = Date.now();
        } else if (count > 1 && Date.now() - stableSince > 2_000) {
            return outboxMessages(folder);
        }
        if (Date.now() > deadline) throw new Error(`the outbox ${folder} did not settle: ${count} files`);
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

describe('run --plans', () => {
    it('loads neither Langium, Chevrotain, the language nor the compiler (the unbundled CLI, every module it resolves)', async () => {
        const { deploy } = await compiledCopy('modules');
        const recorded = path.join(temp, 'resolved.jsonl');
        const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [...recordResolutions(recorded), bin, 'run', '--plans', 'build', '--dry-run', '--now', NOW], {
                cwd: deploy, env: { ...process.env, NO_COLOR: '1', FOLLOWUP_UNBUNDLED: '1' },
            });
            let stderr = '';
            child.stderr.on('data', (d) => (stderr += d));
            child.on('close', (code) => resolve({ code, stderr }));
        });
        expect(r.code, r.stderr).toBe(0);
        const urls = resolvedUrls(recorded);
        expect(urls).toContain(pathToFileURL(path.join(repo, 'packages/runtime/dist/index.js')).href);
        expect(urls.filter((u) => /\/langium\/|\/@?chevrotain\/|\/packages\/(language|compiler)\//.test(u))).toEqual([]);
    });
});
