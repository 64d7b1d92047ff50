// Rendering as the runtime does: the compiled program through JSON, validated, rendered.
import { describe, expect, test } from 'vitest';
import { checkTemplate, compileTemplate, programRenderer, validateProgram } from '../src/index.js';
import { field, html, render, renderProgram, sampleData, text, withProfile } from './fixtures.js';

describe('output and escaping', () => {
    test('html mode escapes every value: & < > " \'', () => {
        const data = { ...sampleData, firstName: `<script>alert("x" + 'y')</script> & co` };
        expect(render('<p>Hi {{ firstName }}</p>', data)).toBe(
            '<p>Hi &lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; co</p>');
        expect(render('<a href="{{ cartUrl }}">', sampleData)).toBe('<a href="https://shop.example/cart?c=1&amp;x=2">');
    });

    test('| raw is not escaped in html mode (wherever it is in the chain)', () => {
        const data = { ...sampleData, firstName: '<b>Ann</b>' };
        expect(render('{{ firstName | raw }}', data)).toBe('<b>Ann</b>');
        expect(render('{{ firstName | raw | upper }}', data)).toBe('<B>ANN</B>');
    });

    test('text mode escapes nothing; raw does nothing there', () => {
        const data = { ...sampleData, firstName: '<b>Ann & Bob</b>' };
        expect(render('Hi {{ firstName }} {{ firstName | raw }}', data, text)).toBe('Hi <b>Ann & Bob</b> <b>Ann & Bob</b>');
    });

    test('literals, numbers and booleans print as JavaScript does; missing values print nothing', () => {
        const data = { ...sampleData, nickname: null };
        expect(render("{{ 'a<b' }}|{{ 42 }}|{{ -3.5 }}|{{ true }}|{{ cartTotal }}|{{ points }}|{{ loyaltyMember }}", data))
            .toBe('a&lt;b|42|-3.5|true|120.5|0|true');
        expect(render('[{{ nickname }}][{{ phone }}][{{ birthday | date(\'yyyy\') }}][{{ items[5].name }}]', data)).toBe('[][][][]');
    });

    test('the explicit event root and the profile', () => {
        expect(render('{{ event.firstName }} from {{ profile.country }}', sampleData, withProfile, { country: 'FR' })).toBe('Ann from FR');
        expect(render('{{ profile.country }}.', sampleData, withProfile)).toBe('.');
    });
});

describe('literal text is emitted byte for byte', () => {
    // Everything Eta or JavaScript could read as syntax; `{` and `}}` alone are not tags either.
    const tricky = [
        '<% it.f %>', '<%= it.d %>', '<%~ process.exit(1) %>', '%>', '<%', '${x}', '`backtick`', '${`nested`}',
        `"double" 'single'`, 'back\\slash \\n \\u0041', 'line\nbreak\r\nCRLF\ttab', '\u2028\u2029', '/* comment */ // x',
        '<%- trimmed -%>', '<%_ x _%>', '}} { not a tag }', 'émoji 😀',
    ].join(' | ');

    test('in html mode (template text is the author\'s HTML: not escaped)', () => {
        expect(render(`${tricky} {{ firstName }} ${tricky}`)).toBe(`${tricky} Ann ${tricky}`);
    });

    test('in text mode', () => {
        expect(render(`${tricky}{{ firstName }}`, sampleData, text)).toBe(`${tricky}Ann`);
    });

    test('triple braces render their outer braces as text', () => {
        expect(render('{{{ firstName }}}')).toBe('{Ann}');
    });

    test('the compiled program holds the author\'s text as data, and nothing else of it', () => {
        const program = compileTemplate(checkTemplate('<% it.f %> ${x} `y` {{ firstName }}', html), 'html');
        expect(program).toEqual([
            { kind: 'text', value: '<% it.f %> ${x} `y` ' },
            { kind: 'output', escape: true, expr: { kind: 'path', base: 'event', keys: ['firstName'] } },
        ]);
    });

    test('string literals inside tags cannot break out either', () => {
        const template = `{{ nickname | default('x" %><% throw new Error() %>\`\${1}') }}`;
        expect(render(template, sampleData, text)).toBe('x" %><% throw new Error() %>`${1}');
        expect(render(template)).toBe('x&quot; %&gt;&lt;% throw new Error() %&gt;`${1}');
    });
});

