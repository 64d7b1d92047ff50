import { describe, expect, test } from 'vitest';
import { checkTemplate, type TemplateContext } from '../src/index.js';
import { cartItemFields, eventFields, html, profileFields, seen, span, text as textCtx, withProfile } from './fixtures.js';

const err = (code: string, message: string, at: { start: number; end: number }) => ({ code, severity: 'error', message, ...at });
const warn = (code: string, message: string, at: { start: number; end: number }) => ({ code, severity: 'warning', message, ...at });

function diagnostics(template: string, ctx: TemplateContext = html) {
    return seen(checkTemplate(template, ctx));
}

function hints(template: string, ctx: TemplateContext = html) {
    return checkTemplate(template, ctx).diagnostics.map(d => d.hint);
}

describe('a valid template', () => {
    test('the example message of LANGUAGE.md checks clean', () => {
        const template = [
            'Hi {{ firstName | default(\'there\') }},',
            'you left {{ count(items) }} items ({{ cartTotal | money(currency) }}) in your cart:',
            '{{ cartUrl }}',
            '{{#each items as item}}- {{ item.name | upper }} x{{ item.quantity }} {{ item.price | money(\'EUR\') }}{{/each}}',
            '{{#if cartTotal > 100 and loyaltyMember}}Free shipping!{{else}}{{#if not nickname}}No nickname{{/if}}{{/if}}',
            '{{ abandonedAt | date(\'yyyy-MM-dd HH:mm\') }} {{ birthday | date(\'dd/MM\') }} {{ items[0].name | truncate(20) }}',
        ].join('\n');
        expect(diagnostics(template)).toEqual([]);
    });

    test('optional fields print without complaint', () => {
        expect(diagnostics('{{ nickname }} {{ phone }} {{ birthday }}')).toEqual([]);
    });

    test('raw is allowed in both modes', () => {
        expect(diagnostics('{{ cartUrl | raw }}', html)).toEqual([]);
        expect(diagnostics('{{ cartUrl | raw }}', textCtx)).toEqual([]);
    });

    test('fields of unknown type are not second-guessed', () => {
        expect(diagnostics('{{ legacy.whatever[3] | upper }} {{#each legacy as l}}{{ l.x }}{{/each}}')).toEqual([]);
    });
});

describe('reads and references', () => {
    test('reads are the sorted unique field paths, with [] for list elements', () => {
        const template = '{{ cartTotal | money(currency) }} {{#each items as item}}{{ item.name }}{{ item.name }}{{/each}} {{ profile.country }} {{ cartTotal }}';
        expect(checkTemplate(template, withProfile).reads).toEqual(['cartTotal', 'currency', 'items', 'items[].name', 'profile.country']);
    });

    test('indexes, explicit roots, nested loops and scalar lists', () => {
        const template = '{{ items[0].sku }} {{ event.firstName }} {{#each orders as o}}{{#each o.lines as l}}{{ l.sku }}{{/each}}{{/each}} {{#each tags as t}}{{ t }}{{/each}} {{ count(tags) }}';
        expect(checkTemplate(template, html).reads).toEqual(['firstName', 'items[].sku', 'orders', 'orders[].lines', 'orders[].lines[].sku', 'tags', 'tags[]']);
    });

    test('paths that do not resolve are not read', () => {
        expect(checkTemplate('{{ frstName }} {{ items[0].nme }}', html).reads).toEqual([]);
    });

    test('each segment that names a declared field is a reference', () => {
        const template = '{{#each items as item}}{{ item.name }}{{/each}}{{ profile.country }}{{ event.firstName }}';
        const { references } = checkTemplate(template, withProfile);
        expect(references.map(r => ({ path: r.path, field: r.field.name, text: template.slice(r.start, r.end), start: r.start }))).toEqual([
            { path: 'items', field: 'items', text: 'items', start: span(template, 'items').start },
            { path: 'items[].name', field: 'name', text: 'name', start: span(template, 'name').start },
            { path: 'profile.country', field: 'country', text: 'country', start: span(template, 'country').start },
            { path: 'firstName', field: 'firstName', text: 'firstName', start: span(template, 'firstName').start },
        ]);
        expect(references[1]!.field).toBe(cartItemFields[1]);
        expect(references[2]!.field).toBe(profileFields[1]);
        expect(references[3]!.field).toBe(eventFields[3]);
    });
});

