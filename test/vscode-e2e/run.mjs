// The VS Code end-to-end test: the built .vsix installed into a real VS Code (code-server 4.100.3 =
// VS Code 1.100.3), driven in headless Chromium by playwright-core, on a copy of
// examples/cart-abandonment, as a new user would use it. Each step is checked in the page (token
// scopes from "Inspect Editor Tokens and Scopes", the Problems panel, the suggest widget, ...) and
// on disk, with a screenshot kept in test/vscode-e2e/artifacts/ (gitignored).
//
//   bash test/vscode-e2e/install.sh          # once: chromium, ripgrep, code-server, playwright-core (cached)
//   node test/vscode-e2e/run.mjs             # builds the .vsix, runs every step; exit 0 when all pass
//
// Prints one line per step, then "N passed, M failed".
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const artifacts = path.join(here, 'artifacts');
const scratch = path.join(here, '.scratch');
const tools = process.env.FOLLOWUP_E2E_TOOLS ?? execFileSync('bash', [path.join(here, 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const { chromium } = createRequire(path.join(tools, 'package.json'))('playwright-core');
const codeServer = path.join(tools, 'node_modules/.bin/code-server');

const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

// ------------------------------------------------------------------ set-up

fs.rmSync(scratch, { recursive: true, force: true });
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });
const dirs = Object.fromEntries(['home', 'xdg-config', 'xdg-data', 'xdg-cache', 'user-data', 'extensions', 'chromium'].map(d => [d, path.join(scratch, d)]));
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
const workspace = path.join(scratch, 'cart-abandonment');
fs.cpSync(path.join(repo, 'examples/cart-abandonment'), workspace, { recursive: true, filter: from => !from.split(path.sep).includes('.followup') });

const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'vscode-extension/package.json'), 'utf8'));
const vsix = path.join(repo, 'vscode-extension', `followup-${manifest.version}.vsix`);
log('building the .vsix');
execFileSync('npm', ['run', 'package', '-w', 'vscode-extension'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });

const env = {
    ...process.env,
    HOME: dirs.home, XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'], XDG_CACHE_HOME: dirs['xdg-cache'],
};
// --auth none: no password from the environment either.
delete env.PASSWORD; delete env.HASHED_PASSWORD;
const common = ['--disable-telemetry', '--disable-update-check', '--extensions-dir', dirs.extensions, '--user-data-dir', dirs['user-data']];
log('installing the .vsix into code-server');
execFileSync(codeServer, [...common, '--install-extension', vsix], { env, stdio: ['ignore', 'ignore', 'inherit'] });

fs.mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
fs.writeFileSync(path.join(dirs['user-data'], 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.commandCenter.enabled': false,
    'editor.minimap.enabled': false,
    'editor.hover.delay': 200,
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'files.autoSave': 'off',
    'window.restoreWindows': 'none',
}, null, 2));

async function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
        server.on('error', reject);
    });
}

const port = await freePort();
const serverLog = fs.openSync(path.join(artifacts, 'code-server.log'), 'w');
const server = spawn(codeServer, [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-workspace-trust', '--disable-getting-started-override', workspace],
    { env, stdio: ['ignore', serverLog, serverLog], detached: true });
let browser;

async function stopAll() {
    await browser?.close().catch(() => {});
    if (server.exitCode === null) {
        try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
        await new Promise(resolve => { const t = setTimeout(() => { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } resolve(); }, 5000); server.once('exit', () => { clearTimeout(t); resolve(); }); });
    }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { void stopAll().then(() => process.exit(2)); });

async function waitForServer() {
    for (let i = 0; i < 600; i++) {
        if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode} (see artifacts/code-server.log)`);
        try {
            const response = await fetch(`http://127.0.0.1:${port}/healthz`);
            if (response.ok) return;
        } catch { /* not yet */ }
        await new Promise(r => setTimeout(r, 100));
    }
    throw new Error('code-server did not answer /healthz within 60 s');
}