describe('data access reads own properties only', () => {
    test("a field named 'constructor' does not reach the prototype", () => {
        expect(render('[{{ constructor }}]', {})).toBe('[]');
        expect(render('[{{ constructor }}]', { constructor: 'own value' })).toBe('[own value]');
    });

    test('undeclared prototype names on records and lists print nothing', () => {
        const ctx = {
            ...html,
            fields: [
                field('__proto__', 'string', true), field('toString', 'string', true), field('hasOwnProperty', 'string', true),
                field('list', { kind: 'list', element: { kind: 'record', name: 'R', fields: () => [field('constructor', 'string')] } }),
            ],
        };
        expect(render('[{{ __proto__ }}|{{ toString }}|{{ hasOwnProperty }}|{{ list[0].constructor }}]', { list: [{}] }, ctx)).toBe('[|||]');
        expect(render('{{#each list as x}}[{{ x.constructor }}]{{/each}}', { list: [{}, { constructor: 'c' }] }, ctx)).toBe('[][c]');
    });
});

describe('filters', () => {
    const data = {
        ...sampleData,
        firstName: '  ann marie  ',
        nickname: '',
        birthday: '1990-07-14',
        abandonedAt: '2024-03-09T08:05:03.120Z',
    };

    test('upper, lower, trim', () => {
        expect(render('[{{ firstName | upper }}][{{ firstName | lower | trim }}][{{ email | upper }}]', { ...data, firstName: '  Ann Marie  ' }))
            .toBe('[  ANN MARIE  ][ann marie][ANN@EXAMPLE.COM]');
    });

    test('default replaces missing and empty values, not zero or false', () => {
        expect(render("[{{ nickname | default('there') }}][{{ phone | default(firstName) | trim }}][{{ points | default(7) }}][{{ loyaltyMember | default(true) }}]", { ...data, loyaltyMember: false }))
            .toBe('[there][ann marie][0][false]');
        expect(render("{{ nickname | upper | default('NONE') }}", { ...data, nickname: undefined })).toBe('NONE');
    });

    test('count, as a filter and as a function', () => {
        expect(render('{{ count(items) }} {{ items | count }} {{ tags | count }} {{ count(orders) }}', { ...data, orders: undefined }))
            .toBe('2 2 2 0');
    });

    test('truncate cuts at n characters and appends …', () => {
        expect(render('[{{ cartUrl | truncate(12) }}][{{ email | truncate(40) }}][{{ firstName | trim | truncate(4) }}]', data))
            .toBe('[https://shop…][ann@example.com][ann…]');
    });

    test('date formats timestamps and dates in UTC', () => {
        expect(render("{{ abandonedAt | date('yyyy-MM-dd HH:mm:ss') }} / {{ birthday | date('dd/MM/yyyy') }}", data))
            .toBe('2024-03-09 08:05:03 / 14/07/1990');
        expect(render("{{ abandonedAt | date('dd.MM.yyyy at HH:mm') }}", { ...data, abandonedAt: '2024-03-09T23:30:00-02:00' }))
            .toBe('10.03.2024 at 01:30');
    });

    test('money formats with the currency of a field or a literal; invalid codes fall back', () => {
        expect(render("{{ cartTotal | money(currency) }} {{ points | money('usd') }} {{ cartTotal | money('JPY') }}", { ...data, points: 1234.5 }))
            .toBe('€120.50 $1,234.50 ¥121');
        expect(render('{{ cartTotal | money(currency) }}', { ...data, currency: 'EURO' })).toBe('120.5 EURO');
        expect(render('{{ cartTotal | money(currency) }}', { ...data, currency: undefined })).toBe('120.5');
    });
});