describe('FU101 unknown field', () => {
    test('on the event, with did-you-mean; the range is the segment', () => {
        const template = 'Hi {{ frstName }}!';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([err('FU101', "Unknown field 'frstName' on event", span(template, 'frstName'))]);
        expect(checked.diagnostics[0]!.hint).toBe("Did you mean 'firstName'?");
    });

    test("names the message's event when the context knows it", () => {
        const template = 'Hi {{ frstName }}!';
        const checked = checkTemplate(template, { ...html, eventName: 'cartAbandonment' });
        expect(seen(checked)).toEqual([err('FU101', "Unknown field 'frstName' on event 'cartAbandonment'", span(template, 'frstName'))]);
    });

    test('on a record type inside a loop and behind an index', () => {
        const template = '{{#each items as item}}{{ item.nme }}{{/each}} {{ items[0].prise }}';
        expect(diagnostics(template)).toEqual([
            err('FU101', "Unknown field 'nme' on CartItem", span(template, 'nme')),
            err('FU101', "Unknown field 'prise' on CartItem", span(template, 'prise')),
        ]);
        expect(hints(template)).toEqual(["Did you mean 'name'?", "Did you mean 'price'?"]);
    });

    test('explicit event root, and no suggestion when nothing is close', () => {
        const template = '{{ event.frstName }} {{ zzz }}';
        expect(diagnostics(template)).toEqual([
            err('FU101', "Unknown field 'frstName' on event", span(template, 'frstName')),
            err('FU101', "Unknown field 'zzz' on event", span(template, 'zzz')),
        ]);
        expect(hints(template)).toEqual(["Did you mean 'firstName'?", undefined]);
    });

    test('a loop variable used outside its loop (suggested inside another)', () => {
        const template = '{{#each items as item}}{{/each}}{{ item.name }}{{#each tags as tag}}{{ tags.x }}{{ tga }}{{/each}}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU101', "Unknown field 'item' on event", span(template, 'item', 2)),
            err('FU101', "Unknown field 'x' on list<string>", { start: span(template, 'tags.x').start + 5, end: span(template, 'tags.x').end }),
            err('FU101', "Unknown field 'tga' on event", span(template, 'tga')),
        ]);
        expect(checked.diagnostics[1]!.hint).toBe("'tags' is a list: use {{#each tags as item}} ... {{ item.x }} ... {{/each}}, or tags[0].x");
        expect(checked.diagnostics[2]!.hint).toBe("Did you mean 'tag'?");
    });

    test('a field of a list or of a primitive', () => {
        const template = '{{ items.name }} {{ firstName.length }}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU101', "Unknown field 'name' on list<CartItem>", span(template, 'name')),
            err('FU101', "Unknown field 'length' on string", span(template, 'length')),
        ]);
        expect(checked.diagnostics.map(d => d.hint)).toEqual([
            "'items' is a list: use {{#each items as item}} ... {{ item.name }} ... {{/each}}, or items[0].name",
            "'firstName' is string and has no fields",
        ]);
    });

    test('profile.x when the event does not target a profile', () => {
        const template = '{{ profile.country }}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU101', "The event does not target a profile, so 'profile.country' is not available", span(template, 'profile')),
        ]);
        expect(checked.diagnostics[0]!.hint).toBe("Declare the event with 'targeting profile' to use profile fields");
    });

    test('unknown profile field', () => {
        const template = '{{ profile.contry }}';
        const checked = checkTemplate(template, withProfile);
        expect(seen(checked)).toEqual([err('FU101', "Unknown field 'contry' on profile", span(template, 'contry'))]);
        expect(checked.diagnostics[0]!.hint).toBe("Did you mean 'country'?");
    });

    test('a field named like a loop variable is shadowed inside the loop', () => {
        // `firstName` is the loop variable (a CartItem) inside the loop, so `.name` resolves.
        expect(diagnostics('{{#each items as firstName}}{{ firstName.name }}{{/each}}{{ firstName | upper }}')).toEqual([]);
    });
});

