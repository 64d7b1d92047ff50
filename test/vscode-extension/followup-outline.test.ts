// The commands find "the rule at the cursor" from the text alone; these tests hold that reading
// against the language package's parser and name provider on every example file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMessage, isRule, loadProject } from '@followup/language';
import { declarationAt, readOutline } from '../../vscode-extension/src/followup-outline.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

describe('readOutline', () => {
    for (const example of ['cart-abandonment', 'order-shipped']) {
        it(`finds the rules and messages the parser finds, with their names and starts (${example})`, async () => {
            const project = await loadProject([path.join(repoRoot, 'examples', example)]);
            const nameProvider = project.services.references.NameProvider;
            let found = 0;
            for (const document of project.documents) {
                const declarations = document.parseResult.value.declarations;
                const outline = readOutline(document.textDocument.getText());
                found += outline.rules.length + outline.messages.length;
                expect(outline.rules.map(r => ({ name: r.name, start: r.start }))).toEqual(declarations.filter(isRule).map(rule => ({
                    name: nameProvider.getName(rule), start: rule.$cstNode!.offset,
                })));
                expect(outline.messages.map(m => ({ name: m.name, event: m.event, channel: m.channel, start: m.start, end: m.end })))
                    .toEqual(declarations.filter(isMessage).map(message => ({
                        name: message.name, event: message.event.$refText, channel: message.channel,
                        start: message.$cstNode!.offset, end: message.$cstNode!.end,
                    })));
            }
            expect(found).toBeGreaterThan(4);
        });
    }

    it('ignores rule-like text in comments, strings and other blocks, and keeps backtick names plain', () => {
        const text = [
            '// when fake sent 1 day ago then send nope email',
            '/* followup ghost { } */',
            'message followup for cart email { subject: "when x sent 1 day ago then send y email" text: """ followup z { """ }',
            'event cart { key id  id: string  `type`: string }',
            'when `cart` sent 3 days ago and not opened then send followup email to billingEmail',
            'followup second { when cart sent 2 days ago then send followup email }',
        ].join('\n');
        const outline = readOutline(text);
        expect(outline.rules.map(r => r.name)).toEqual(['cart_followup_email', 'second']);
        expect(outline.messages).toMatchObject([{ name: 'followup', event: 'cart', channel: 'email' }]);
        const short = outline.rules[0]!;
        expect(text.slice(short.start, short.end)).toBe('when `cart` sent 3 days ago and not opened then send followup email to billingEmail');
    });

    it('finds the declaration at a cursor, its last character included', () => {
        const text = fs.readFileSync(path.join(repoRoot, 'examples/cart-abandonment/rules.followup'), 'utf8');
        const outline = readOutline(text);
        expect(declarationAt(outline.rules, text.indexOf('not purchase since sent'))?.name).toBe('bigCartLastChance');
        expect(declarationAt(outline.rules, text.indexOf('followup email') + 'followup email'.length)?.name).toBe('cartAbandonment_followup_email');
        expect(declarationAt(outline.rules, text.indexOf('// A second nudge'))).toBeUndefined();
    });

    it('does not loop or throw on unfinished text', () => {
        for (const text of ['when', 'when cart sent', 'followup x {', 'message m for e email {', '"unclosed', '/* open', 'when a sent 1 day ago then send']) {
            expect(() => readOutline(text)).not.toThrow();
        }
        expect(readOutline('followup x { when a sent 1 day ago then send m email').rules.map(r => r.name)).toEqual(['x']);
    });
});
