// The installable package, as a user gets it: packages/cli/scripts/pack.mjs builds
// followup-<version>.tgz; it is installed into an empty folder outside the repository, with npm in
// offline mode (the tarball needs no registry), and the README's "Your first rule" is run there
// exactly as written. Then send-test goes to a real SMTP server and leaves the store as it was.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { Validator } from '@seriousme/openapi-schema-validator';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const repo = path.resolve(import.meta.dirname, '../..');
const version = (JSON.parse(fs.readFileSync(path.join(repo, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-packed-'));
const folder = path.join(temp, 'shop');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** The shell lines of the README's "Your first rule", in order. */
function firstRuleCommands(): string[] {
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Your first rule'), readme.indexOf('\n## ', readme.indexOf('## Your first rule') + 5));
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(m => m[1]!.split('\n'))
        .map(line => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** A user's shell: the folder, a home of its own, npm offline; nothing of the repository reachable. */
function userEnv(): NodeJS.ProcessEnv {
    return {
        PATH: process.env['PATH'], HOME: path.join(temp, 'home'), NO_COLOR: '1',
        npm_config_cache: path.join(temp, 'npm-cache'), npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
    };
}

function sh(line: string) {
    const [command, ...args] = line.split(/\s+/);
    const result = spawnSync(command!, args, { cwd: folder, env: userEnv(), encoding: 'utf8', timeout: 120_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking this process (where the SMTP server runs). */
function shAsync(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const [command, ...args] = line.split(/\s+/);
    return new Promise(resolve => {
        execFile(command!, args, { cwd: folder, env: userEnv(), encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
    });
}

const outputs = new Map<string, { code: number | null; stdout: string; stderr: string }>();

beforeAll(() => {
    execFileSync(process.execPath, [path.join(repo, 'packages/cli/scripts/pack.mjs')], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    fs.mkdirSync(folder, { recursive: true });
    fs.mkdirSync(path.join(temp, 'home'));
    fs.copyFileSync(path.join(repo, 'packages/cli/release', `followup-${version}.tgz`), path.join(folder, `followup-${version}.tgz`));
    for (const line of firstRuleCommands()) {
        const result = sh(line);
        outputs.set(line, result);
        if (result.code !== 0) break;
    }
}, 300_000);

describe("the packed followup, installed into an empty folder, runs the README's first rule as written", () => {
    it('every command of the README exits 0', () => {
        const lines = firstRuleCommands();
        expect(lines[0]).toBe(`npm i -D ./followup-${version}.tgz`);
        expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^npx followup init /), expect.stringMatching(/^npx followup send-test /)]));
        for (const line of lines) {
            const result = outputs.get(line);
            expect({ line, code: result?.code, stderr: result?.stderr }).toEqual({ line, code: 0, stderr: expect.any(String) });
        }
        expect(fs.realpathSync(path.join(folder, 'node_modules/.bin/followup'))).toBe(path.join(folder, 'node_modules/@followup-lang/cli/dist/followup.mjs'));
    });

    it("the README's snippets are the project init wrote", () => {
        const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
        const section = readme.slice(readme.indexOf('## Your first rule'), readme.indexOf('## The demo'));
        const files = ['events.followup', 'messages.followup', 'rules.followup'].map(f => fs.readFileSync(path.join(folder, 'my-project', f), 'utf8')).join('\n');
        const snippets = [...section.matchAll(/```followup\n([\s\S]*?)```/g)].map(m => m[1]!.replace(/^ {3}/gm, ''));
        expect(snippets).toHaveLength(3);
        for (const snippet of snippets) expect(files).toContain(snippet);
    });

    it('check, compile, import, run and preview say what the README says', () => {
        const out = (prefix: string) => [...outputs].find(([line]) => line.startsWith(prefix))![1].stdout;
        expect(out('npx followup check')).toBe('No problems in 3 files.\n');
        expect(fs.readdirSync(path.join(folder, 'build')).sort()).toEqual(
            ['cartAbandonment_followup_email.plan.json', 'cartAbandonment_followup_email.sql', 'indexes.sql', 'ingestion.json', 'manifest.json', 'schemas']);
        expect(fs.readdirSync(path.join(folder, 'build/schemas')).sort()).toEqual(['cartAbandonment.json', 'purchase.json']);
        expect(out('npx followup import')).toMatch(/Imported my-project\/history.jsonl .*: 4 events, 3 deliveries, 1 tracking record/);
        expect(out('npx followup run')).toMatch(/2 selected, 2 sent/);
        expect(fs.readdirSync(path.join(folder, 'my-project/.followup/outbox')).filter(f => f.startsWith('cartAbandonment_followup_email')).sort())
            .toEqual(['cartAbandonment_followup_email~cart-1.eml', 'cartAbandonment_followup_email~cart-3.eml']);
        expect(out('npx followup preview')).toContain('Subject  Ana, your cart is waiting\n');
        expect(fs.readFileSync(path.join(folder, 'my-project/.followup/preview/cartAbandonment_followup_email.html'), 'utf8')).toContain('<h1>Ana, your cart is waiting</h1>');
        expect(out('npx followup send-test')).toMatch(/^Sent a test of cartAbandonment_followup_email \(email\) to you@example.com through outbox:/);
    });

    it('preview warns when the sample does not match the schema (exit 0), and --sample picks another', () => {
        fs.writeFileSync(path.join(temp, 'old.json'), JSON.stringify({ customerId: 'c9', email: 'zoe@example.com', name: 'Zoé', cartTotal: 10, cartUrl: 'https://shop.example/c' }));
        const stale = sh(`npx followup preview my-project --rule cartAbandonment_followup_email --sample ${path.join(temp, 'old.json')}`);
        expect(stale.code).toBe(0);
        expect(stale.stderr).toMatch(/^warning: The sample \S*old\.json does not match event 'cartAbandonment': missing firstName; unknown name\./);
        expect(stale.stdout).toContain('Subject  , your cart is waiting');
        const byEvent = sh('npx followup preview my-project --rule cartAbandonment_followup_email --event cart-3');
        expect(byEvent.stdout).toContain('Subject  Chloé, your cart is waiting');
        expect(sh('npx followup preview my-project --rule nope').code).toBe(2);
    });

    it('report --html writes a page with uPlot inline (shipped in the package beside the bundle)', () => {
        const r = sh('npx followup report my-project --now 2026-11-30T12:00:00Z --html my-project/.followup/report.html');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const page = fs.readFileSync(path.join(folder, 'my-project/.followup/report.html'), 'utf8');
        expect(page).toContain('cartAbandonment_followup_email');
        expect(page).toMatch(/var uPlot=function\(\)/);
        expect(page).not.toMatch(/<script[^>]+src=/);
    });

    it('installs globally too: `followup` on the PATH', () => {
        const prefix = path.join(temp, 'global');
        const installed = sh(`npm i -g --prefix ${prefix} ./followup-${version}.tgz`);
        expect(installed.code).toBe(0);
        const r = spawnSync(path.join(prefix, 'bin/followup'), ['--help'], { cwd: temp, env: userEnv(), encoding: 'utf8' });
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/init\s+Create a project[\s\S]*send-test/);
    });

    it('serve from the package answers /openapi.json with a valid OpenAPI 3.1 document', async () => {
        const server = spawn(path.join(folder, 'node_modules/.bin/followup'), ['serve', 'my-project', '--port', '0', '--db', path.join(temp, 'serve-db')], {
            cwd: folder, env: { ...userEnv(), FOLLOWUP_API_KEYS: 'a-test-key-0123456789', FOLLOWUP_SECRET: '0123456789abcdef0123456789abcdef' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        try {
            const url = await new Promise<string>((resolve, reject) => {
                let err = '';
                server.stderr.on('data', (chunk: Buffer) => {
                    err += chunk.toString();
                    const found = /listening on (http:\/\/\S+)/.exec(err);
                    if (found) resolve(found[1]!);
                });
                server.stdout.resume();
                server.once('exit', code => reject(new Error(`serve exited with ${code}: ${err}`)));
            });
            const document = await (await fetch(`${url}/openapi.json`)).json();
            const validator = new Validator();
            const result = await validator.validate(document as never);
            expect(result.valid, JSON.stringify(result.errors)).toBe(true);
            expect(Object.keys((document as { paths: object }).paths)).toContain('/v1/events/cartAbandonment');
        } finally {
            server.kill('SIGTERM');
            await new Promise(resolve => server.once('exit', resolve));
        }
    });

    describe('send-test through SMTP', () => {
        let sink: SmtpSink;
        beforeAll(async () => { sink = await startSmtpSink(); });
        afterAll(async () => { await sink?.close(); });

        async function storeRows(): Promise<Record<string, number>> {
            const store = await openStore(path.join(folder, 'my-project/.followup/db'));
            try {
                const counts: Record<string, number> = {};
                for (const table of ['events', 'deliveries', 'decisions', 'outbox', 'runs', 'tracking', 'suppressions', 'rule_watermarks']) {
                    counts[table] = Number((await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);
                }
                return counts;
            } finally {
                await store.close();
            }
        }

        it('reaches the SMTP server as a marked test, and leaves the store unchanged', async () => {
            const configFile = path.join(folder, 'my-project/followup.config.json');
            const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
            fs.writeFileSync(configFile, JSON.stringify({ ...config, transports: { ...config.transports, email: sink.url } }));
            const before = await storeRows();
            const sent = await shAsync('npx followup send-test my-project --rule cartAbandonment_followup_email --to me@shop.example --json');
            expect(sent.stderr).toBe('');
            expect(sent.code).toBe(0);
            expect(JSON.parse(sent.stdout)).toMatchObject({ rule: 'cartAbandonment_followup_email', to: 'me@shop.example', subject: '[TEST] Ana, your cart is waiting', status: 'sent' });
            await sink.waitForMessages(1);
            const [message] = sink.messages;
            expect(message!.envelope.to).toEqual(['me@shop.example']);
            expect(message!.parsed!.subject).toBe('[TEST] Ana, your cart is waiting');
            expect(message!.parsed!.headers.get('x-followup-test')).toBe('true');
            expect(message!.parsed!.html).toContain('<h1>Ana, your cart is waiting</h1>');
            expect(await storeRows()).toEqual(before);
            expect(before.decisions).toBe(2);
        });
    });
});