describe('FU104 unknown filter', () => {
    test('with did-you-mean over the filter names; range is the filter name', () => {
        const template = '{{ firstName | uper }}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([err('FU104', "Unknown filter 'uper'", span(template, 'uper'))]);
        expect(checked.diagnostics[0]!.hint).toBe("Did you mean 'upper'?");
    });

    test('without a close name the hint lists the filters', () => {
        expect(hints('{{ firstName | capitalize }}')).toEqual(['Filters: upper, lower, trim, default, count, truncate, date, money, raw']);
    });
});

describe('FU132 filter applied to the wrong type', () => {
    test("upper on a decimal (the message names filter, expected and actual type)", () => {
        const template = '{{ cartTotal | upper }}';
        expect(diagnostics(template)).toEqual([
            err('FU132', "Filter 'upper' expects a string, but 'cartTotal' is decimal", span(template, 'upper')),
        ]);
    });

    test('each filter with its expected types', () => {
        const template = '{{ points | trim }}{{ firstName | date(\'yyyy\') }}{{ firstName | money(\'EUR\') }}{{ firstName | count }}{{ points | truncate(3) }}{{ items | default(\'x\') }}';
        expect(diagnostics(template)).toEqual([
            err('FU132', "Filter 'trim' expects a string, but 'points' is int", span(template, 'trim')),
            err('FU132', "Filter 'date' expects a timestamp or date, but 'firstName' is string", span(template, 'date')),
            err('FU132', "Filter 'money' expects an int or decimal, but 'firstName' is string", span(template, 'money')),
            err('FU132', "Filter 'count' expects a list, but 'firstName' is string", span(template, 'count')),
            err('FU132', "Filter 'truncate' expects a string, but 'points' is int", span(template, 'truncate')),
            err('FU132', "Filter 'default' expects a single value (not a list or record), but 'items' is list<CartItem>", span(template, 'default')),
        ]);
    });

    test('the function count(...) on a non-list', () => {
        const template = '{{ count(firstName) }}';
        expect(diagnostics(template)).toEqual([err('FU132', "Function 'count' expects a list, but 'firstName' is string", span(template, 'count'))]);
    });

    test('the input of a filter chain is named as written, and the chain goes on with the result type', () => {
        const template = '{{ cartTotal | money(currency) | upper | truncate(5) }}{{ firstName | upper | money(\'EUR\') }}';
        expect(diagnostics(template)).toEqual([
            err('FU132', "Filter 'money' expects an int or decimal, but 'firstName | upper' is string", span(template, 'money', 1)),
        ]);
    });

    test('email, url, phone and pushToken are textual', () => {
        expect(diagnostics('{{ email | upper }}{{ cartUrl | truncate(10) }}{{ phone | trim }}')).toEqual([]);
    });
});

