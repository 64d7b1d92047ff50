// Navigation over real LSP JSON-RPC (`followup lsp --stdio` as a child process): definitions across
// files and out of `{{ }}` (message strings and template files), references of a field including
// template files, renames as workspace edits that leave the project checking clean, refused names,
// template files' own diagnostics, and related information on duplicates.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Location, LocationLink, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { loadProject } from '@followup/language';
import { positionOf, startLspSession, type LspSession } from './support/lsp-session.js';
import { applyTextEdits } from './support/workspace-edits.js';

let session: LspSession;
const files = ['events.followup', 'messages.followup', 'rules.followup'];

beforeAll(async () => {
    session = await startLspSession();
    for (const file of files) await session.open(file);
    await session.nextDiagnostics(session.uri('rules.followup'));
});

afterAll(async () => {
    await session?.close();
});

/** `file` at the `offset`-th character of `marker` (default: its second character). */
function at(file: string, marker: string, offset = 1) {
    return { textDocument: { uri: session.uri(file) }, position: positionOf(session.text(file), marker, offset) };
}

function lineOf(file: string, marker: string): number {
    return positionOf(session.text(file), marker, 0).line;
}

async function definition(file: string, marker: string, offset = 1): Promise<{ uri: string; line: number }[]> {
    const result = await session.connection.sendRequest('textDocument/definition', at(file, marker, offset)) as LocationLink[] | Location[] | null;
    return (result ?? []).map(l => 'targetUri' in l ? { uri: l.targetUri, line: l.targetSelectionRange.start.line } : { uri: l.uri, line: l.range.start.line });
}

async function references(file: string, marker: string, offset = 1, includeDeclaration = true): Promise<string[]> {
    const result = await session.connection.sendRequest('textDocument/references', { ...at(file, marker, offset), context: { includeDeclaration } }) as Location[];
    return result.map(l => `${path.relative(session.project, new URL(l.uri).pathname)}:${l.range.start.line + 1}:${l.range.start.character + 1}`).sort();
}

/** Where `pattern` matches in `file`, as references() gives locations: the example's scenario tests use the names too. */
function occurrences(file: string, pattern: RegExp): string[] {
    const text = session.text(file);
    return [...text.matchAll(pattern)].map(m => {
        const before = text.slice(0, m.index).split('\n');
        return `${file}:${before.length}:${before[before.length - 1]!.length + 1}`;
    }).sort();
}

const inTests = (refs: string[]) => refs.filter(r => r.startsWith('tests.followup:'));
const outsideTests = (refs: string[]) => refs.filter(r => !r.startsWith('tests.followup:'));

async function rename(file: string, marker: string, newName: string, offset = 1): Promise<WorkspaceEdit> {
    return await session.connection.sendRequest('textDocument/rename', { ...at(file, marker, offset), newName }) as WorkspaceEdit;
}

/** A copy of the project with the edit applied, checked by the CLI's loader: the rename must keep it error-free. */
async function checkAfter(edit: WorkspaceEdit): Promise<{ texts: Map<string, string>; errors: string[] }> {
    const copy = fs.mkdtempSync(path.join(path.dirname(session.project), 'renamed-'));
    fs.cpSync(session.project, copy, { recursive: true });
    const texts = new Map<string, string>();
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
        const relative = path.relative(session.project, new URL(uri).pathname);
        const file = path.join(copy, relative);
        const text = applyTextEdits(fs.readFileSync(file, 'utf8'), edits);
        fs.writeFileSync(file, text);
        texts.set(relative, text);
    }
    const project = await loadProject([copy]);
    return { texts, errors: project.diagnostics.filter(d => d.severity === 'error').map(d => `${d.code} ${d.message}`) };
}

function changedFiles(edit: WorkspaceEdit): string[] {
    return Object.keys(edit.changes ?? {}).map(uri => path.relative(session.project, new URL(uri).pathname)).sort();
}

