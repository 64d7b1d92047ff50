// The .vsix as `npm run package -w vscode-extension` writes it: what it holds, that its manifest is
// what `code --install-extension` accepts, and that the server bundle inside it runs on its own
// (taken out of the archive, far from any node_modules) and answers LSP over stdio.
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractZip, openZip, type ZipArchive } from './support/zip-archive.js';
import { startLspChild, type LspChild } from './support/lsp-child.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const extensionRoot = path.join(repoRoot, 'vscode-extension');
const extensionManifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as { version: string };
const vsixPath = path.join(extensionRoot, `followup-${extensionManifest.version}.vsix`);
const sizeLimit = 5 * 1024 * 1024;

interface PackagedManifest {
    name: string; publisher: string; version: string; main: string; type?: string;
    engines: { vscode: string };
    activationEvents: string[];
    dependencies?: Record<string, string>;
    contributes: {
        languages: Array<{ id: string; extensions: string[]; configuration: string }>;
        grammars: Array<{ language?: string; scopeName: string; path: string; injectTo?: string[] }>;
        commands: Array<{ command: string; title: string; category?: string }>;
    };
}

let vsix: ZipArchive;
let names: string[];
let manifest: PackagedManifest;
const inVsix = (relative: string) => `extension/${path.posix.normalize(relative.replace(/^\.\//, ''))}`;

