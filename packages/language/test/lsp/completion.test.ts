// Completion that knows where it is, asked of the completion provider directly (the LSP wire is
// covered by test/lsp/editing.test.ts).
import { describe, expect, it } from 'vitest';
import { schema } from '../support/project.js';
import { completionAt, labels, withDetails } from './documents.js';

const rule = (text: string) => completionAt({ 'schema.followup': schema, 'rules.followup': text });
const template = (body: string) => completionAt({
    'schema.followup': schema,
    'messages.followup': `message probe for cartAbandonment email {\n  text: ${body}\n}\n`,
});

const shipping = `
profile { key customerId  customerId: string  email: email  country: string }
event orderShipped targeting profile { customerId: string  orderId: string  lines: list<Line> }
type Line { sku: string  tags: list<Tag> }
type Tag { label: string  weight: int }
message shipped for orderShipped email { subject: "Shipped" text: "‸" }
`;

describe('completion in rules', () => {
    it('offers events (and complete rules to chain on) after `when`, never the rule being written', async () => {
        expect(labels(await rule('when ‸'))).toEqual(['cartAbandonment', 'purchase']);
        const chained = await rule('when cartAbandonment sent 3 days ago then send followup email\nwhen ‸');
        expect(withDetails(chained).sort()).toEqual([
            'cartAbandonment: event', 'cartAbandonment_followup_email: rule: sends followup email', 'purchase: event',
        ]);
    });

    it('offers the keywords that fit after the trigger and in a duration', async () => {
        expect(labels(await rule('when cartAbandonment ‸'))).toEqual(['email', 'sms', 'push', 'sent']);
        expect(labels(await rule('when cartAbandonment sent 3 ‸'))).toEqual(['minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks']);
    });

    it('offers the event\'s fields with their types in a condition, with engagement and `since` events', async () => {
        const items = await rule('when cartAbandonment sent 3 days ago and ‸');
        expect(withDetails(items)).toEqual(expect.arrayContaining([
            'cartTotal: decimal', 'phone: phone?', 'items: list<CartItem>', 'loyaltyMember: boolean', 'abandonedAt: timestamp',
            'opened: Keyword', 'not: Keyword', 'purchase: event',
        ]));
        expect(labels(items)).not.toContain('sku');
    });

    it('orders a condition\'s items: the fields, then the keywords, then the events of `<event> since sent`, then `event.`', async () => {
        const items = await rule('when cartAbandonment sent 3 days ago and ‸');
        const ordered = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map(i => i.label);
        const fields = ['customerId', 'email', 'phone', 'firstName', 'cartTotal', 'currency', 'items', 'cartUrl', 'loyaltyMember', 'abandonedAt'];
        expect(new Set(ordered.slice(0, fields.length))).toEqual(new Set(fields));
        const rest = ordered.slice(fields.length);
        expect(rest.indexOf('opened')).toBeLessThan(rest.indexOf('purchase'));
        expect(rest.at(-1)).toBe('event.');
        const purchase = items.find(i => i.label === 'purchase')!;
        expect(purchase.labelDetails?.description).toBe('purchase since sent');
        expect(items.find(i => i.label === 'event.')).toMatchObject({ detail: 'the fields of cartAbandonment', insertText: 'event.' });
        expect(items.map(i => i.label)).not.toContain('event');
    });

    it('offers the fields of what the path names after a `.`', async () => {
        expect(withDetails(await rule('when cartAbandonment sent 3 days ago and items[0].‸'))).toEqual([
            'sku: string', 'name: string', 'price: decimal', 'quantity: int',
        ]);
        expect(labels(await rule('when cartAbandonment sent 3 days ago and event.‸'))).toContain('cartTotal');
    });

    it('offers the fields in a long rule\'s continuation line, after `to`, inside `count(` (lists first), and the operators after a field', async () => {
        const long = (line: string) => rule(`followup x {\n  when cartAbandonment sent 3 days ago\n${line}\n  then send followup email\n}\n`);
        expect(labels(await long('   and ‸'))).toEqual(expect.arrayContaining(['cartTotal', 'opened', 'purchase']));
        expect(labels(await rule('followup x {\n  when cartAbandonment sent 3 days ago\n  then send followup email to ‸\n}'))).toContain('email');
        const count = await rule('when cartAbandonment sent 3 days ago and count(‸) >= 2 then send followup email');
        expect(count.find(i => i.label === 'items')?.sortText).toBe('00_items');
        expect(labels(count)).toContain('cartTotal');
        expect(labels(await rule('when cartAbandonment sent 3 days ago and cartTotal ‸'))).toEqual(['not', 'in', 'contains', 'starts', 'is']);
        expect(labels(await rule('when cartAbandonment sent 3 days ago and purchase ‸'))).toContain('since');
    });

    it('follows a chained trigger to the event of the rule it names', async () => {
        const items = await rule('followup x {\n  when cartAbandonment_followup_email sent 3 days ago and ‸\n  then send lastChance email\n}\n' +
            'when cartAbandonment sent 1 day ago then send followup email\n');
        expect(labels(items)).toContain('cartTotal');
    });

    it('offers only the rule event\'s messages after `send`, for the channel written after the cursor', async () => {
        const base = 'when cartAbandonment sent 3 days ago then send';
        expect(withDetails(await rule(`${base} ‸ email`))).toEqual([
            'followup: message followup for cartAbandonment email', 'lastChance: message lastChance for cartAbandonment email',
        ]);
        expect(labels(await rule(`${base} ‸ sms`))).toEqual(['followup']);
        const any = await rule(`${base} ‸`);
        expect(any.map(i => i.textEdit?.newText)).toEqual(['followup email', 'lastChance email', 'followup sms']);
    });

    it('offers the channels a message exists on after `send <message>`', async () => {
        expect(labels(await rule('when cartAbandonment sent 3 days ago then send followup ‸'))).toEqual(['email', 'sms']);
        expect(labels(await rule('when cartAbandonment sent 3 days ago then send lastChance ‸'))).toEqual(['email']);
    });

    it('offers the options after the action of a long rule', async () => {
        expect(labels(await rule('followup x {\n  when cartAbandonment sent 3 days ago\n  then send followup email\n  ‸\n}'))).toEqual(
            expect.arrayContaining(['to', 'schedule', 'lookback', 'expire', 'limit', 'quiet hours']));
    });

    it('offers `key` (not the soft keywords a name may be) where a field starts, the types after `:`, and each message part once', async () => {
        expect(labels(await rule('event e {\n  ‸\n}\n'))).toEqual(['key']);
        expect(labels(await rule('event e {\n  x: ‸\n}\n'))).toEqual([
            'list', 'string', 'int', 'decimal', 'boolean', 'timestamp', 'date', 'email', 'phone', 'url', 'pushToken', 'CartItem',
        ]);
        expect(labels(await rule('message m for cartAbandonment email {\n  subject: "x"\n  ‸\n}\n'))).toEqual(['html', 'text', 'title']);
    });

    it('offers IANA time zones inside `in "..."`, replacing what is between the quotes', async () => {
        const items = await rule('followup x {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day at 09:00 in "Europe/P‸"\n}');
        expect(labels(items)).toEqual(expect.arrayContaining(['UTC', 'Europe/Paris', 'America/New_York']));
        const paris = items.find(i => i.label === 'Europe/Paris')!;
        expect(paris.textEdit).toMatchObject({ newText: 'Europe/Paris', range: { start: { line: 2, character: 34 }, end: { line: 2, character: 42 } } });
        expect(labels(await rule('followup x {\n  when cartAbandonment sent 3 days ago then send followup email\n  quiet hours 22:00 to 07:00 in "‸'))).toContain('Asia/Tokyo');
    });

    it('offers nothing inside a comment or a plain string', async () => {
        expect(await rule('// when ‸')).toEqual([]);
        expect(await rule('when cartAbandonment sent 3 days ago and not clicked link "chec‸kout" then send followup email')).toEqual([]);
    });
});

