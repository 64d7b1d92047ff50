// Quick fixes, code lenses and the custom requests over real LSP JSON-RPC (`followup lsp --stdio`
// as a child process): did-you-mean and add-field for unknown fields (in conditions and in `{{ }}`),
// create-missing-message, "Show SQL"/"Preview message" lenses, followup/compiledSql and
// followup/previewMessage (samples/*.json, history.jsonl, or an event made from the schema).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, CodeLens, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { loadProject } from '@followup/language';
import { positionOf, startLspSession, type LspSession } from './support/lsp-session.js';
import { applyTextEdits } from './support/workspace-edits.js';

let session: LspSession;
let version = 10;

beforeAll(async () => {
    session = await startLspSession();
    for (const file of ['events.followup', 'messages.followup', 'rules.followup']) await session.open(file);
    await session.nextDiagnostics(session.uri('rules.followup'));
});

afterAll(async () => {
    await session?.close();
});

/** Puts `text` in the editor for `file` and waits for diagnostics with the given code. */
async function edit(file: string, text: string, code?: string): Promise<Diagnostic[]> {
    if (text === session.text(file)) currentText.delete(file);
    else currentText.set(file, text);
    const pending = session.nextDiagnostics(session.uri(file));
    await session.change(file, text, ++version);
    let published: PublishDiagnosticsParams = await pending;
    while (code ? !published.diagnostics.some(d => d.code === code) : published.diagnostics.length > 0) {
        published = await session.nextDiagnostics(session.uri(file));
    }
    return published.diagnostics;
}

async function codeActions(file: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    return await session.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: session.uri(file) }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
    }) as CodeAction[];
}

/** The texts of the project's files after a code action's edit, and the project's errors then. */
async function afterAction(action: CodeAction): Promise<{ texts: Map<string, string>; errors: string[] }> {
    const copy = fs.mkdtempSync(path.join(path.dirname(session.project), 'fixed-'));
    fs.cpSync(session.project, copy, { recursive: true });
    const texts = new Map<string, string>();
    for (const file of ['events.followup', 'messages.followup', 'rules.followup']) texts.set(file, currentText.get(file) ?? session.text(file));
    for (const [uri, edits] of Object.entries(action.edit?.changes ?? {})) {
        const file = path.relative(session.project, new URL(uri).pathname);
        texts.set(file, applyTextEdits(texts.get(file)!, edits));
    }
    for (const [file, text] of texts) fs.writeFileSync(path.join(copy, file), text);
    const project = await loadProject([copy]);
    return { texts, errors: project.diagnostics.filter(d => d.severity === 'error').map(d => `${d.code} ${d.message}`) };
}

/** The editor's text of the files a test changed; put back after each test. */
const currentText = new Map<string, string>();

async function restore(file: string): Promise<void> {
    await edit(file, session.text(file));
}

afterEach(async () => {
    for (const file of [...currentText.keys()]) await restore(file);
});