describe('go to definition', () => {
    it('from a rule to the event, the field, the message of the right channel, and a short rule by its derived name', async () => {
        expect(await definition('rules.followup', 'when cartAbandonment sent 7', 'when cart'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'event cartAbandonment') }]);
        expect(await definition('rules.followup', 'cartTotal >= 100'))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'cartTotal: decimal') }]);
        expect(await definition('rules.followup', 'then send followup email', 'then send f'.length))
            .toEqual([{ uri: session.uri('messages.followup'), line: lineOf('messages.followup', 'message followup for cartAbandonment email') }]);
        expect(await definition('rules.followup', 'then send followup sms', 'then send f'.length))
            .toEqual([{ uri: session.uri('messages.followup'), line: lineOf('messages.followup', 'message followup for cartAbandonment sms') }]);
        expect(await definition('rules.followup', 'when cartAbandonment_followup_email', 'when c'.length))
            .toEqual([{ uri: session.uri('rules.followup'), line: lineOf('rules.followup', 'when cartAbandonment sent 3 days') }]);
        expect(await definition('rules.followup', 'not purchase since', 'not p'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'event purchase') }]);
        expect(await definition('events.followup', 'list<CartItem>', 'list<C'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'type CartItem') }]);
        // (the first `key customerId` of the file is in its comment)
        expect(await definition('events.followup', '  key customerId\n  customerId: string\n  email: email\n  phone', '  key c'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', '  customerId: string') }]);
    });

    it('from {{ }} inside a message string (through """ dedent) and a loop variable\'s field', async () => {
        expect(await definition('messages.followup', '({{ cartTotal | money(currency) }}) in your cart', '({{ cart'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'cartTotal: decimal') }]);
        expect(await definition('messages.followup', '{{ item.name }}', '{{ item.na'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'type CartItem') }]);
        expect(await definition('messages.followup', 'subject: "{{ firstName }}, your cart', 'subject: "{{ fi'.length))
            .toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'firstName: string') }]);
    });

    it('from a template file: {{ cartTotal }} in templates/cart-followup.html is field cartTotal of cartAbandonment', async () => {
        const result = await definition('templates/cart-followup.html', '<strong>{{ cartTotal', '<strong>{{ cart'.length);
        expect(result).toEqual([{ uri: session.uri('events.followup'), line: lineOf('events.followup', 'cartTotal: decimal') }]);
    });
});