describe('completion inside {{ }}', () => {
    it('offers the event\'s fields with their types, in "..." and """...""" strings', async () => {
        expect(withDetails(await template('"Hi {{ ‸ }}"'))).toEqual(expect.arrayContaining(['firstName: string', 'cartTotal: decimal', 'items: list<CartItem>']));
        expect(labels(await template('"""\n    Hi {{ first‸ }}\n  """'))).toContain('firstName');
        expect(await template('"Hi ‸ {{ firstName }}"')).toEqual([]);
    });

    it('offers the loop variable inside {{#each}}, and its fields after `item.`', async () => {
        const body = '"""\n    {{#each items as item}}\n    - {{ ‸ }}\n    {{/each}}\n  """';
        expect(withDetails(await template(body))).toEqual(expect.arrayContaining(['item: CartItem', 'firstName: string']));
        expect(withDetails(await template(body.replace('{{ ‸ }}', '{{ item.‸ }}')))).toEqual([
            'sku: string', 'name: string', 'price: decimal', 'quantity: int',
        ]);
        // Outside the loop the variable is gone.
        expect(labels(await template('"""\n    {{#each items as item}}{{/each}} {{ ‸ }}\n  """'))).not.toContain('item');
    });

    it('offers the filters valid for the value\'s type after `|`', async () => {
        expect(labels(await template('"{{ cartTotal | ‸ }}"'))).toEqual(['default', 'money', 'raw']);
        expect(labels(await template('"{{ firstName | ‸ }}"'))).toEqual(['upper', 'lower', 'trim', 'default', 'truncate', 'raw']);
        expect(labels(await template('"{{ abandonedAt | ‸ }}"'))).toEqual(['default', 'date', 'raw']);
        expect(labels(await template('"{{ items | ‸ }}"'))).toEqual(['count', 'raw']);
        // The type after a filter chain, and of a loop variable's field.
        expect(labels(await template('"{{ cartTotal | money(currency) | ‸ }}"'))).toContain('upper');
        expect(labels(await template('"{{#each items as item}}{{ item.price | mo‸ }}{{/each}}"'))).toEqual(['default', 'money', 'raw']);
        expect(labels(await template('"{{#if firstName | ‸ = \'ana\'}}x{{/if}}"'))).toContain('lower');
        expect(labels(await template('"{{#if not (cartTotal | ‸) }}x{{/if}}"'))).toEqual(['default', 'money', 'raw']);
        expect(labels(await template('"{{ count(items) | ‸ }}"'))).toEqual(['default', 'money', 'raw']);
    });

    it('completes in a string still being typed (no closing quotes yet)', async () => {
        const typing = (text: string) => completionAt({ 'schema.followup': schema, 'messages.followup': `message probe for cartAbandonment email {\n${text}\n}\n` });
        expect(labels(await typing('  subject: "{{ fir‸'))).toContain('firstName');
        expect(labels(await typing('  subject: "x"\n  text: """\n    {{#each items as item}}{{ item.‸'))).toEqual(['sku', 'name', 'price', 'quantity']);
        expect(labels(await typing('  subject: "x"\n  text: """\n    {{ cartTotal | ‸'))).toEqual(['default', 'money', 'raw']);
    });

    it('offers `each` and `if` after `#`', async () => {
        expect(labels(await template('"{{#‸}}"'))).toEqual(['each', 'if']);
    });

    it('follows `profile.` and nested loops', async () => {
        const items = (marker: string) => completionAt({ 'shipping.followup': shipping.replace('‸', marker) });
        expect(labels(await items('{{ ‸ }}'))).toEqual(expect.arrayContaining(['orderId', 'profile']));
        expect(withDetails(await items('{{ profile.‸ }}'))).toEqual(['customerId: string', 'email: email', 'country: string']);
        expect(withDetails(await items('{{#each lines as line}}{{#each line.tags as tag}}{{ tag.‸ }}{{/each}}{{/each}}'))).toEqual([
            'label: string', 'weight: int',
        ]);
    });
});