describe('blocks', () => {
    test('#each over items with item fields', () => {
        const template = '<ul>{{#each items as item}}<li>{{ item.name }} x{{ item.quantity }}: {{ item.price | money(currency) }}</li>{{/each}}</ul>';
        expect(render(template)).toBe('<ul><li>Mug x2: €12.00</li><li>Teapot x1: €96.50</li></ul>');
    });

    test('#each over a missing, null or empty list renders nothing', () => {
        const template = '[{{#each items as item}}{{ item.name }}{{/each}}]';
        expect(render(template, { ...sampleData, items: [] })).toBe('[]');
        expect(render(template, { ...sampleData, items: null })).toBe('[]');
        expect(render(template, {})).toBe('[]');
        expect(render(template, { items: 'not a list' })).toBe('[]');
    });

    test('nested loops, scalar lists, and loop variables that shadow fields', () => {
        expect(render('{{#each orders as o}}{{ o.ref }}:{{#each o.lines as l}} {{ l.qty }}x{{ l.sku }}{{/each}};{{/each}}')).toBe('o-1: 1xA1 4xC3;');
        expect(render('{{#each tags as firstName}}<{{ firstName }}>{{/each}} {{ firstName }}')).toBe('<vip><new> Ann');
        expect(render('{{#each tags as t}}{{#each tags as u}}{{ t }}{{ u }},{{/each}}{{/each}}')).toBe('vipvip,vipnew,newvip,newnew,');
    });

    test('#if / else with comparisons', () => {
        const template = '{{#if cartTotal > 100}}big{{else}}small{{/if}}';
        expect(render(template)).toBe('big');
        expect(render(template, { ...sampleData, cartTotal: 100 })).toBe('small');
        expect(render(template, { ...sampleData, cartTotal: '150.00' })).toBe('big'); // decimals may arrive as strings
        expect(render('{{#if cartTotal > 100}}big{{/if}}', { cartTotal: 1 })).toBe('');
    });

    test('every operator, and/or/not', () => {
        const ops = ['=', '==', '!=', '<', '<=', '>', '>='].map(op => `{{#if points ${op} 3}}T{{else}}F{{/if}}`).join('');
        expect(render(ops, { points: 2 })).toBe('FFTTTFF');
        expect(render(ops, { points: 3 })).toBe('TTFFTFT');
        const logic = "{{#if not loyaltyMember or firstName = 'Ann' and points = 0}}yes{{else}}no{{/if}}";
        expect(render(logic)).toBe('yes');
        expect(render(logic, { ...sampleData, firstName: 'Bob' })).toBe('no');
        expect(render(logic, { ...sampleData, firstName: 'Bob', loyaltyMember: false })).toBe('yes');
    });

    test('truthiness of a bare operand', () => {
        const template = "{{#if nickname}}N{{else}}-{{/if}}{{#if points}}P{{else}}-{{/if}}{{#if items}}I{{else}}-{{/if}}{{#if loyaltyMember}}L{{else}}-{{/if}}{{#if items[0]}}R{{else}}-{{/if}}";
        expect(render(template, { nickname: 'x', points: 1, items: [{}], loyaltyMember: true })).toBe('NPILR');
        expect(render(template, { nickname: '', points: 0, items: [], loyaltyMember: false })).toBe('-----');
        expect(render(template, {})).toBe('-----');
    });

    test('comparisons with missing values: only != holds', () => {
        const template = "{{#if nickname = 'x'}}eq{{/if}}{{#if nickname != 'x'}}ne{{/if}}{{#if birthday < '2000-01-01'}}lt{{/if}}{{#if birthday >= '2000-01-01'}}ge{{/if}}";
        expect(render(template, {})).toBe('ne');
    });

    test('dates and timestamps compare as instants', () => {
        const template = "{{#if abandonedAt >= '2024-05-01'}}after{{else}}before{{/if}} {{#if birthday < abandonedAt}}older{{/if}}";
        expect(render(template, { abandonedAt: '2024-05-01T00:00:00Z', birthday: '1990-07-14' })).toBe('after older');
        expect(render(template, { abandonedAt: '2024-04-30T23:59:59+00:00', birthday: '2030-01-01' })).toBe('before ');
    });

    test('counts and filtered values in conditions', () => {
        const template = "{{#if count(items) >= 2 and firstName | lower = 'ann'}}ok{{/if}}";
        expect(render(template)).toBe('ok');
    });
});