beforeAll(() => {
    fs.rmSync(vsixPath, { force: true });
    execFileSync('npm', ['run', 'package', '-w', 'vscode-extension'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    vsix = openZip(vsixPath);
    names = vsix.entries.map(e => e.name).sort();
    manifest = JSON.parse(vsix.read('extension/package.json').toString('utf8')) as PackagedManifest;
});

describe('the .vsix', () => {
    it('holds the two bundles, the grammars, the language configuration, the manifest, README and LICENSE, and nothing else', () => {
        console.log(`${path.relative(repoRoot, vsixPath)}:\n${vsix.entries.map(e => `  ${e.name}  ${e.size} bytes`).join('\n')}`);
        expect(names).toEqual([
            '[Content_Types].xml',
            'extension.vsixmanifest',
            'extension/LICENSE.txt',
            'extension/dist/extension.cjs',
            'extension/dist/server.cjs',
            'extension/dist/syntaxes/followup.tmLanguage.json',
            'extension/images/icon.png',
            'extension/language-configuration.json',
            'extension/package.json',
            'extension/readme.md',
            'extension/syntaxes/followup-template.injection.json',
        ]);
        expect(names.some(name => name.includes('node_modules'))).toBe(false);
        expect(vsix.read('extension/readme.md').toString()).toContain('Followup: Show compiled SQL');
        expect(vsix.read('extension/LICENSE.txt').toString()).toContain('MIT License');
    });

    it(`stays under ${sizeLimit / 1024 / 1024} MB`, () => {
        const onDisk = fs.statSync(vsixPath).size;
        const unpacked = vsix.entries.reduce((sum, e) => sum + e.size, 0);
        console.log(`vsix: ${(onDisk / 1024).toFixed(0)} KiB on disk, ${(unpacked / 1024).toFixed(0)} KiB unpacked`);
        expect(onDisk).toBeLessThan(sizeLimit);
        expect(unpacked).toBeLessThan(sizeLimit);
    });

    it('bundles every dependency: the client needs only Node built-ins and `vscode`, the server only Node built-ins', () => {
        const builtins = new Set([...builtinModules, ...builtinModules.map(m => `node:${m}`)]);
        const required = (entry: string) => [...new Set(
            [...vsix.read(entry).toString('utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(m => m[1]!),
        )].filter(name => !builtins.has(name));
        expect(required('extension/dist/extension.cjs')).toEqual(['vscode']);
        expect(required('extension/dist/server.cjs')).toEqual([]);
        // The manifest must not make vsce or VS Code look for installed packages.
        expect(manifest.dependencies ?? {}).not.toHaveProperty('langium');
    });

    it('contributes the followup language, its grammars and configuration from files that are in the archive', () => {
        expect(manifest.main).toBe('./dist/extension.cjs');
        expect(names).toContain(inVsix(manifest.main));
        expect(manifest.activationEvents).toContain('onLanguage:followup');
        const [language] = manifest.contributes.languages;
        expect(language).toMatchObject({ id: 'followup', extensions: ['.followup'] });
        expect(names).toContain(inVsix(language!.configuration));
        const configuration = JSON.parse(vsix.read(inVsix(language!.configuration)).toString()) as Record<string, unknown>;
        expect(configuration.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
        for (const grammar of manifest.contributes.grammars) {
            expect(names).toContain(inVsix(grammar.path));
            const file = JSON.parse(vsix.read(inVsix(grammar.path)).toString()) as { scopeName: string };
            expect(file.scopeName).toBe(grammar.scopeName);
        }
        expect(manifest.contributes.grammars.find(g => g.language === 'followup')?.scopeName).toBe('source.followup');
        expect(manifest.contributes.grammars.find(g => g.injectTo)?.injectTo).toEqual(['source.followup', 'text.html.basic', 'text.html.derivative']);
    });

    it('has a 128×128 PNG icon', () => {
        const icon = (manifest as unknown as { icon?: string }).icon;
        expect(icon).toBe('images/icon.png');
        const png = vsix.read(inVsix(icon!));
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    });

    it('contributes the commands the code lenses invoke, titled "Followup: …"', () => {
        const titles = Object.fromEntries(manifest.contributes.commands.map(c => [c.command, `${c.category}: ${c.title}`]));
        expect(titles).toEqual({
            'followup.showCompiledSql': 'Followup: Show compiled SQL',
            'followup.previewMessage': 'Followup: Preview message',
            'followup.pickSample': 'Followup: Pick preview sample',
            'followup.editSample': 'Followup: Edit preview sample',
            'followup.runTest': 'Followup: Run test',
            'followup.runAllTests': 'Followup: Run all tests',
        });
        // The client registers them itself; the bundle must carry both ids.
        const client = vsix.read('extension/dist/extension.cjs').toString();
        for (const id of Object.keys(titles)) expect(client).toContain(id);
    });

    // No VS Code on this machine: these are the checks `code --install-extension` makes before it
    // unpacks: the vsixmanifest identifies the extension as its package.json does, the engine
    // range is one VS Code understands, and the entry point lies inside the extension.
    it('has an extension.vsixmanifest that agrees with package.json, as `code --install-extension` requires', () => {
        const xml = vsix.read('extension.vsixmanifest').toString('utf8');
        const identity = /<Identity\b([^>]*)\/>/.exec(xml)?.[1] ?? '';
        const attribute = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(identity)?.[1];
        expect(attribute('Id')).toBe(manifest.name);
        expect(attribute('Publisher')).toBe(manifest.publisher);
        expect(attribute('Version')).toBe(manifest.version);
        expect(xml).toContain(`<Property Id="Microsoft.VisualStudio.Code.Engine" Value="${manifest.engines.vscode}" />`);
        expect(xml).toMatch(/<Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension\/package.json"/);
        for (const asset of xml.matchAll(/<Asset [^>]*Path="([^"]+)"/g)) expect(names).toContain(asset[1]);
        expect(manifest.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(manifest.publisher).toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
        // VS Code 1.82 is the oldest host the bundles target (node18).
        expect(manifest.engines.vscode).toBe('^1.82.0');
        const contentTypes = vsix.read('[Content_Types].xml').toString('utf8');
        for (const extension of new Set(names.filter(n => n !== '[Content_Types].xml').map(n => path.extname(n)))) {
            expect(contentTypes).toContain(`Extension="${extension}"`);
        }
    });
});

/**
 * The .vsix unpacked into a temp folder beside a copy of the cart-abandonment example. The server
 * runs from there: nothing can be resolved from the repository's node_modules.
 */
function unpackWithProject(): { temp: string; project: string; serverModule: string } {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-vsix-'));
    extractZip(vsix, path.join(temp, 'vsix'));
    const project = path.join(temp, 'cart-abandonment');
    fs.cpSync(path.join(repoRoot, 'examples/cart-abandonment'), project, {
        recursive: true, filter: from => !from.split(path.sep).includes('.followup'),
    });
    return { temp, project, serverModule: path.join(temp, 'vsix/extension/dist/server.cjs') };
}

describe('the server bundle from the .vsix', () => {
    let temp: string;
    let project: string;
    let serverModule: string;
    let server: LspChild;
    const uri = (file: string) => pathToFileURL(path.join(project, file)).toString();

    beforeAll(async () => {
        ({ temp, project, serverModule } = unpackWithProject());
        server = await startLspChild(serverModule, project, temp);
    });
    afterAll(async () => {
        await server?.stop();
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
    });

    it('answers initialize with the editing features', () => {
        const capabilities = server.initialize.capabilities;
        expect(capabilities.textDocumentSync).toBeDefined();
        expect(capabilities.completionProvider).toBeDefined();
        expect(capabilities.hoverProvider).toBeTruthy();
        expect(capabilities.definitionProvider).toBeTruthy();
        expect(capabilities.documentSymbolProvider).toBeTruthy();
        expect(capabilities.codeLensProvider).toBeDefined();
        // vscode-languageclient registers every server-executed command itself: if the server
        // claimed the extension's commands, activation would fail with "command already exists".
        const contributed = manifest.contributes.commands.map(c => c.command);
        for (const id of capabilities.executeCommandProvider?.commands ?? []) expect(contributed).not.toContain(id);
    });

    it('also starts over Node IPC, as the extension forks it', async () => {
        const overIpc = await startLspChild(serverModule, project, temp, 'ipc');
        try {
            expect(overIpc.initialize.capabilities.completionProvider).toBeDefined();
            const published = overIpc.diagnosticsFor(uri('broken.followup'), p => p.diagnostics.length > 0);
            await overIpc.connection.sendNotification('textDocument/didOpen', {
                textDocument: { uri: uri('broken.followup'), languageId: 'followup', version: 1, text: 'when nothingLikeThis sent 3 days ago then send followup email' },
            });
            expect((await published).diagnostics.map(d => d.message).join('\n')).toMatch(/nothingLikeThis/);
        } finally {
            await overIpc.stop();
        }
    });

    it('publishes diagnostics for a broken edit, and clears them when it is fixed', async () => {
        const rules = fs.readFileSync(path.join(project, 'rules.followup'), 'utf8');
        const broken = rules.replace('cartTotal >= 100', 'cartTotl >= 100');
        const withError = server.diagnosticsFor(uri('rules.followup'), p => p.diagnostics.length > 0);
        await server.connection.sendNotification('textDocument/didOpen', {
            textDocument: { uri: uri('rules.followup'), languageId: 'followup', version: 1, text: broken },
        });
        const published = await withError;
        expect(published.diagnostics.map(d => d.message).join('\n')).toMatch(/cartTotl/);
        const line = broken.split('\n').findIndex(l => l.includes('cartTotl'));
        expect(published.diagnostics.some(d => d.severity === 1 && d.range.start.line === line)).toBe(true);

        const cleared = server.diagnosticsFor(uri('rules.followup'), p => p.diagnostics.length === 0);
        await server.connection.sendNotification('textDocument/didChange', {
            textDocument: { uri: uri('rules.followup'), version: 2 }, contentChanges: [{ text: rules }],
        });
        expect((await cleared).diagnostics).toEqual([]);
    });

    it('completes event names after `when` from the other files of the project', async () => {
        const text = 'when ';
        await server.connection.sendNotification('textDocument/didOpen', {
            textDocument: { uri: uri('scratch.followup'), languageId: 'followup', version: 1, text },
        });
        const completion = await server.connection.sendRequest<{ items: Array<{ label: string }> } | Array<{ label: string }>>('textDocument/completion', {
            textDocument: { uri: uri('scratch.followup') }, position: { line: 0, character: text.length },
        });
        const labels = (Array.isArray(completion) ? completion : completion.items).map(item => item.label);
        expect(labels).toContain('cartAbandonment');
        expect(labels).toContain('purchase');
    });
});

describe("the server bundle answers what the extension's commands ask", () => {
    let temp: string;
    let project: string;
    let serverModule: string;
    let server: LspChild;
    const uri = (file: string) => pathToFileURL(path.join(project, file)).toString();

    beforeAll(async () => {
        ({ temp, project, serverModule } = unpackWithProject());
        server = await startLspChild(serverModule, project, temp);
        await server.connection.sendNotification('textDocument/didOpen', {
            textDocument: { uri: uri('rules.followup'), languageId: 'followup', version: 1, text: fs.readFileSync(path.join(project, 'rules.followup'), 'utf8') },
        });
    });
    afterAll(async () => {
        await server?.stop();
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
    });

    it('puts code lenses on rules that invoke the contributed commands with [uri, rule]', async () => {
        const lenses = await server.connection.sendRequest<Array<{ command?: { command: string; arguments?: unknown[] } }>>('textDocument/codeLens', {
            textDocument: { uri: uri('rules.followup') },
        });
        const contributed = manifest.contributes.commands.map(c => c.command);
        expect(lenses.length).toBeGreaterThan(0);
        for (const lens of lenses) expect(contributed).toContain(lens.command?.command);
        expect(lenses.map(l => l.command?.arguments)).toContainEqual([uri('rules.followup'), 'cartAbandonment_followup_email']);
        expect(lenses.map(l => l.command?.arguments)).toContainEqual([uri('rules.followup'), 'bigCartLastChance']);
    });

    it('answers followup/compiledSql with the rule\'s SQL', async () => {
        const result = await server.connection.sendRequest<{ rule: string; sql: string }>('followup/compiledSql', {
            uri: uri('rules.followup'), rule: 'bigCartLastChance',
        });
        expect(result.rule).toBe('bigCartLastChance');
        expect(result.sql).toMatch(/\bselect\b/i);
    });

    it('answers followup/runTests by running the project\'s own followup test (the bundle carries no embedded database)', async () => {
        // The project's `followup` (as `npm i -D @followup-lang/cli` installs it): a shim to the repository's.
        const bin = path.join(project, 'node_modules', '.bin');
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, 'followup'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, 'packages/cli/bin/followup.js')}" "$@"\n`, { mode: 0o755 });
        const name = 'a hard bounce suppresses the address';
        const result = await server.connection.sendRequest<{ passed: number; failed: number; tests: { name: string; uri: string; passed: boolean }[] }>(
            'followup/runTests', { uri: uri('tests.followup'), tests: [name] });
        expect(result).toMatchObject({ passed: 1, failed: 0, tests: [{ name, uri: uri('tests.followup'), passed: true }] });
        const all = await server.connection.sendRequest<{ passed: number; failed: number }>('followup/runTests', { uri: uri('tests.followup') });
        expect(all).toMatchObject({ passed: 7, failed: 0 });
    });

    it('answers followup/previewMessage for a rule and for a message declaration', async () => {
        const byRule = await server.connection.sendRequest<{ channel: string; subject?: string; html?: string; text?: string; sample: { source: string } }>(
            'followup/previewMessage', { uri: uri('rules.followup'), rule: 'cartAbandonment_followup_email' },
        );
        expect(byRule.channel).toBe('email');
        expect(byRule.subject).toMatch(/your cart is waiting/);
        expect(byRule.html).toMatch(/<html/i);
        expect(byRule.sample.source).not.toBe('');
        const bySms = await server.connection.sendRequest<{ channel: string; text?: string }>('followup/previewMessage', {
            uri: uri('messages.followup'), message: { name: 'followup', event: 'cartAbandonment', channel: 'sms' },
        });
        expect(bySms.channel).toBe('sms');
        expect(bySms.text).toMatch(/your cart: http/);
    });
});