describe('quick fixes', () => {
    it('an unknown field in a condition: did you mean, and add the field typed from the comparison', async () => {
        const broken = session.text('rules.followup').replace('and cartTotal >= 100', 'and cartTotl >= 100 and itemCount > 2');
        const diagnostics = await edit('rules.followup', broken, 'FU101');
        const [misspelt, missing] = diagnostics.filter(d => d.code === 'FU101');
        expect(misspelt!.message).toBe("Unknown field 'cartTotl' on event 'cartAbandonment'");

        const fixes = await codeActions('rules.followup', misspelt!);
        expect(fixes.map(a => [a.title, a.kind, a.isPreferred ?? false])).toEqual([
            ["Change to 'cartTotal'", 'quickfix', true],
            ["Add field 'cartTotl: int' to event 'cartAbandonment'", 'quickfix', false],
        ]);
        expect(fixes[0]!.edit!.changes![session.uri('rules.followup')]).toEqual([{ range: misspelt!.range, newText: 'cartTotal' }]);

        const add = (await codeActions('rules.followup', missing!)).find(a => a.title.startsWith('Add field'))!;
        expect(add.title).toBe("Add field 'itemCount: int' to event 'cartAbandonment'");
        const { texts } = await afterAction(add);
        expect(texts.get('events.followup')).toContain('  abandonedAt: timestamp\n  itemCount: int\n}');
    });

    it('a field compared with a decimal, a string or a boolean gets that type', async () => {
        const broken = session.text('rules.followup').replace('and cartTotal >= 100', 'and discount > 0.5 and coupon = "X" and gift = true');
        const diagnostics = (await edit('rules.followup', broken, 'FU101')).filter(d => d.code === 'FU101');
        const titles = await Promise.all(diagnostics.map(async d => (await codeActions('rules.followup', d)).find(a => a.title.startsWith('Add field'))!.title));
        expect(titles).toEqual([
            "Add field 'discount: decimal' to event 'cartAbandonment'",
            "Add field 'coupon: string' to event 'cartAbandonment'",
            "Add field 'gift: boolean' to event 'cartAbandonment'",
        ]);
    });

    it('a nested field goes to its record type (written on one line)', async () => {
        const broken = session.text('messages.followup').replace('{{ item.name }}', '{{ item.colour }}');
        const diagnostic = (await edit('messages.followup', broken, 'FU101')).find(d => d.code === 'FU101')!;
        const add = (await codeActions('messages.followup', diagnostic)).find(a => a.title.startsWith('Add field'))!;
        expect(add.title).toBe("Add field 'colour: string' to type 'CartItem'");
        const { texts, errors } = await afterAction(add);
        expect(texts.get('events.followup')).toContain('type CartItem { sku: string  name: string  price: decimal  quantity: int  colour: string }');
        // The example's scenario tests give their items no colour: the new required field is missing there (FU181), and only there.
        expect(errors.filter(e => !e.startsWith('FU181 Missing a required field of type \'CartItem\': colour'))).toEqual([]);
    });

    it('inside {{ }}: did you mean for a field and a filter, and add the field to the message\'s event', async () => {
        const broken = session.text('messages.followup')
            .replace('subject: "{{ firstName }}, your cart is waiting"', 'subject: "{{ firstNam }}, your cart is waiting"')
            .replace('you left {{ count(items) }} items ({{ cartTotal | money(currency) }})', 'you left {{ count(items) }} items ({{ cartTotal | mony(currency) }})');
        const diagnostics = await edit('messages.followup', broken, 'FU104');
        const field = diagnostics.find(d => d.code === 'FU101')!;
        const filter = diagnostics.find(d => d.code === 'FU104')!;
        const fieldFixes = await codeActions('messages.followup', field);
        expect(fieldFixes.map(a => a.title)).toEqual(["Change to 'firstName'", "Add field 'firstNam: string' to event 'cartAbandonment'"]);
        const filterFixes = await codeActions('messages.followup', filter);
        expect(filterFixes.map(a => a.title)).toEqual(["Change to 'money'"]);
        const { errors, texts } = await afterAction({ ...fieldFixes[0]!, edit: { changes: {
            [session.uri('messages.followup')]: [...fieldFixes[0]!.edit!.changes![session.uri('messages.followup')]!, ...filterFixes[0]!.edit!.changes![session.uri('messages.followup')]!],
        } } });
        expect(errors).toEqual([]);
        expect(texts.get('messages.followup')).toBe(session.text('messages.followup'));
    });

    it('in a template file: did you mean (an edit of the .html) and add the field to the message\'s event', async () => {
        const template = 'templates/cart-last-chance.html';
        const broken = session.text(template).replace('{{ cartTotal | money(currency) }}', '{{ cartTotl | money(currency) }}');
        const published = session.nextDiagnostics(session.uri(template));
        await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: session.uri(template), languageId: 'html', version: 1, text: broken } });
        const diagnostic = (await published).diagnostics[0]!;
        const fixes = await codeActions(template, diagnostic);
        expect(fixes.map(a => a.title)).toEqual(["Change to 'cartTotal'", "Add field 'cartTotl: string' to event 'cartAbandonment'"]);
        expect(applyTextEdits(broken, fixes[0]!.edit!.changes![session.uri(template)]!)).toBe(session.text(template));
        expect(Object.keys(fixes[1]!.edit!.changes!)).toEqual([session.uri('events.followup')]);
        await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri: session.uri(template) } });
    });

    it('an unknown event and a misspelt message: did you mean', async () => {
        const broken = session.text('rules.followup')
            .replace('when cartAbandonment sent 3 days ago and not opened then send followup email', 'when cartAbandonmnt sent 3 days ago and not opened then send followup email')
            .replace('then send lastChance email\n  schedule', 'then send lastChanse email\n  schedule');
        const diagnostics = await edit('rules.followup', broken, 'FU103');
        const event = diagnostics.find(d => d.code === 'FU105')!;
        expect((await codeActions('rules.followup', event)).map(a => a.title)).toEqual(["Change to 'cartAbandonment'"]);
        const message = diagnostics.find(d => d.code === 'FU103')!;
        expect((await codeActions('rules.followup', message)).map(a => a.title)).toEqual([
            "Change to 'lastChance'", "Create message 'lastChanse' for cartAbandonment email",
        ]);
    });

    it('`send` naming a missing message: create it where the event\'s messages live, with a skeleton for the channel', async () => {
        const broken = session.text('rules.followup') + '\nwhen cartAbandonment sent 2 days ago then send nudge sms\nwhen cartAbandonment sent 5 days ago then send transactional sms\n';
        const diagnostics = await edit('rules.followup', broken, 'FU120');
        const unknown = diagnostics.find(d => d.code === 'FU103')!;
        expect(unknown.message).toBe("Unknown message 'nudge'");
        const create = (await codeActions('rules.followup', unknown)).find(a => a.title.startsWith('Create'))!;
        expect(create.title).toBe("Create message 'nudge' for cartAbandonment sms");
        expect(Object.keys(create.edit!.changes!)).toEqual([session.uri('messages.followup')]);

        const other = diagnostics.find(d => d.code === 'FU120')!;
        expect(other.message).toBe("No message 'transactional' for event 'cartAbandonment' on channel sms (there is one for cartAbandonment email)");
        const createSms = (await codeActions('rules.followup', other)).find(a => a.title.startsWith('Create'))!;
        expect(createSms.title).toBe("Create message 'transactional' for cartAbandonment sms");

        const both = { title: 'both', edit: { changes: { [session.uri('messages.followup')]: [
            ...create.edit!.changes![session.uri('messages.followup')]!, ...createSms.edit!.changes![session.uri('messages.followup')]!,
        ] } } };
        const { texts, errors } = await afterAction(both);
        expect(errors).toEqual([]);
        expect(texts.get('messages.followup')).toContain('\nmessage nudge for cartAbandonment sms {\n  text: "TODO: text"\n}\n');
        expect(texts.get('messages.followup')).toContain('message transactional for cartAbandonment sms {\n  text: "TODO: text"\n}\n');
        expect(texts.get('messages.followup')!.startsWith(session.text('messages.followup'))).toBe(true);
    });
});