describe('find references', () => {
    const cartTotalEverywhere = () => [
        `events.followup:${lineOf('events.followup', 'cartTotal: decimal') + 1}:3`,
        // the rule's condition
        expect.stringMatching(/^rules\.followup:\d+:\d+$/),
        // inline text parts of three messages
        ...Array(3).fill(expect.stringMatching(/^messages\.followup:\d+:\d+$/)),
        // templates: followup (2), last chance (1), transactional (1)
        ...Array(2).fill(expect.stringMatching(/^templates\/cart-followup\.html:\d+:\d+$/)),
        expect.stringMatching(/^templates\/cart-last-chance\.html:\d+:\d+$/),
        expect.stringMatching(/^templates\/cart-transactional\.html:\d+:\d+$/),
    ];

    it('of a field: its declaration, conditions, {{ }} in message strings and in template files', async () => {
        const all = await references('events.followup', 'cartTotal: decimal');
        // The example's scenario tests give a cartTotal to each of their carts.
        expect(inTests(all)).toEqual(occurrences('tests.followup', /\bcartTotal(?=:)/g));
        const refs = outsideTests(all);
        expect(refs).toHaveLength(9);
        expect(refs.sort()).toEqual(expect.arrayContaining(cartTotalEverywhere()));
        expect(refs).toContain(`templates/cart-followup.html:10:${'    <p>Total: <strong>{{ '.length + 1}`);
        expect(refs).toContain(`templates/cart-followup.html:11:${'    {{#if '.length + 1}`);
    });

    it('the same from a {{ }} in a template file, and without the declaration when asked', async () => {
        const fromTemplate = await references('templates/cart-last-chance.html', '{{ cartTotal', '{{ c'.length);
        expect(fromTemplate).toEqual(await references('events.followup', 'cartTotal: decimal'));
        expect(outsideTests(await references('templates/cart-last-chance.html', '{{ cartTotal', '{{ c'.length, false))).toHaveLength(8);
    });

    it('of a record type\'s field: through loop variables, in strings and template files', async () => {
        const all = await references('events.followup', 'name: string  price', 1, false);
        expect(inTests(all)).toEqual(occurrences('tests.followup', /\bname(?=:)/g));
        expect(outsideTests(all).map(r => r.split(':')[0])).toEqual(['messages.followup', 'templates/cart-followup.html', 'templates/cart-transactional.html']);
    });

    it('of an event: triggers, since conditions, goals and messages; of a short rule: the chained trigger', async () => {
        const all = await references('events.followup', 'event purchase', 'event p'.length);
        // A test's purchase and a "because purchase since sent".
        expect(inTests(all)).toEqual(occurrences('tests.followup', /(?<=days |because )purchase\b/g));
        expect(inTests(all)).toHaveLength(2);
        const purchase = outsideTests(all);
        expect(purchase).toEqual([
            `events.followup:${lineOf('events.followup', 'event purchase') + 1}:7`,
            `rules.followup:${lineOf('rules.followup', '   and not purchase since sent\n  then send lastChance') + 1}:12`,
            `rules.followup:${lineOf('rules.followup', '   and not purchase since sent\n  then send followup sms') + 1}:12`,
            `rules.followup:${lineOf('rules.followup', '  goal purchase within') + 1}:8`,
        ].sort());
        const shortRuleAll = await references('rules.followup', 'when cartAbandonment_followup_email', 'when c'.length, false);
        expect(inTests(shortRuleAll)).toEqual(occurrences('tests.followup', /(?<=expect )cartAbandonment_followup_email\b/g));
        const shortRule = outsideTests(shortRuleAll);
        expect(shortRule).toEqual([`rules.followup:${lineOf('rules.followup', 'when cartAbandonment_followup_email') + 1}:8`]);
    });
});