describe('the runtime contract', () => {
    test('validate and build once, render many times', () => {
        const checked = checkTemplate('Hi {{ firstName }}, {{ count(items) }} item(s){{#if loyaltyMember}}!{{/if}}', html);
        const run = programRenderer(validateProgram(compileTemplate(checked, 'html')));
        expect(run(sampleData, {})).toBe('Hi Ann, 2 item(s)!');
        expect(run({ firstName: '<Bo>', items: [], loyaltyMember: false }, null)).toBe('Hi &lt;Bo&gt;, 0 item(s)');
        expect(run({ firstName: 'Cy' }, undefined)).toBe('Hi Cy, 0 item(s)');
    });

    test('changing a program after it was built changes nothing', () => {
        const program = compileTemplate(checkTemplate('[{{ firstName }}]', html), 'html');
        const run = programRenderer(validateProgram(program));
        program[0] = { kind: 'text', value: 'changed' };
        expect(run({ firstName: 'Ann' }, null)).toBe('[Ann]');
    });

    test('the compile mode decides escaping', () => {
        const checked = checkTemplate('{{ firstName }}', html);
        const render = (mode: 'html' | 'text') => renderProgram(compileTemplate(checked, mode), { firstName: 'a&b' });
        expect(render('html')).toBe('a&amp;b');
        expect(render('text')).toBe('a&b');
        expect(compileTemplate(checkTemplate('{{ firstName | raw | upper }}', html), 'html'))
            .toEqual([{ kind: 'output', escape: false, expr: { kind: 'filter', name: 'upper', input: { kind: 'path', base: 'event', keys: ['firstName'] }, args: [] } }]);
    });

    test('templates with errors do not compile; warnings do', () => {
        expect(() => compileTemplate(checkTemplate('{{ frstName }}', html), 'html'))
            .toThrow("Cannot compile a template with errors: FU101 Unknown field 'frstName' on event (at offset 3)");
        const warned = checkTemplate("{{ abandonedAt | date('YYYY') }}", html);
        expect(warned.diagnostics.map(d => d.severity)).toEqual(['warning']);
        expect(renderProgram(compileTemplate(warned, 'html'), sampleData)).toBe('YYYY');
    });

    test('loop variables are enclosing loops by position, whatever the user calls them', () => {
        const template = '{{#each orders as it}}{{#each it.lines as _v0}}{{ it.ref }}{{ _v0.sku }}{{/each}}{{/each}}{{#each tags as it}}{{ it }}{{/each}}';
        const item = (loop: number, keys: string[]) => ({ kind: 'output', escape: true, expr: { kind: 'path', base: 'loop', loop, keys } });
        expect(compileTemplate(checkTemplate(template, html), 'html')).toEqual([
            {
                kind: 'each', list: { kind: 'path', base: 'event', keys: ['orders'] }, body: [
                    { kind: 'each', list: { kind: 'path', base: 'loop', loop: 0, keys: ['lines'] }, body: [item(0, ['ref']), item(1, ['sku'])] },
                ],
            },
            { kind: 'each', list: { kind: 'path', base: 'event', keys: ['tags'] }, body: [item(0, [])] },
        ]);
        expect(render(template)).toBe('o-1A1o-1C3vipnew');
        expect(render('{{#each items as it}}{{ it.name }}{{/each}}{{#each tags as _v0}}{{ _v0 }}{{/each}}')).toBe('MugTeapotvipnew');
    });

    test('a list index too large for a number reads nothing, as any missing index', () => {
        expect(render(`[{{ items[${'9'.repeat(400)}].name }}][{{ items[99999999999999999999].name }}]`)).toBe('[][]');
    });
});