// ------------------------------------------------------------------ helpers

let page;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const results = [];

async function shot(name) {
    await page.screenshot({ path: path.join(artifacts, `${String(results.length + 1).padStart(2, '0')}-${name}.png`) });
}

async function step(name, body) {
    const t = Date.now();
    try {
        await body();
        await shot(name);
        results.push({ name, ok: true });
        log(`ok    ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (error) {
        await shot(`${name}-FAILED`).catch(() => {});
        results.push({ name, ok: false, error });
        log(`FAIL  ${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        await page.keyboard.press('Escape').catch(() => {});
    }
}

function expect(condition, message) {
    if (!condition) throw new Error(message);
}

/** Polls `read` until `check` holds (or throws with the last value after `ms`). */
async function until(read, check, what, ms = 20_000) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
        last = await read();
        if (check(last)) return last;
        if (Date.now() > deadline) throw new Error(`${what}; last seen: ${JSON.stringify(last)?.slice(0, 400)}`);
        await sleep(150);
    }
}

async function quickInput(text) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await sleep(250);
}

/** Runs a command from the command palette by its title. */
async function command(title) {
    await quickInput(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
    await sleep(200);
}

async function openFile(relative) {
    await quickInput(relative);
    const row = page.locator('.quick-input-list .monaco-list-row').first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await until(activeTab, t => t === path.basename(relative), `the editor of ${relative} is open`);
    await sleep(300);
}

async function activeTab() {
    return (await page.locator('.editor-group-container.active .tabs-container .tab.active .label-name').first().textContent().catch(() => ''))?.trim();
}

/** Puts the cursor on the first occurrence of `text` (plus `offset` characters) in the active file as saved on disk. */
async function cursorAt(relative, text, offset = 0, nth = 0) {
    const lines = fs.readFileSync(path.join(workspace, relative), 'utf8').split('\n');
    let seen = 0;
    for (let i = 0; i < lines.length; i++) {
        let at = -1;
        while ((at = lines[i].indexOf(text, at + 1)) !== -1) {
            if (seen++ === nth) {
                await quickInput(`:${i + 1}:${at + 1 + offset}`);
                await page.keyboard.press('Enter');
                await sleep(200);
                return { line: i + 1, column: at + 1 + offset };
            }
        }
    }
    throw new Error(`'${text}' not in ${relative}`);
}

/** The scopes "Developer: Inspect Editor Tokens and Scopes" lists for the token at the cursor. */
async function scopesAtCursor(name) {
    await command('Developer: Inspect Editor Tokens and Scopes');
    const widget = page.locator('.token-inspect-widget');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await until(() => widget.innerText(), t => /textmate scopes/i.test(t), 'the token inspector shows TextMate scopes');
    await shot(`${name}-scopes`);
    await page.keyboard.press('Escape');
    return text;
}

async function editorText() {
    // Monaco renders spaces as no-break spaces.
    return (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

async function suggestions() {
    const widget = page.locator('.editor-widget.suggest-widget');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    await until(() => widget.locator('.monaco-list-row').count(), n => n > 3, 'suggestions are listed');
    return widget.locator('.monaco-list-row .label-name').allInnerTexts();
}

/** The text of the extension's "followup" output channel, as VS Code writes it to its log folder. */
function followupChannel() {
    const logs = path.join(dirs['user-data'], 'logs');
    if (!fs.existsSync(logs)) return '';
    return fs.readdirSync(logs, { recursive: true }).map(f => path.join(logs, String(f)))
        .filter(f => f.endsWith(path.join('followup.followup-vscode', 'followup.log')))
        .map(f => fs.readFileSync(f, 'utf8')).join('\n');
}

// ------------------------------------------------------------------ the steps

try {
    await waitForServer();
    log(`code-server 4.100.3 on 127.0.0.1:${port}`);
    browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: 60_000 });
    log('the workbench is up');

    await step('highlighting-followup', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'when cartAbandonment', 1);
        const keyword = await scopesAtCursor('when');
        expect(keyword.includes('keyword.control.followup') && keyword.includes('source.followup'), `'when' is keyword.control.followup: ${keyword}`);
    });

    await step('highlighting-in-strings', async () => {
        await openFile('messages.followup');
        await cursorAt('messages.followup', '{{ firstName }}', 4);
        const scopes = await scopesAtCursor('string-tag');
        expect(scopes.includes('meta.template.expression.followup') && scopes.includes('string.quoted.double.followup'), `{{ firstName }} in a string: ${scopes}`);
    });

    await step('highlighting-html-template', async () => {
        await openFile('templates/cart-followup.html');
        await cursorAt('templates/cart-followup.html', '{{ firstName }}', 4);
        const scopes = await scopesAtCursor('html-tag');
        expect(scopes.includes('text.html.derivative'), `the html language's root scope: ${scopes}`);
        expect(scopes.includes('meta.template.expression.followup') && scopes.includes('variable.other.readwrite.followup'), `{{ firstName }} in HTML: ${scopes}`);
    });

    await step('diagnostic-and-quick-fix', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'cartTotal >= 100', 5);
        await page.keyboard.press('Delete'); // cartTotal -> cartTtal
        await until(editorText, t => t.includes('cartTtal >= 100'), 'the typo is in the editor');
        await command('View: Focus Problems (Errors, Warnings, Infos)');
        const problems = page.locator('.markers-panel');
        await until(() => problems.innerText(), t => t.includes("Unknown field 'cartTtal' on event 'cartAbandonment'"), 'the Problems panel lists the typo');
        await shot('diagnostic');
        await cursorAt('rules.followup', 'cartTotal >= 100', 2);
        await command('View: Focus Active Editor Group');
        await page.keyboard.press('Control+.');
        const fixes = page.locator('.action-widget');
        await fixes.waitFor({ state: 'visible', timeout: 10_000 });
        await fixes.locator('.monaco-list-row', { hasText: "'cartTotal'" }).first().waitFor({ state: 'visible', timeout: 10_000 });
        // The keyboard, as a user would: down to "Change to 'cartTotal'", Enter.
        await until(async () => {
            const focused = await fixes.locator('.monaco-list-row.focused').first().innerText().catch(() => '');
            if (!focused.includes("'cartTotal'")) await page.keyboard.press('ArrowDown');
            return focused;
        }, f => f.includes("Change to 'cartTotal'"), "the quick fix \"Change to 'cartTotal'\" is offered", 5_000);
        await page.keyboard.press('Enter');
        await until(editorText, t => t.includes('cartTotal >= 100'), 'the quick fix restores cartTotal');
        await until(() => problems.innerText(), t => !t.includes('Unknown field'), 'the Problems panel is clear again');
    });

    await step('completion', async () => {
        await openFile('rules.followup');
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.type('when cartAbandonment sent 3 days ago and ');
        await page.keyboard.press('Control+Space');
        const labels = await suggestions();
        const fields = ['abandonedAt', 'cartTotal', 'cartUrl', 'currency', 'customerId', 'email', 'firstName', 'items', 'loyaltyMember', 'phone'];
        expect(fields.every(f => labels.slice(0, fields.length).includes(f)), `the fields come first: ${labels.join(', ')}`);
        expect(!labels.includes('event'), `no odd 'event' item: ${labels.join(', ')}`);
        await shot('completion-list');
        await page.keyboard.press('Escape');
        await command('File: Revert File');
    });

    await step('hover', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'cartTotal >= 100', 2);
        await command('Show or Focus Hover');
        const hover = page.locator('.monaco-hover-content').first();
        await until(() => hover.innerText().catch(() => ''), t => /cartTotal/.test(t) && /decimal/.test(t), 'the hover shows the field and its type');
        await shot('hover-shown');
        await page.keyboard.press('Escape');
    });

    await step('go-to-definition', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'when cartAbandonment', 7);
        await command('Go to Definition');
        await until(activeTab, t => t === 'events.followup', 'go to definition opens events.followup');
    });

    await step('show-sql', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'bigCartLastChance', 2);
        await command('Followup: Show compiled SQL');
        await until(activeTab, t => t === 'bigCartLastChance.sql', 'a bigCartLastChance.sql tab');
        await until(editorText, t => /SELECT/i.test(t) && t.includes('followup rule bigCartLastChance'), 'the SQL is shown');
        const dirty = await page.locator('.tabs-container .tab.active.dirty').count();
        expect(dirty === 0, 'the SQL document is not dirty');
        const before = await editorText();
        await page.keyboard.type('x');
        await sleep(300);
        expect(await editorText() === before && (await page.locator('.tabs-container .tab.active.dirty').count()) === 0, 'typing does not change it: it is read-only');
        // It follows the rule: an edit of the rule changes the SQL shown (here a bound value).
        await page.keyboard.press('Control+1');
        await cursorAt('rules.followup', 'cartTotal >= 100', 13);
        await page.keyboard.press('Delete');
        await page.keyboard.type('2');
        await page.keyboard.press('Control+2');
        await until(editorText, t => t.includes('$4 value (numeric) = 200'), 'the SQL follows the edit of the rule');
        await shot('show-sql-follows-the-rule');
        await command('View: Close Editor');
        await sleep(500);
        expect(await page.locator('.monaco-dialog-box').count() === 0, 'closing it asks nothing');
        await command('File: Revert File');
    });

    await step('format', async () => {
        await openFile('events.followup');
        await cursorAt('events.followup', 'cartTotal: decimal', 0);
        await page.keyboard.type('      ');
        await until(editorText, t => /\s{8}cartTotal: decimal/.test(t), 'the line is messed up');
        await command('Format Document');
        await until(editorText, t => !/\s{8}cartTotal: decimal/.test(t) && /\n\s{2}cartTotal: decimal/.test(t), 'format restores the indentation');
        await command('File: Save');
    });

    await step('rename-across-files', async () => {
        await openFile('events.followup');
        await cursorAt('events.followup', 'firstName: string', 2);
        await command('Rename Symbol');
        const box = page.locator('.rename-box input, .rename-input').first();
        await box.waitFor({ state: 'visible', timeout: 10_000 });
        await box.fill('givenName');
        await page.keyboard.press('Enter');
        await sleep(1000);
        await command('File: Save All Files');
        const read = f => fs.readFileSync(path.join(workspace, f), 'utf8');
        await until(() => [read('events.followup'), read('messages.followup'), read('templates/cart-followup.html'), read('templates/cart-last-chance.html')],
            ([events, messages, followupHtml, lastChanceHtml]) => events.includes('givenName: string') && !messages.includes('firstName')
                && messages.includes('{{ givenName }}') && followupHtml.includes('{{ givenName }}') && lastChanceHtml.includes('{{ givenName }}'),
            'events.followup, messages.followup and the HTML templates say givenName');
    });

    await step('preview-with-sample-warning', async () => {
        await openFile('rules.followup');
        await cursorAt('rules.followup', 'when cartAbandonment sent 3 days ago', 2);
        await command('Followup: Preview message');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'does not match' }).first();
        await toast.waitFor({ state: 'visible', timeout: 20_000 });
        const text = await toast.innerText();
        expect(text.includes("missing givenName") && text.includes('unknown firstName'), `the warning names the fields: ${text}`);
        expect(text.includes('Pick another sample') && text.includes('Edit sample'), `it offers to pick or edit a sample: ${text}`);
        await until(() => page.locator('.tabs-container .tab .label-name').allInnerTexts(), tabs => tabs.some(t => t.includes('Preview: cartAbandonment_followup_email')), 'the preview panel is open');
        await shot('preview-warning');
        await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Edit sample' }).first().click();
        await until(activeTab, t => t === 'cartAbandonment.json', 'samples/cartAbandonment.json is opened for editing');
        const sample = JSON.parse(fs.readFileSync(path.join(workspace, 'samples/cartAbandonment.json'), 'utf8'));
        expect(typeof sample.givenName === 'string' && !('firstName' in sample) && sample.cartTotal === 168, `the sample is repaired: ${JSON.stringify(sample)}`);
        // Another sample: the picker lists the sample files, the history's events and the schema's.
        await openFile('rules.followup');
        await command('Followup: Pick preview sample');
        const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: 'history.jsonl (event cart-002)' }).first();
        await choice.waitFor({ state: 'visible', timeout: 10_000 });
        const listed = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
        expect(listed.some(l => l.includes('samples/cartAbandonment.json')) && listed.some(l => l.includes('missing givenName')), `the picker says which samples fit: ${listed.slice(0, 4).join(' | ')}`);
        await choice.click();
        await until(() => followupChannel(), t => t.includes('preview of cartAbandonment_followup_email with history.jsonl (event cart-002)'), 'the preview is rendered with the picked sample');
    });

    await step('output-channel-and-extension-host-log', async () => {
        const logs = path.join(dirs['user-data'], 'logs');
        const files = fs.readdirSync(logs, { recursive: true }).map(f => path.join(logs, String(f)));
        // One log folder per extension host (code-server starts one per connection): the one that ran the server.
        const channel = files.filter(f => f.endsWith(path.join('followup.followup-vscode', 'followup.log')))
            .find(f => fs.readFileSync(f, 'utf8').includes('language server'));
        expect(channel, `a followup output channel log among ${files.filter(f => f.endsWith('.log')).map(f => path.relative(logs, f)).join(', ')}`);
        const channelText = fs.readFileSync(channel, 'utf8');
        expect(/followup language server \S+ started/.test(channelText) && /loaded \d+ \.followup files/.test(channelText), `the server logs to it: ${channelText.slice(0, 600)}`);
        fs.copyFileSync(channel, path.join(artifacts, 'followup-output-channel.log'));
        const hostLogs = files.filter(f => /(remote)?exthost\.log$/.test(path.basename(f)));
        expect(hostLogs.length > 0, 'an extension host log');
        const hostText = hostLogs.map(f => fs.readFileSync(f, 'utf8')).join('\n');
        fs.writeFileSync(path.join(artifacts, 'exthost.log'), hostText);
        const errors = hostText.split('\n').filter(l => /\[error\]/i.test(l));
        expect(errors.length === 0, `no errors in the extension host log: ${errors.slice(0, 5).join(' | ')}`);
        await command('Output: Show Output Channels...');
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'followup' }).first();
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        await row.click();
        await until(async () => (await page.locator('.output-view, .panel').first().innerText().catch(() => '')).replace(/\u00a0/g, ' '), t => /\[info\].*(compiled SQL of rule|preview of)/.test(t), 'the followup channel shows the server log');
    });
} catch (error) {
    results.push({ name: 'set-up', ok: false, error });
    log(`FAIL  set-up: ${error instanceof Error ? error.stack : String(error)}`);
    if (page) await shot('set-up-FAILED').catch(() => {});
} finally {
    await stopAll();
}

const failed = results.filter(r => !r.ok);
for (const r of failed) console.log(`\nFAILED ${r.name}:\n${r.error instanceof Error ? r.error.stack : String(r.error)}`);
console.log(`\nVS Code end-to-end (${((Date.now() - started) / 1000).toFixed(0)} s, screenshots in ${path.relative(repo, artifacts)}/):`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length === 0 && results.length > 0 ? 0 : 1);