describe('rename', () => {
    it('a field: its declaration, conditions, {{ }} in strings and in the .html template files', async () => {
        const edit = await rename('events.followup', 'cartTotal: decimal', 'basketTotal');
        expect(changedFiles(edit)).toEqual([
            'events.followup', 'messages.followup', 'rules.followup',
            'templates/cart-followup.html', 'templates/cart-last-chance.html', 'templates/cart-transactional.html',
            'tests.followup', // the scenario tests' data
        ]);
        expect(Object.values(edit.changes!).flat().every(e => e.newText === 'basketTotal')).toBe(true);
        const { texts, errors } = await checkAfter(edit);
        expect(errors).toEqual([]);
        expect(texts.get('templates/cart-followup.html')).toContain('<strong>{{ basketTotal | money(currency) }}</strong>');
        expect(texts.get('templates/cart-followup.html')).toContain('{{#if basketTotal > 100}}');
        expect(texts.get('rules.followup')).toContain('and basketTotal >= 100');
        expect(texts.get('messages.followup')).not.toContain('cartTotal');
    });

    it('a field from a {{ }} in a template file gives the same edit', async () => {
        const fromTemplate = await rename('templates/cart-followup.html', '<strong>{{ cartTotal', 'basketTotal', '<strong>{{ ca'.length);
        expect(changedFiles(fromTemplate)).toEqual(changedFiles(await rename('events.followup', 'cartTotal: decimal', 'basketTotal')));
    });

    it('an event: `when X`, `message ... for X`, and the derived name a chained trigger uses', async () => {
        const edit = await rename('events.followup', 'event cartAbandonment', 'cartLeft', 'event c'.length);
        expect(changedFiles(edit)).toEqual(['events.followup', 'messages.followup', 'rules.followup', 'tests.followup']);
        const { texts, errors } = await checkAfter(edit);
        expect(errors).toEqual([]);
        // The scenario tests' events and the derived rule name their expectations use.
        expect(texts.get('tests.followup')).toContain('at "2026-11-20T10:00:00Z" cartLeft ana {');
        expect(texts.get('tests.followup')).toContain('expect cartLeft_followup_email not sent for ana because opened');
        expect(texts.get('rules.followup')).toContain('when cartLeft_followup_email sent 4 days ago');
        expect(texts.get('rules.followup')).toContain('when cartLeft sent 3 days ago and not opened then send followup email');
        expect(texts.get('messages.followup')).toContain('message followup for cartLeft sms');
    });

    it('an event used in `not X since sent`', async () => {
        const edit = await rename('rules.followup', 'not purchase since', 'order', 'not p'.length);
        const { texts, errors } = await checkAfter(edit);
        expect(errors).toEqual([]);
        expect(texts.get('events.followup')).toContain('event order {');
        expect(texts.get('rules.followup')!.match(/not order since sent/g)).toHaveLength(2);
    });

    it('a message: its `send` references (that channel only) and the short rule\'s derived name', async () => {
        const edit = await rename('messages.followup', 'message followup for cartAbandonment email', 'reminder', 'message f'.length);
        const { texts, errors } = await checkAfter(edit);
        expect(errors).toEqual([]);
        expect(texts.get('messages.followup')).toContain('message reminder for cartAbandonment email');
        expect(texts.get('messages.followup')).toContain('message followup for cartAbandonment sms');
        expect(texts.get('rules.followup')).toContain('then send reminder email');
        expect(texts.get('rules.followup')).toContain('then send followup sms');
        expect(texts.get('rules.followup')).toContain('when cartAbandonment_reminder_email sent 4 days ago');
    });

    it('a short rule gets the long form with the new name; chained triggers follow', async () => {
        const edit = await rename('rules.followup', 'when cartAbandonment_followup_email', 'firstReminder', 'when c'.length);
        const { texts, errors } = await checkAfter(edit);
        expect(errors).toEqual([]);
        expect(texts.get('rules.followup')).toContain(
            'followup firstReminder {\n  when cartAbandonment sent 3 days ago and not opened then send followup email\n}');
        expect(texts.get('rules.followup')).toContain('when firstReminder sent 4 days ago');
    });

    it('a type and a rule', async () => {
        const type = await checkAfter(await rename('events.followup', 'type CartItem', 'LineItem', 'type C'.length));
        expect(type.errors).toEqual([]);
        expect(type.texts.get('events.followup')).toContain('items: list<LineItem>');
        const rule = await checkAfter(await rename('rules.followup', 'followup bigCartLastChance', 'bigCarts', 'followup b'.length));
        expect(rule.errors).toEqual([]);
        expect(rule.texts.get('rules.followup')).toContain('followup bigCarts {');
    });

    it('prepares: the name under the cursor, also inside {{ }}; not the word `event` of `event.x`', async () => {
        const prepare = (file: string, marker: string, offset: number) =>
            session.connection.sendRequest('textDocument/prepareRename', at(file, marker, offset)).then(r => r as Range, (err: Error) => err.message);
        const text = session.text('messages.followup');
        const inString = positionOf(text, '({{ cartTotal | money(currency) }}) in your cart', '({{ '.length);
        expect(await prepare('messages.followup', '({{ cartTotal | money(currency) }}) in your cart', '({{ cart'.length))
            .toEqual({ start: inString, end: { line: inString.line, character: inString.character + 'cartTotal'.length } });
        const withEventPath = session.text('rules.followup').replace('and cartTotal >= 100', 'and event.cartTotal >= 100');
        await session.change('rules.followup', withEventPath, 2);
        await session.nextDiagnostics(session.uri('rules.followup'));
        const inEdited = (offset: number) => session.connection.sendRequest('textDocument/prepareRename', {
            textDocument: { uri: session.uri('rules.followup') }, position: positionOf(withEventPath, 'event.cartTotal', offset),
        }).then(r => r as Range, (err: Error) => err.message);
        expect(await inEdited('eve'.length)).toMatch(/^'event' stands for the rule's event; rename 'cartAbandonment'/);
        expect(await inEdited('event.cart'.length)).toEqual({
            start: positionOf(withEventPath, 'event.cartTotal', 'event.'.length), end: positionOf(withEventPath, 'event.cartTotal'),
        });
        const onShortRule = positionOf(session.text('rules.followup'), 'when cartAbandonment sent 3 days', 2);
        expect(await session.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri: session.uri('rules.followup') }, position: onShortRule }))
            .toEqual({ range: { start: { ...onShortRule, character: 0 }, end: { ...onShortRule, character: 4 } }, placeholder: 'cartAbandonment_followup_email' });
        await session.change('rules.followup', session.text('rules.followup'), 3);
        await session.nextDiagnostics(session.uri('rules.followup'));
    });

    it('refuses invalid names with an error', async () => {
        const refused = async (file: string, marker: string, name: string, offset = 1) =>
            rename(file, marker, name, offset).then(() => 'accepted', (err: Error) => err.message);
        expect(await refused('events.followup', 'cartTotal: decimal', '2total')).toMatch(/not a name/);
        expect(await refused('events.followup', 'cartTotal: decimal', 'then')).toMatch(/keyword/);
        expect(await refused('events.followup', 'cartTotal: decimal', 'currency')).toMatch(/already is a field 'currency'/);
        expect(await refused('events.followup', 'cartTotal: decimal', 'event')).toMatch(/hide 'event\.' paths/);
        expect(await refused('events.followup', 'event purchase', 'cartAbandonment', 'event p'.length)).toMatch(/already names an event or a rule/);
        expect(await refused('events.followup', 'event purchase', 'bigCartLastChance', 'event p'.length)).toMatch(/already names an event or a rule/);
        expect(await refused('events.followup', 'type CartItem', 'list', 'type C'.length)).toMatch(/keyword/);
        expect(await refused('messages.followup', 'message lastChance', 'transactional', 'message l'.length)).toMatch(/already is a message 'transactional'/);
    });
});

