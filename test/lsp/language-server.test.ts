// The language server as an editor sees it: a child process speaking LSP JSON-RPC over stdio
// (the built binary: `npm test` builds first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, Location } from 'vscode-languageserver-protocol/node.js';
import { startLspSession, type LspSession } from './support/lsp-session.js';

let session: LspSession;
const uri = (file: string) => session.uri(file);
const nextDiagnostics = (fileUri: string) => session.nextDiagnostics(fileUri);

beforeAll(async () => {
    session = await startLspSession('cart-abandonment');
});

afterAll(async () => {
    await session?.close();
});

const rulesText = () => session.text('rules.followup');

describe('followup lsp --stdio', () => {
    it('publishes the checker\'s diagnostics for a broken edit, and clears them when fixed', async () => {
        const broken = rulesText().replace('and not opened then send followup email', 'and not opened and cartTotl > 3 then send followup email');
        const pending = nextDiagnostics(uri('rules.followup'));
        await session.open('rules.followup', broken);
        let published = await pending;
        while (published.diagnostics.length === 0) published = await nextDiagnostics(uri('rules.followup'));
        expect(published.diagnostics.map(d => [d.code, d.message, d.range.start.line, d.range.start.character])).toEqual([
            ['FU101', "Unknown field 'cartTotl' on event 'cartAbandonment'", 1, 56],
        ]);
        const fixed = nextDiagnostics(uri('rules.followup'));
        await session.change('rules.followup', rulesText(), 2);
        expect((await fixed).diagnostics).toEqual([]);
    });

    it('completes event names after `when`', async () => {
        const text = rulesText();
        const line = text.split('\n').findIndex(l => l.startsWith('when cartAbandonment sent 3 days'));
        const result = await session.connection.sendRequest('textDocument/completion', {
            textDocument: { uri: uri('rules.followup') }, position: { line, character: 'when '.length },
        }) as CompletionList | CompletionItem[];
        const items = Array.isArray(result) ? result : result.items;
        expect(items.map(i => i.label)).toContain('cartAbandonment');
    });

    it('goes to the definition of an event in another file', async () => {
        const text = rulesText();
        const line = text.split('\n').findIndex(l => l.startsWith('when cartAbandonment sent 3 days'));
        const result = await session.connection.sendRequest('textDocument/definition', {
            textDocument: { uri: uri('rules.followup') }, position: { line, character: 'when cartAb'.length },
        }) as Location[] | Location;
        const locations = (Array.isArray(result) ? result : [result]).map(l => ('targetUri' in l ? (l as unknown as { targetUri: string }).targetUri : l.uri));
        expect(locations).toEqual([uri('events.followup')]);
    });

    async function hoverAt(file: string, linePrefix: string, column: number): Promise<string> {
        const lines = session.text(file).split('\n');
        const line = lines.findIndex(l => l.startsWith(linePrefix));
        const hover = await session.connection.sendRequest('textDocument/hover', {
            textDocument: { uri: uri(file) }, position: { line, character: column },
        }) as { contents: { value: string } } | null;
        return hover?.contents.value ?? '';
    }

    it('hovers: an event shows its fields, a field its type and owner, a rule its window in words', async () => {
        const event = await hoverAt('rules.followup', 'when cartAbandonment sent 3 days', 'when cartAb'.length);
        expect(event).toContain('**event cartAbandonment**');
        expect(event).toContain('cartTotal: decimal');
        expect(event).toContain('phone: phone?');
        const field = await hoverAt('rules.followup', '   and cartTotal >= 100', '   and cart'.length);
        expect(field).toBe('**cartTotal**: `decimal` — field of event `cartAbandonment`');
        const rule = await hoverAt('rules.followup', 'followup bigCartLastChance', 'followup bigCart'.length);
        expect(rule).toContain('**rule bigCartLastChance**');
        expect(rule).toContain('Runs every 1 day at 09:00 in Europe/Paris; each run selects deliveries sent between 8 days and 7 days before it');
        expect(rule).toContain('Project policy: at most 1 follow-up of any rule on email per recipient in any 1 day (queued or sent); more are recorded as capped, never sent.');
        expect(rule).not.toContain('quiet hours'); // the policy's quiet hours are for sms
        const sms = await hoverAt('rules.followup', 'followup loyalOpenedNoPurchase', 'followup loyal'.length);
        expect(sms).toContain("Project policy, quiet hours: follow-ups decided between 21:00 and 09:00 (in the recipient's `timezone` when the event or profile holds a valid one, else Europe/Paris) are held until 09:00, then checked again before sending.");
    });

    it('hovers the words of caps, quiet hours and engagement', async () => {
        const person = await hoverAt('rules.followup', '   and opened by a person', '   and opened by a pers'.length);
        expect(person).toMatch(/^\*\*opened by a person\*\*: an open that is not a machine's, or a click/);
        const opened = await hoverAt('rules.followup', '   and not opened and not clicked', '   and not ope'.length);
        expect(opened).toContain('Machine opens by mail privacy proxies count too: write `opened by a person` to leave them out.');
        const limit = await hoverAt('rules.followup', '  limit 1 per recipient per 1 day', '  lim'.length);
        expect(limit).toBe('**limit** (every rule, on each channel): at most 1 follow-up of all those rules together per recipient in any 1 day (queued or sent); more are recorded as capped, never sent. ' +
            'The recipient is the address as compared everywhere (emails trimmed and lower-cased); transactional messages never count.');
        const quiet = await hoverAt('rules.followup', '  quiet hours 21:00', '  quiet hours 21:'.length);
        expect(quiet).toMatch(/^\*\*quiet hours\*\* \(every rule on sms\): follow-ups decided between 21:00 and 09:00/);
        expect(await hoverAt('rules.followup', 'policy {', 'pol'.length)).toMatch(/^\*\*policy\*\*: project-wide limits and quiet hours/);
    });
});
