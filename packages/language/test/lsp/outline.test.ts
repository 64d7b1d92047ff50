// The outline (document symbols) and folding ranges of the example project's files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { Followup, withDocuments } from './documents.js';

const example = path.resolve(import.meta.dirname, '../../../../examples');
const files = (name: string, list: string[]) => Object.fromEntries(list.map(f => [f, fs.readFileSync(path.join(example, name, f), 'utf8')]));
const cart = files('cart-abandonment', ['events.followup', 'messages.followup', 'rules.followup']);
const shipped = files('order-shipped', ['events.followup', 'messages.followup', 'profile.followup', 'rules.followup']);

async function each<T>(set: Record<string, string>, file: string, use: (document: LangiumDocument) => Promise<T>): Promise<T> {
    return withDocuments(set, async () => use(Followup.shared.workspace.LangiumDocuments.all.find(d => d.uri.path.endsWith(`/${file}`))!));
}

const symbols = (set: Record<string, string>, file: string) => each(set, file, async d => Followup.lsp.DocumentSymbolProvider!.getSymbols(d, { textDocument: { uri: d.uri.toString() } }) as Promise<DocumentSymbol[]>);
const kindName = new Map(Object.entries(SymbolKind).map(([name, value]) => [value as number, name]));
const outline = (list: DocumentSymbol[]): string[] => list.map(s => `${s.name} (${kindName.get(s.kind)}: ${s.detail})${s.children?.length ? ` [${s.children.map(c => `${c.name}: ${c.detail}`).join(', ')}]` : ''}`);

describe('outline', () => {
    it('lists events with their fields and types, and record types', async () => {
        expect(outline(await symbols(cart, 'events.followup'))).toEqual([
            'cartAbandonment (Event: event) [customerId: string, email: email, phone: phone?, firstName: string, cartTotal: decimal, currency: string, ' +
                'items: list<CartItem>, cartUrl: url, loyaltyMember: boolean, abandonedAt: timestamp]',
            'purchase (Event: event) [customerId: string, email: email, orderId: string, total: decimal, currency: string]',
            'CartItem (Struct: type) [sku: string, name: string, price: decimal, quantity: int]',
        ]);
        expect(outline(await symbols(shipped, 'profile.followup'))).toEqual([
            'profile (Object: profile) [customerId: string, email: email, firstName: string, country: string, emailOptIn: boolean]',
        ]);
    });

    it('names messages `name for event channel`, and rules by their (derived) names', async () => {
        expect(outline(await symbols(cart, 'messages.followup'))).toEqual([
            'transactional for cartAbandonment email (String: subject, html, text)',
            'followup for cartAbandonment email (String: subject, html, text)',
            'followup for cartAbandonment sms (String: text)',
            'lastChance for cartAbandonment email (String: subject, html, text)',
        ]);
        expect(outline(await symbols(cart, 'rules.followup'))).toEqual([
            'cartAbandonment_followup_email (Function: cartAbandonment sent 3 days ago → followup email)',
            'cartReminderChase (Function: cartAbandonment_followup_email sent 4 days ago → lastChance email)',
            'bigCartLastChance (Function: cartAbandonment sent 7 days ago → lastChance email)',
            'loyalOpenedNoPurchase (Function: cartAbandonment sent 1 day ago → followup sms)',
            'policy (Namespace: limit 1, quiet hours on sms)',
        ]);
    });
});

describe('folding', () => {
    const folds = (set: Record<string, string>, file: string) => each(set, file, async d =>
        (await Followup.lsp.FoldingRangeProvider!.getFoldingRanges(d, { textDocument: { uri: d.uri.toString() } })).map(f => `${f.startLine}-${f.endLine}${f.kind ? ` ${f.kind}` : ''}`));

    it('folds blocks (keeping `}` visible) and `"""` strings (keeping the closing quotes visible), not single-line blocks', async () => {
        expect(await folds(cart, 'events.followup')).toEqual(['2-13', '16-22']);
        expect(await folds(cart, 'messages.followup')).toEqual(['2-9', '5-8', '12-22', '15-21', '27-34', '30-33']);
        expect(await folds(cart, 'rules.followup')).toEqual(['4-7', '13-22', '27-33', '37-39', '10-12 comment']);
    });

    it('folds runs of three or more comment lines', async () => {
        expect(await folds(shipped, 'rules.followup')).toEqual(['3-10', '14-20', '0-2 comment']);
    });
});