describe('a template file synced by the editor', () => {
    it('gets empty answers, not errors, to the requests an editor sends for every document; .followup files still get theirs', async () => {
        const template = { textDocument: { uri: session.uri('templates/cart-transactional.html') } };
        await session.connection.sendNotification('textDocument/didOpen', {
            textDocument: { ...template.textDocument, languageId: 'html', version: 1, text: session.text('templates/cart-transactional.html') },
        });
        const position = { line: 3, character: 30 };
        const answers = await Promise.all([
            session.connection.sendRequest('textDocument/codeLens', template),
            session.connection.sendRequest('textDocument/documentLink', template),
            session.connection.sendRequest('textDocument/semanticTokens/full', template),
            session.connection.sendRequest('textDocument/semanticTokens/range', { ...template, range: { start: { line: 0, character: 0 }, end: position } }),
            session.connection.sendRequest('textDocument/inlayHint', { ...template, range: { start: { line: 0, character: 0 }, end: position } }),
            session.connection.sendRequest('textDocument/documentSymbol', template),
            session.connection.sendRequest('textDocument/hover', { ...template, position }),
            session.connection.sendRequest('textDocument/completion', { ...template, position }),
        ]);
        expect(answers).toEqual([[], [], { data: [] }, { data: [] }, [], null, null, null]);
        const tokens = await session.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: session.uri('rules.followup') } }) as { data: number[] };
        const lenses = await session.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: session.uri('rules.followup') } }) as unknown[];
        expect(lenses).toHaveLength(8);
        expect(Array.isArray(tokens.data)).toBe(true);
        await session.connection.sendNotification('textDocument/didClose', template);
    });
});

