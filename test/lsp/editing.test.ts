// The editing features over real LSP JSON-RPC (`followup lsp --stdio`, built binary): completion in
// the places that matter, semantic tokens, the outline, folding ranges and formatting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
    CompletionItem, CompletionList, DocumentSymbol, FoldingRange, SemanticTokens, SemanticTokensLegend, TextEdit,
} from 'vscode-languageserver-protocol/node.js';
import { applyTextEdits, positionOf, startLspSession, type LspSession } from './support/lsp-session.js';

let session: LspSession;
let probeVersion = 0;

beforeAll(async () => {
    session = await startLspSession('cart-abandonment');
    for (const file of ['events.followup', 'messages.followup', 'rules.followup']) await session.open(file);
});

afterAll(async () => {
    await session?.close();
});

const cursor = '‸';

/** Puts `text` (with a ‸) in an open, unsaved `probe.followup` of the project and asks for completion at the ‸. */
async function completeAt(textWithCursor: string): Promise<CompletionItem[]> {
    const text = textWithCursor.replace(cursor, '');
    if (probeVersion === 0) {
        // A file that is not on disk exists for the server once it has built it, as by the time an editor's user types.
        const built = session.nextDiagnostics(session.uri('probe.followup'));
        await session.open('probe.followup', text);
        await built;
    } else await session.change('probe.followup', text, probeVersion + 1);
    probeVersion++;
    const result = await session.connection.sendRequest('textDocument/completion', {
        textDocument: { uri: session.uri('probe.followup') }, position: positionOf(textWithCursor, cursor, 0),
    }) as CompletionList | CompletionItem[] | null;
    return Array.isArray(result) ? result : result?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map(i => i.label);
const details = (items: CompletionItem[]) => items.map(i => `${i.label}: ${i.detail}`);

describe('completion over LSP', () => {
    it('after `when`: the events, and the rules one may chain on', async () => {
        const items = await completeAt('when ‸');
        expect(labels(items)).toEqual(expect.arrayContaining(['cartAbandonment', 'purchase', 'cartAbandonment_followup_email', 'cartReminderChase']));
        expect(details(items)).toContain('cartAbandonment: event');
    });

    it('in a condition: the rule event\'s fields with their types', async () => {
        const items = await completeAt('when cartAbandonment sent 2 days ago and ‸');
        expect(details(items)).toEqual(expect.arrayContaining([
            'customerId: string', 'email: email', 'phone: phone?', 'cartTotal: decimal', 'items: list<CartItem>', 'loyaltyMember: boolean', 'abandonedAt: timestamp',
        ]));
        expect(labels(items)).not.toContain('orderId');
        expect(details(await completeAt('when cartAbandonment sent 2 days ago and items[0].‸'))).toEqual([
            'sku: string', 'name: string', 'price: decimal', 'quantity: int',
        ]);
    });

    it('after `send`: only that event\'s messages for the channel written after', async () => {
        expect(details(await completeAt('when cartAbandonment sent 2 days ago then send ‸ sms'))).toEqual([
            'followup: message followup for cartAbandonment sms',
        ]);
        expect(labels(await completeAt('when cartAbandonment sent 2 days ago then send ‸ email'))).toEqual(['transactional', 'followup', 'lastChance']);
        expect(await completeAt('when purchase sent 2 days ago then send ‸ email')).toEqual([]);
        expect(labels(await completeAt('when cartAbandonment sent 2 days ago then send followup ‸'))).toEqual(['email', 'sms']);
    });

    it('inside {{ }}: the fields, and after `item.` in an each-loop the element\'s fields', async () => {
        const message = (body: string) => `message probe for cartAbandonment email {\n  text: """\n    ${body}\n  """\n}\n`;
        expect(details(await completeAt(message('Hi {{ ‸ }}')))).toEqual(expect.arrayContaining(['firstName: string', 'cartTotal: decimal', 'items: list<CartItem>']));
        expect(details(await completeAt(message('{{#each items as item}}- {{ item.‸ }}{{/each}}')))).toEqual([
            'sku: string', 'name: string', 'price: decimal', 'quantity: int',
        ]);
        expect(labels(await completeAt(message('{{#each items as item}}- {{ ‸ }}{{/each}}')))).toContain('item');
    });

    it('after `|`: the filters valid for the value\'s type', async () => {
        const subject = (tag: string) => `message probe for cartAbandonment email { subject: "${tag}" }\n`;
        const decimal = labels(await completeAt(subject('{{ cartTotal | ‸ }}')));
        expect(decimal).toEqual(['default', 'money', 'raw']);
        const text = labels(await completeAt(subject('{{ firstName | ‸ }}')));
        expect(text).toEqual(expect.arrayContaining(['upper', 'lower', 'trim', 'truncate', 'default']));
        expect(text).not.toContain('money');
        expect(labels(await completeAt(subject('{{ abandonedAt | ‸ }}')))).toContain('date');
    });

    it('a time zone inside `in "..."`', async () => {
        const items = await completeAt('followup probe {\n  when cartAbandonment sent 2 days ago then send followup email\n  schedule every day at 09:00 in "Europe/‸"\n}\n');
        expect(labels(items)).toEqual(expect.arrayContaining(['Europe/Paris', 'Europe/Berlin', 'UTC', 'America/New_York']));
    });
});

describe('semantic tokens, outline and folding over LSP', () => {
    it('returns semantic tokens for a file, with the server\'s legend', async () => {
        const legend = session.capabilities.semanticTokensProvider?.legend;
        expect(legend?.tokenTypes).toContain('class');
        const tokens = await session.connection.sendRequest('textDocument/semanticTokens/full', {
            textDocument: { uri: session.uri('rules.followup') },
        }) as SemanticTokens;
        expect(tokens.data.length % 5).toBe(0);
        const decoded = decodeTokens(session.text('rules.followup'), tokens.data, legend!);
        expect(decoded).toEqual(expect.arrayContaining([
            'cartAbandonment:class', 'followup:function', 'email:enumMember', '3:number', 'days:number',
            'cartReminderChase:method', 'cartTotal:property', 'when:keyword', 'sms:enumMember',
        ]));
    });

    it('returns the outline of a file', async () => {
        const symbols = await session.connection.sendRequest('textDocument/documentSymbol', {
            textDocument: { uri: session.uri('messages.followup') },
        }) as DocumentSymbol[];
        expect(symbols.map(s => s.name)).toEqual([
            'transactional for cartAbandonment email', 'followup for cartAbandonment email', 'followup for cartAbandonment sms', 'lastChance for cartAbandonment email',
        ]);
        const events = await session.connection.sendRequest('textDocument/documentSymbol', {
            textDocument: { uri: session.uri('events.followup') },
        }) as DocumentSymbol[];
        expect(events.map(s => s.name)).toEqual(['cartAbandonment', 'purchase', 'CartItem']);
        expect(events[0]!.children!.map(c => `${c.name}: ${c.detail}`)).toContain('cartTotal: decimal');
    });

    it('returns folding ranges for blocks and """ strings', async () => {
        const ranges = await session.connection.sendRequest('textDocument/foldingRange', {
            textDocument: { uri: session.uri('messages.followup') },
        }) as FoldingRange[];
        expect(ranges.map(r => `${r.startLine}-${r.endLine}`)).toEqual(['2-9', '5-8', '12-22', '15-21', '27-34', '30-33']);
    });
});

describe('formatting over LSP', () => {
    it('turns a badly formatted file into the canonical text', async () => {
        const bad = [
            'followup   probeChase {when cartAbandonment sent 3 days ago and cartTotal>3',
            'and not opened   // aligned on purpose',
            ' then send lastChance email expire 2 days}',
            'message probeNote for cartAbandonment sms {text:"{{ firstName }}"   }',
        ].join('\n');
        await session.change('probe.followup', bad, ++probeVersion + 100);
        const edits = await session.connection.sendRequest('textDocument/formatting', {
            textDocument: { uri: session.uri('probe.followup') }, options: { tabSize: 2, insertSpaces: true },
        }) as TextEdit[];
        expect(applyTextEdits(bad, edits)).toBe([
            'followup probeChase {',
            '  when cartAbandonment sent 3 days ago and cartTotal > 3',
            '   and not opened   // aligned on purpose',
            '  then send lastChance email',
            '  expire 2 days',
            '}',
            'message probeNote for cartAbandonment sms { text: "{{ firstName }}" }',
            '',
        ].join('\n'));
    });
});

/** Semantic tokens as `text:type` pairs, with the legend the server announced. */
function decodeTokens(text: string, data: number[], legend: SemanticTokensLegend): string[] {
    const types = legend.tokenTypes;
    const lines = text.split('\n');
    const out: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
        line += data[i]!;
        char = data[i] === 0 ? char + data[i + 1]! : data[i + 1]!;
        out.push(`${lines[line]!.slice(char, char + data[i + 2]!)}:${types[data[i + 3]!]}`);
    }
    return out;
}