describe('code lenses and custom requests', () => {
    it('every rule has "Show SQL" and "Preview message" lenses with [uri, rule name]', async () => {
        const lenses = await session.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: session.uri('rules.followup') } }) as CodeLens[];
        const uri = session.uri('rules.followup');
        const text = session.text('rules.followup');
        const line = (marker: string) => positionOf(text, marker, 0).line;
        expect(lenses.map(l => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments])).toEqual([
            [line('when cartAbandonment sent 3'), 'Show SQL', 'followup.showCompiledSql', [uri, 'cartAbandonment_followup_email']],
            [line('when cartAbandonment sent 3'), 'Preview message', 'followup.previewMessage', [uri, 'cartAbandonment_followup_email']],
            [line('followup cartReminderChase'), 'Show SQL', 'followup.showCompiledSql', [uri, 'cartReminderChase']],
            [line('followup cartReminderChase'), 'Preview message', 'followup.previewMessage', [uri, 'cartReminderChase']],
            [line('followup bigCartLastChance'), 'Show SQL', 'followup.showCompiledSql', [uri, 'bigCartLastChance']],
            [line('followup bigCartLastChance'), 'Preview message', 'followup.previewMessage', [uri, 'bigCartLastChance']],
            [line('followup loyalOpenedNoPurchase'), 'Show SQL', 'followup.showCompiledSql', [uri, 'loyalOpenedNoPurchase']],
            [line('followup loyalOpenedNoPurchase'), 'Preview message', 'followup.previewMessage', [uri, 'loyalOpenedNoPurchase']],
        ]);
    });

    it('followup/compiledSql: the rule\'s formatted selection, as `followup compile` writes it', async () => {
        const result = await session.connection.sendRequest('followup/compiledSql', { uri: session.uri('rules.followup'), rule: 'bigCartLastChance' }) as { rule: string; sql: string };
        expect(result.rule).toBe('bigCartLastChance');
        expect(result.sql).toMatch(/^-- followup rule bigCartLastChance \(rules\.followup:\d+\)\n/);
        expect(result.sql).toContain("--   $4 value (numeric) = 100");
        expect(result.sql).toContain("(e.payload ->> 'cartTotal')::numeric");
        expect(result.sql).toContain('END >= $4::numeric');
        expect(result.sql).toContain("(e.payload ->> 'currency') = ANY ($5::TEXT[])");
        expect(result.sql).toContain("t.kind IN ('open', 'click')");
        expect(result.sql).toContain('s.type = $6::text');
        // A short rule by its derived name
        const short = await session.connection.sendRequest('followup/compiledSql', { uri: session.uri('rules.followup'), rule: 'cartAbandonment_followup_email' }) as { sql: string };
        expect(short.sql).toMatch(/^-- followup rule cartAbandonment_followup_email /);
    });

    it('followup/compiledSql refuses an unknown rule and a project with errors, saying why', async () => {
        await expect(session.connection.sendRequest('followup/compiledSql', { uri: session.uri('rules.followup'), rule: 'nope' }))
            .rejects.toThrow("No rule 'nope' in the project (rules: cartAbandonment_followup_email, cartReminderChase, bigCartLastChance, loyalOpenedNoPurchase)");
        const broken = session.text('rules.followup').replace('and cartTotal >= 100', 'and cartTotl >= 100');
        await edit('rules.followup', broken, 'FU101');
        await expect(session.connection.sendRequest('followup/compiledSql', { uri: session.uri('rules.followup'), rule: 'bigCartLastChance' }))
            .rejects.toThrow(/^Cannot compile rule 'bigCartLastChance': the project has 1 error\(s\): rules\.followup:\d+:\d+ Unknown field 'cartTotl'/);
    });

    it('answers right after initialize, before any document is opened (the project is checked for the request)', async () => {
        const fresh = await startLspSession();
        try {
            const [sql, shown] = await Promise.all([
                fresh.connection.sendRequest('followup/compiledSql', { uri: fresh.uri('rules.followup'), rule: 'cartReminderChase' }) as Promise<{ sql: string }>,
                fresh.connection.sendRequest('followup/previewMessage', { uri: fresh.uri('rules.followup'), rule: 'cartReminderChase' }) as Promise<{ subject: string }>,
            ]);
            expect(sql.sql).toMatch(/^-- followup rule cartReminderChase /);
            expect(shown.subject).toBe('Last chance, Milan: your cart expires soon');
        } finally {
            await fresh.close();
        }
    });

    type Preview = { channel: string; subject?: string; html?: string; text?: string; sample: { source: string; data: Record<string, unknown> } };
    const preview = (params: object) => session.connection.sendRequest('followup/previewMessage', { uri: session.uri('rules.followup'), ...params }) as Promise<Preview>;

    it('followup/previewMessage renders the rule\'s message for the first event of history.jsonl', async () => {
        const result = await preview({ rule: 'cartAbandonment_followup_email' });
        expect(result.channel).toBe('email');
        expect(result.sample.source).toBe('history.jsonl (event cart-001)');
        expect(result.sample.data).toMatchObject({ firstName: 'Milan', cartTotal: 168 });
        expect(result.subject).toBe('Milan, your cart is waiting');
        expect(result.html).toContain('<h1>Milan, your cart is waiting</h1>');
        expect(result.html).toContain('<td>Rain jacket</td><td>€149.00</td>');
        expect(result.html).toContain('<strong>€168.00</strong>');
        expect(result.text).toContain('you left 2 items (€168.00) in your cart:');
        const sms = await preview({ message: { name: 'followup', event: 'cartAbandonment', channel: 'sms' } });
        expect(sms).toMatchObject({ channel: 'sms', text: 'Milan, your cart: https://shop.example/cart/c001-ghoj' });
        expect(sms.subject).toBeUndefined();
    });

    it('a samples/*.json next to the project wins (bare data or { "<event>": {...} }); its values are escaped in html', async () => {
        fs.mkdirSync(path.join(session.project, 'samples'));
        fs.writeFileSync(path.join(session.project, 'samples/a-purchase.json'), JSON.stringify({ purchase: { email: 'x@example.com' } }));
        fs.writeFileSync(path.join(session.project, 'samples/b-cart.json'), JSON.stringify({
            cartAbandonment: {
                customerId: 'c9', email: 'zoe@example.com', firstName: 'Zoé <b>', cartTotal: 42.5, currency: 'EUR', loyaltyMember: true,
                items: [{ sku: 'S1', name: 'Scarf', price: 42.5, quantity: 1 }], cartUrl: 'https://shop.example/cart/c9', abandonedAt: '2026-11-20T10:00:00Z',
            },
        }));
        const result = await preview({ rule: 'bigCartLastChance' });
        expect(result.sample.source).toBe('samples/b-cart.json');
        expect(result.subject).toBe('Last chance, Zoé <b>: your cart expires soon');
        expect(result.html).toContain('<h1>Last chance, Zoé &lt;b&gt;</h1>');
        expect(result.html).toContain('As a loyalty member, shipping is on us.');
        fs.rmSync(path.join(session.project, 'samples'), { recursive: true });
    });

    it('says when the sample does not match the event (missing and unknown fields), lists the other samples, and previews the one picked', async () => {
        type Checked = Preview & { sample: { ref: string; warning?: string; missing: string[]; unknown: string[]; editFile: string; repaired: Record<string, unknown> } };
        const history = fs.readFileSync(path.join(session.project, 'history.jsonl'), 'utf8').split('\n').map(l => l && JSON.parse(l));
        const cart = history.find(r => r && r.kind === 'event' && r.type === 'cartAbandonment')!.data as Record<string, unknown>;
        // A sample written before `givenName` was renamed to `firstName`.
        const { firstName, ...rest } = cart;
        fs.mkdirSync(path.join(session.project, 'samples'));
        fs.writeFileSync(path.join(session.project, 'samples/old-cart.json'), JSON.stringify({ cartAbandonment: { ...rest, givenName: firstName } }));
        try {
            const stale = await preview({ rule: 'cartAbandonment_followup_email' }) as Checked;
            expect(stale.sample.ref).toBe('samples/old-cart.json');
            expect(stale.sample.missing).toEqual(['firstName']);
            expect(stale.sample.unknown).toEqual(['givenName']);
            expect(stale.sample.warning).toBe("The sample samples/old-cart.json does not match event 'cartAbandonment': missing firstName; unknown givenName. "
                + 'Its values render empty: pick another sample or edit one.');
            expect(stale.subject).toBe(', your cart is waiting');
            expect(stale.sample.editFile).toBe(path.join(session.project, 'samples', 'cartAbandonment.json'));
            expect(stale.sample.repaired).toMatchObject({ firstName: 'Ada', cartTotal: cart['cartTotal'] });
            expect(stale.sample.repaired).not.toHaveProperty('givenName');

            const listed = await session.connection.sendRequest('followup/listSamples', { uri: session.uri('rules.followup'), rule: 'cartAbandonment_followup_email' }) as
                { event: string; samples: Array<{ ref: string; label: string; description: string }> };
            expect(listed.event).toBe('cartAbandonment');
            expect(listed.samples[0]).toEqual({ ref: 'samples/old-cart.json', label: 'samples/old-cart.json', description: 'missing firstName; unknown givenName' });
            expect(listed.samples[1]).toEqual({ ref: 'history.jsonl#cart-001', label: 'history.jsonl (event cart-001)', description: 'matches the schema' });
            expect(listed.samples.at(-1)!.ref).toBe('schema');

            const picked = await preview({ rule: 'cartAbandonment_followup_email', sample: 'history.jsonl#cart-002' }) as Checked;
            expect(picked.sample.source).toBe('history.jsonl (event cart-002)');
            expect(picked.sample.warning).toBeUndefined();
            expect(picked.subject).toMatch(/^\S+, your cart is waiting$/);
            expect((await preview({ rule: 'cartAbandonment_followup_email', sample: 'schema' })).subject).toBe('Ada, your cart is waiting');
            await expect(preview({ rule: 'cartAbandonment_followup_email', sample: 'history.jsonl#nope' }))
                .rejects.toThrow("No 'cartAbandonment' event with id 'nope' in history.jsonl");
        } finally {
            fs.rmSync(path.join(session.project, 'samples'), { recursive: true });
        }
    });

    it('without samples or history, an event made from the schema, and `source` says so', async () => {
        fs.renameSync(path.join(session.project, 'history.jsonl'), path.join(session.project, 'history.jsonl.off'));
        try {
            const result = await preview({ rule: 'loyalOpenedNoPurchase' });
            expect(result.sample.source).toMatch(/^synthesised from the schema of event 'cartAbandonment'/);
            expect(result.sample.data).toMatchObject({ firstName: 'Ada', currency: 'EUR', cartUrl: 'https://example.com/cartUrl' });
            expect(result).toMatchObject({ channel: 'sms', text: 'Ada, your cart: https://example.com/cartUrl' });
        } finally {
            fs.renameSync(path.join(session.project, 'history.jsonl.off'), path.join(session.project, 'history.jsonl'));
        }
    });

    it('followup/previewMessage refuses an unknown message and a message with template errors', async () => {
        await expect(preview({ message: { name: 'nope', event: 'cartAbandonment', channel: 'email' } }))
            .rejects.toThrow("No message 'nope' for cartAbandonment email in the project");
        const broken = session.text('messages.followup').replace('message lastChance for cartAbandonment email {\n  subject: "Last chance, {{ firstName }}', 'message lastChance for cartAbandonment email {\n  subject: "Last chance, {{ firstNam }}');
        await edit('messages.followup', broken, 'FU101');
        await expect(preview({ rule: 'bigCartLastChance' })).rejects.toThrow(/^Cannot preview message 'lastChance': it has 1 error\(s\): messages\.followup:\d+:\d+ Unknown field 'firstNam'/);
        // Another message's preview is not blocked by it.
        expect((await preview({ rule: 'cartAbandonment_followup_email' })).subject).toBe('Milan, your cart is waiting');
    });
});