describe('completion of caps, quiet hours and opens by a person', () => {
    it('offers `by a person` after `opened` only, then the rest of the condition', async () => {
        expect(labels(await rule('when cartAbandonment sent 3 days ago and not opened ‸'))).toEqual(['by a person', 'link', 'and', 'or', 'then']);
        expect(labels(await rule('when cartAbandonment sent 3 days ago and clicked ‸'))).not.toContain('by a person');
    });
    it('offers the options of a rule and of a policy block, `quiet hours` as one item, `on` after a policy limit', async () => {
        expect(labels(await rule('followup x {\n  when cartAbandonment sent 3 days ago then send followup email\n  ‸\n}')))
            .toEqual(['to', 'schedule', 'lookback', 'expire', 'limit', 'quiet hours', 'goal', 'holdout 10%']);
        expect(labels(await rule('policy {\n  ‸\n}'))).toEqual(['limit', 'quiet hours', 'goal']);
        expect(labels(await rule('policy {\n  limit 2 per recipient per 1 day ‸\n}'))).toEqual(['on', 'limit', 'quiet hours', 'goal']);
        expect(labels(await rule('‸'))).toContain('policy');
    });
});

describe('completion of `with same`', () => {
    it('offers `with same` after an event in a condition (not after a field), then the fields of the rule\'s event', async () => {
        expect(labels(await rule('when cartAbandonment sent 3 days ago and not purchase ‸'))).toEqual(expect.arrayContaining(['with same', 'since']));
        expect(labels(await rule('when cartAbandonment sent 3 days ago and cartTotal ‸'))).not.toContain('with same');
        expect(labels(await rule('when cartAbandonment sent 3 days ago and not purchase with same ‸'))).toEqual(expect.arrayContaining(['customerId', 'email', 'cartTotal']));
    });
});
