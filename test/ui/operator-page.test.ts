/**
 * The operator page of `followup serve` (/ui, docs/measuring.md) in a real browser: Debian's Chromium,
 * headless, driven by playwright-core, on the demo's store (examples/cart-abandonment: its history, the
 * run at 2026-11-23T10:00:00Z, the week after) as of 2026-11-30T10:00:00Z. The page loads with no console
 * error; the test clicks through to a rule (its runs, decisions per day, report with the lift and its
 * interval) and explains an address in the explain box. Screenshots are written to test/ui/artifacts/
 * and their paths printed. Also: /ui behind its key, and `followup serve` serving it.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it before npm test).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileIngestionPlans, compileProject, type RenderPlan } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { buildReport, importHistory, openStore, renderReportHtml, runRules, type Store } from '@followup/runtime';
import { createJsonLogger, MetricsRegistry, operatorUi, startServer, type RunningServer } from '@followup/server';
import { example, exampleSchemas } from '../import/support.js';
import { startServe } from '../serve/serve-process.js';

const CHROMIUM = '/usr/bin/chromium';
const UI_KEY = 'operator-key-4b1d9e7a2c';
const API_KEY = 'ingest-key-8c2f0a6d3e';
const runAt = new Date('2026-11-23T10:00:00Z');
const now = new Date('2026-11-30T10:00:00Z');
const artifacts = path.join(import.meta.dirname, 'artifacts');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-ui-'));

let store: Store;
let server: RunningServer;
let plans: RenderPlan[];

async function importFile(file: string): Promise<void> {
    const schemas = await exampleSchemas();
    // No await between creating a readline interface and handing it over: it would drop lines.
    const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    await importHistory(store, lines, { schemas });
}

beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    const project = await loadProject([example]);
    plans = compileProject(project).map((r) => r.plan);
    store = await openStore(path.join(temp, 'db'));
    await importFile(path.join(example, 'history.jsonl'));
    await runRules(store, plans, { now: runAt });
    await importFile(path.join(example, 'week-after.jsonl'));
    const metrics = new MetricsRegistry();
    const log = createJsonLogger({ write: () => {}, secrets: [UI_KEY, API_KEY], clock: () => now });
    server = await startServer({
        context: { store, clock: () => now, secret: '', publicUrl: '', log, metrics },
        plans: compileIngestionPlans(project),
        apiKeys: [API_KEY],
        host: '127.0.0.1',
        port: 0,
        plugins: [operatorUi({ plans, keys: [UI_KEY] })],
    });
}, 300_000);

afterAll(async () => {
    await server?.close();
    await store?.close();
    fs.rmSync(temp, { recursive: true, force: true });
});

describe('/ui behind its key', () => {
    it('asks for the key (Basic, so a browser prompts) and opens with it, as Bearer or as the Basic password', async () => {
        const bare = await fetch(`${server.url}/ui`);
        expect(bare.status).toBe(401);
        expect(bare.headers.get('www-authenticate')).toBe('Basic realm="followup operator", charset="UTF-8"');
        expect((await fetch(`${server.url}/ui/api/overview`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(401);
        expect((await fetch(`${server.url}/ui/api/overview`, { headers: { authorization: `Basic ${Buffer.from(`me:wrong`).toString('base64')}` } })).status).toBe(401);
        const bearer = await fetch(`${server.url}/ui/api/overview`, { headers: { authorization: `Bearer ${UI_KEY}` } });
        expect(bearer.status).toBe(200);
        const basic = await fetch(`${server.url}/ui`, { headers: { authorization: `Basic ${Buffer.from(`operator:${UI_KEY}`).toString('base64')}` } });
        expect(basic.status).toBe(200);
        expect(basic.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{24}'/);
        expect(basic.headers.get('cache-control')).toBe('no-store');
        expect(basic.headers.get('x-frame-options')).toBe('DENY');
        expect(basic.headers.get('x-content-type-options')).toBe('nosniff');
        const openapi = await (await fetch(`${server.url}/openapi.json`)).json() as { paths: Record<string, unknown> };
        expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
        const page = await basic.text();
        const nonce = /'nonce-([^']+)'/.exec(basic.headers.get('content-security-policy')!)![1];
        expect(page.match(/<script/g)!.length).toBe(page.match(new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}">`, 'g'))!.length);
    });

    it('answers the explain box: an event id or an address, 404 for neither, and every rule by name', async () => {
        const get = (url: string) => fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${UI_KEY}` } });
        const byId = await (await get('/ui/api/explain?q=cart-011')).json() as { explanations: { event: string; verdicts: unknown[] }[] };
        expect(byId.explanations.map((e) => e.event)).toEqual(['cart-011']);
        expect(byId.explanations[0]!.verdicts).toHaveLength(plans.length);
        expect((await get('/ui/api/explain?q=nobody@example.com')).status).toBe(404);
        expect((await get('/ui/api/rules/nope')).status).toBe(404);
    });
});

describe('the operator page in Chromium', () => {
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
        context = await chromium.launchPersistentContext(path.join(temp, 'chromium-profile'), {
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
            httpCredentials: { username: 'operator', password: UI_KEY, send: 'always' },
            viewport: { width: 1280, height: 900 },
        });
        page = context.pages()[0] ?? await context.newPage();
        page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`); });
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
        page.on('response', (response) => { if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`); });
    }, 120_000);

    afterAll(async () => {
        await context?.close();
    });

    async function screenshot(name: string): Promise<string> {
        const file = path.join(artifacts, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        const png = fs.readFileSync(file);
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
        console.log(`screenshot: ${path.relative(process.cwd(), file)} (${png.length} bytes)`);
        return file;
    }

    it('loads: every rule, its goal and holdout, its last run, and the outbox depth; no console error', async () => {
        await page.goto(`${server.url}/ui`);
        await page.locator('#rules tr').nth(plans.length).waitFor();
        const rows = await page.locator('#rules tr').allInnerTexts();
        expect(rows).toHaveLength(plans.length + 1);
        const big = rows.find((r) => r.startsWith('bigCartLastChance'))!;
        expect(big).toContain('purchase within 7 days (value total)');
        expect(big).toContain('10%');
        expect(big).toContain('2026-11-23T10:00:00Z');
        expect(big).toMatch(/2,414\s+2,184\s+229/); // selected, queued, held out
        expect(await page.locator('#outbox').innerText()).toMatch(/^Outbox: 2,190 pending \(0 held for quiet hours\), 0 failed$/);
        expect(await page.locator('#now').innerText()).toBe('as of 2026-11-30T10:00:00Z');
        await screenshot('ui-overview');
        expect(problems).toEqual([]);
    });

    it('clicks through to a rule: its runs, its decisions per day, its report with the lift and its interval', async () => {
        await page.locator('#rules a', { hasText: 'bigCartLastChance' }).click();
        await page.locator('#rule-body .report .lift svg').waitFor();
        expect(page.url()).toMatch(/#rule=bigCartLastChance$/);
        expect(await page.locator('#rule-name').innerText()).toBe('bigCartLastChance');
        const runs = await page.locator('#rule-body table.runs tr').allInnerTexts();
        expect(runs).toHaveLength(2);
        expect(runs[1]).toMatch(/^2026-11-23T10:00:00Z\s+2026-11-22T10:00:00Z/);
        // uPlot drew the decisions per day and the report's sends and conversions per day.
        expect(await page.locator('#rule-body .outcomes .uplot canvas').count()).toBe(1);
        expect(await page.locator('#rule-body .report .chart .uplot canvas').count()).toBe(1);
        const report = await page.locator('#rule-body .report').innerText();
        expect(report).toContain('Lift: +7.7 points (95% CI +3.3 to +10.8)');
        expect(report).toContain('the follow-up raised conversions: the whole interval is above 0');
        expect(await page.locator('#rule-body .lift svg .lift-interval').count()).toBe(1);
        await screenshot('ui-rule');
        expect(problems).toEqual([]);
    });

    it('explains an address: every rule\'s verdict for each of its events', async () => {
        await page.locator('#explain-input').fill('ana.silva@example.com');
        await page.locator('#explain-button').click();
        await page.locator('#explain-result ul.verdicts li').nth(plans.length - 1).waitFor();
        const verdicts = await page.locator('#explain-result ul.verdicts li').allInnerTexts();
        expect(verdicts).toHaveLength(plans.length);
        // Decided, not dispatched (this store's follow-ups stay in the outbox).
        expect(verdicts).toContain('✗ bigCartLastChance: decided at 2026-11-23T10:00:00Z: queued for sending (delivery bigCartLastChance:cart-011)');
        expect(await page.locator('#explain-result h3').innerText()).toMatch(/^Event cart-011 \(cartAbandonment, /);
        await screenshot('ui-explain');
        expect(problems).toEqual([]);
    });

    it('explains a held-out shopper: held out (10% holdout)', async () => {
        const { rows } = await store.query<{ event_id: string }>(`SELECT event_id FROM decisions WHERE rule = 'bigCartLastChance' AND outcome = 'held_out' ORDER BY event_id LIMIT 1`);
        await page.locator('#explain-input').fill(rows[0]!.event_id);
        await page.locator('#explain-button').click();
        const held = page.locator('#explain-result li[data-rule="bigCartLastChance"]');
        await held.waitFor();
        expect(await held.innerText()).toMatch(/^✗ bigCartLastChance: held out \(10% holdout\): decided at 2026-11-23T10:00:00Z, no follow-up sent/);
        expect(problems).toEqual([]);
    });

    it('views the HTML report offline: a file, every request beyond it refused, the charts drawn by the inline uPlot', async () => {
        const file = path.join(temp, 'report.html');
        fs.writeFileSync(file, renderReportHtml(await buildReport(store, plans, { now, daily: true }), { project: 'cart-abandonment' }));
        const offline = await context.newPage();
        const requests: string[] = [];
        await offline.route((url) => url.protocol !== 'file:', async (route) => { requests.push(route.request().url()); await route.abort(); });
        const errors: string[] = [];
        offline.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
        offline.on('pageerror', (error) => errors.push(error.message));
        await offline.goto(`file://${file}`);
        await offline.locator('section[data-rule="bigCartLastChance"] .lift svg').waitFor();
        // One chart per rule: uPlot's canvas where the rule decided something, a sentence where it did not.
        expect(await offline.locator('.chart .uplot canvas').count()).toBe(3);
        expect(await offline.locator('section[data-rule="cartReminderChase"] .chart').innerText()).toBe('Nothing decided in this period.');
        expect(await offline.locator('section[data-rule="bigCartLastChance"] .lift svg .lift-estimate').count()).toBe(1);
        await offline.screenshot({ path: path.join(artifacts, 'report-html.png'), fullPage: true });
        console.log(`screenshot: ${path.relative(process.cwd(), path.join(artifacts, 'report-html.png'))}`);
        expect(requests).toEqual([]);
        expect(errors).toEqual([]);
        await offline.close();
    });
});

describe('followup serve serves it', () => {
    it('behind FOLLOWUP_UI_KEYS, not the API keys then', async () => {
        const project = path.join(temp, 'project');
        fs.cpSync(example, project, { recursive: true, filter: (from) => !from.includes(`${path.sep}.followup`) && !from.endsWith('.jsonl') });
        const serve = await startServe([project, '--db', path.join(temp, 'serve-db'), '--now', now.toISOString()],
            { FOLLOWUP_API_KEYS: API_KEY, FOLLOWUP_UI_KEYS: UI_KEY });
        try {
            expect((await fetch(`${serve.url}/ui`)).status).toBe(401);
            expect((await fetch(`${serve.url}/ui`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(401);
            const page = await fetch(`${serve.url}/ui`, { headers: { authorization: `Basic ${Buffer.from(`x:${UI_KEY}`).toString('base64')}` } });
            expect(page.status).toBe(200);
            expect(await page.text()).toContain('<title>followup — operator</title>');
            const overview = await (await fetch(`${serve.url}/ui/api/overview`, { headers: { authorization: `Bearer ${UI_KEY}` } })).json() as { rules: { rule: string }[] };
            expect(overview.rules.map((r) => r.rule)).toEqual(plans.map((p) => p.rule));
        } finally {
            expect(await serve.stop()).toBe(0);
        }
        expect(serve.stdout()).not.toContain(UI_KEY);
    }, 120_000);
});