describe('diagnostics', () => {
    it('a template file\'s errors are published for the template file, and follow its edits in the editor', async () => {
        const template = 'templates/cart-last-chance.html';
        const initial = session.diagnostics.get(session.uri(template));
        expect(initial?.at(-1)?.diagnostics).toEqual([]);
        const broken = session.text(template).replace('{{ cartTotal | money(currency) }}', '{{ cartTotl | money(currency) }}');
        const published = session.nextDiagnostics(session.uri(template));
        await session.connection.sendNotification('textDocument/didOpen', {
            textDocument: { uri: session.uri(template), languageId: 'html', version: 1, text: broken },
        });
        const { diagnostics } = await published;
        expect(diagnostics.map(d => [d.code, d.message, d.range.start.line])).toEqual([
            ['FU101', "Unknown field 'cartTotl' on event 'cartAbandonment' (in lastChance for cartAbandonment email, html)", 4],
        ]);
        expect((diagnostics[0]!.data as { hint?: string }).hint).toBe("Did you mean 'cartTotal'?");
        const fixed = session.nextDiagnostics(session.uri(template));
        await session.connection.sendNotification('textDocument/didChange', {
            textDocument: { uri: session.uri(template), version: 2 }, contentChanges: [{ text: session.text(template) }],
        });
        expect((await fixed).diagnostics).toEqual([]);
        // Closed unsaved, the file on disk counts again.
        const brokenAgain = session.nextDiagnostics(session.uri(template));
        await session.connection.sendNotification('textDocument/didChange', {
            textDocument: { uri: session.uri(template), version: 3 }, contentChanges: [{ text: broken }],
        });
        expect((await brokenAgain).diagnostics).toHaveLength(1);
        const closed = session.nextDiagnostics(session.uri(template));
        await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri: session.uri(template) } });
        expect((await closed).diagnostics).toEqual([]);
    });

    it('a duplicate points to the declaration it clashes with (related information)', async () => {
        const events = session.text('events.followup');
        const pending = session.nextDiagnostics(session.uri('events.followup'));
        const withDuplicate = events.replace('  currency: string\n  items:', '  currency: string\n  cartTotal: int\n  items:');
        await session.change('events.followup', withDuplicate, 2);
        let published = await pending;
        while (published.diagnostics.length === 0) published = await session.nextDiagnostics(session.uri('events.followup'));
        const duplicate = published.diagnostics.find(d => d.code === 'FU110')!;
        expect(duplicate.message).toBe("Duplicate field 'cartTotal'");
        expect(duplicate.relatedInformation).toEqual([{
            location: { uri: session.uri('events.followup'), range: nameRange(events, 'cartTotal: decimal', 'cartTotal') },
            message: "'cartTotal' is first declared here",
        }]);

        const messages = session.text('messages.followup');
        const clash = session.nextDiagnostics(session.uri('messages.followup'));
        await session.change('messages.followup', `${messages}\nevent purchase { email: email }\n`, 2);
        let inMessages = await clash;
        while (!inMessages.diagnostics.some(d => d.code === 'FU110')) inMessages = await session.nextDiagnostics(session.uri('messages.followup'));
        const event = inMessages.diagnostics.find(d => d.code === 'FU110')!;
        expect(event.message).toBe("Duplicate event 'purchase'");
        expect(event.relatedInformation?.map(r => [r.location.uri, r.location.range.start.line])).toEqual([
            [session.uri('events.followup'), positionOf(withDuplicate, 'event purchase', 0).line],
        ]);
        await session.change('messages.followup', messages, 3);
        await session.change('events.followup', events, 3);
    });
});

function nameRange(text: string, marker: string, name: string): Range {
    const start = positionOf(text, marker, 0);
    return { start, end: { line: start.line, character: start.character + name.length } };
}