describe('FU133 wrong filter arguments', () => {
    test('argument count', () => {
        const template = '{{ firstName | truncate }}{{ firstName | upper(1) }}{{ abandonedAt | date }}{{ cartTotal | money }}{{ nickname | default }}';
        expect(diagnostics(template)).toEqual([
            err('FU133', "Filter 'truncate' takes 1 argument (the maximum length), but got 0", span(template, 'truncate')),
            err('FU133', "Filter 'upper' takes no arguments", span(template, 'upper(1)')),
            err('FU133', "Filter 'date' takes 1 argument (a format), but got 0", span(template, 'date')),
            err('FU133', "Filter 'money' takes 1 argument (the currency), but got 0", span(template, 'money')),
            err('FU133', "Filter 'default' takes 1 argument (the value to use when missing), but got 0", span(template, 'default')),
        ]);
        expect(hints('{{ abandonedAt | date }}')).toEqual(["Write '| date('yyyy-MM-dd')'"]);
    });

    test('argument types', () => {
        const template = "{{ firstName | truncate('x') }}{{ firstName | truncate(0) }}{{ firstName | truncate(2.5) }}"
            + "{{ abandonedAt | date(3) }}{{ cartTotal | money('EURO') }}{{ cartTotal | money(points) }}";
        expect(diagnostics(template)).toEqual([
            err('FU133', "Filter 'truncate' expects a positive whole number, but got ''x''", span(template, "'x'")),
            err('FU133', "Filter 'truncate' expects a positive whole number, but got '0'", span(template, '0')),
            err('FU133', "Filter 'truncate' expects a positive whole number, but got '2.5'", span(template, '2.5')),
            err('FU133', "Filter 'date' expects a format string, but got '3'", span(template, '3')),
            err('FU133', "'EURO' is not a currency code", span(template, "'EURO'")),
            err('FU133', "Filter 'money' expects a currency: a string field or a code such as 'EUR', but 'points' is int", span(template, 'points')),
        ]);
    });

    test('default needs a value of a compatible type', () => {
        const template = "{{ cartTotal | default('none') }}{{ nickname | default(3) }}{{ nickname | default(firstName) }}{{ points | default(cartTotal) }}{{ birthday | default('soon') }}{{ loyaltyMember | default(false) }}";
        expect(diagnostics(template)).toEqual([
            err('FU133', "Filter 'default' needs a number for decimal 'cartTotal', but ''none'' is string", span(template, "'none'")),
            err('FU133', "Filter 'default' needs a string for string 'nickname', but '3' is int", span(template, '3')),
        ]);
    });

    test('date formats with tokens that are not tokens, and unknown currencies, are warnings', () => {
        const template = "{{ abandonedAt | date('YYYY-MM-DD') }}{{ abandonedAt | date('dd MMM yyyy at HH:mm') }}{{ cartTotal | money('XYZ') }}";
        expect(diagnostics(template)).toEqual([
            warn('FU133', "'YYYY' is not a date format token and is printed as is", span(template, "'YYYY-MM-DD'")),
            warn('FU133', "'DD' is not a date format token and is printed as is", span(template, "'YYYY-MM-DD'")),
            warn('FU133', "'M' is not a date format token and is printed as is", span(template, "'dd MMM yyyy at HH:mm'")),
            warn('FU133', "Unknown currency code 'XYZ'", span(template, "'XYZ'")),
        ]);
    });
});

describe('FU134 printing a list or record', () => {
    test('a list, with a hint to count or loop', () => {
        const template = 'You have {{ items }} items';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([err('FU134', "Cannot print 'items': it is list<CartItem>, not a single value", span(template, 'items'))]);
        expect(checked.diagnostics[0]!.hint).toBe('Use count(items) for how many there are, or {{#each items as item}} ... {{/each}} to print each one');
    });

    test('a record, and the event itself', () => {
        const template = '{{ items[0] }} {{ event }} {{ items | raw }}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU134', "Cannot print 'items[0]': it is CartItem, not a single value", span(template, 'items[0]')),
            err('FU134', "Cannot print 'event': it is event, not a single value", span(template, 'event')),
            err('FU134', "Cannot print 'items | raw': it is list<CartItem>, not a single value", span(template, 'items | raw')),
        ]);
        expect(checked.diagnostics[0]!.hint).toBe("Print one of its fields, e.g. 'items[0].sku'");
    });
});

describe('FU130 / FU131 comparisons', () => {
    test('FU130: incompatible types', () => {
        const template = '{{#if cartTotal > "abc"}}{{/if}}{{#if firstName = 3}}{{/if}}{{#if loyaltyMember = \'yes\'}}{{/if}}{{#if abandonedAt > \'soon\'}}{{/if}}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU130', 'Cannot compare decimal \'cartTotal\' with string \'"abc"\'', span(template, 'cartTotal > "abc"')),
            err('FU130', "Cannot compare string 'firstName' with int '3'", span(template, 'firstName = 3')),
            err('FU130', "Cannot compare boolean 'loyaltyMember' with string ''yes''", span(template, "loyaltyMember = 'yes'")),
            err('FU130', "Cannot compare timestamp 'abandonedAt' with string ''soon''", span(template, "abandonedAt > 'soon'")),
        ]);
        expect(checked.diagnostics[3]!.hint).toBe("Write dates as 'yyyy-MM-dd' or ISO timestamps such as '2024-05-01T09:00:00Z'");
    });

    test('FU130: lists are not single values', () => {
        const template = '{{#if items = 3}}{{/if}}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([err('FU130', "Cannot compare list<CartItem> 'items': it is not a single value", span(template, 'items = 3'))]);
        expect(checked.diagnostics[0]!.hint).toBe('Compare count(items) instead');
    });

    test('FU131: ordering a string; the range is the operator', () => {
        const template = '{{#if firstName > 3}}{{/if}}{{#if 3 <= email}}{{/if}}{{#if loyaltyMember < true}}{{/if}}';
        const checked = checkTemplate(template, html);
        expect(seen(checked)).toEqual([
            err('FU131', "Operator '>' does not apply to string 'firstName'", span(template, '>')),
            err('FU131', "Operator '<=' does not apply to email 'email'", span(template, '<=')),
            err('FU131', "Operator '<' does not apply to boolean 'loyaltyMember'", { start: span(template, '< true').start, end: span(template, '< true').start + 1 }),
        ]);
        expect(checked.diagnostics.map(d => d.hint)).toEqual([
            'Strings support only = and !=', 'Strings support only = and !=', 'Ordering applies to numbers, dates and timestamps',
        ]);
    });

    test('what does compare', () => {
        const template = [
            '{{#if cartTotal >= 100 and points < 3.5}}{{/if}}',
            '{{#if firstName = "Ann" or firstName != nickname}}{{/if}}',
            "{{#if abandonedAt > '2024-05-01' and birthday <= '2024-05-01T09:00:00Z' and abandonedAt < birthday}}{{/if}}",
            '{{#if count(items) > 2 and items | count = points}}{{/if}}',
            "{{#if loyaltyMember = true and not (firstName | lower == 'bob')}}{{/if}}",
            '{{#if items and nickname and points}}{{/if}}',
        ].join('');
        expect(diagnostics(template)).toEqual([]);
    });
});

describe('FU135 not a list', () => {
    test('#each over a scalar', () => {
        const template = '{{#each firstName as c}}{{ c }}{{/each}}';
        expect(diagnostics(template)).toEqual([err('FU135', "Cannot loop over 'firstName': it is string, not a list", span(template, 'firstName'))]);
    });

    test('indexing a scalar or a record', () => {
        const template = '{{ firstName[0] }} {{ items[0][1] }}';
        expect(diagnostics(template)).toEqual([
            err('FU135', "Cannot index 'firstName' with [0]: it is string, not a list", span(template, '[0]')),
            err('FU135', "Cannot index 'items[0]' with [1]: it is CartItem, not a list", span(template, '[1]')),
        ]);
    });
});

describe('checking goes on after errors', () => {
    test('a syntax error does not stop the checking of later tags', () => {
        const template = '{{ firstName | }} {{ frstName }} {{#if x > }}{{ cartTotal | upper }}{{/if}}';
        expect(checkTemplate(template, html).diagnostics.map(d => d.code)).toEqual(['FU170', 'FU101', 'FU170', 'FU132']);
    });

    test('one mistake, one diagnostic: unknown things do not cascade', () => {
        const template = '{{ frstName | upper | truncate(3) }}{{#each itms as i}}{{ i.name | upper }}{{/each}}{{#if frstName > 3}}{{/if}}{{ firstName | nope | upper }}';
        expect(checkTemplate(template, html).diagnostics.map(d => d.code)).toEqual(['FU101', 'FU101', 'FU101', 'FU104']);
    });
});
