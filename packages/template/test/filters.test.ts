// The run-time helpers on their own (compiled templates call them as it.f.<name>).
import { describe, expect, test } from 'vitest';
import { filterNames, templateFilters as f } from '../src/index.js';

describe('get', () => {
    test('follows own properties and list indexes', () => {
        const data = { a: { b: [{ c: 1 }, { c: 2 }] } };
        expect(f.get(data, ['a', 'b', 1, 'c'])).toBe(2);
        expect(f.get(data, [])).toBe(data);
        expect(f.get(data, ['a', 'b', 2, 'c'])).toBeUndefined();
        expect(f.get(data, ['a', 'x', 'y'])).toBeUndefined();
        expect(f.get(null, ['a'])).toBeUndefined();
    });

    test('never reaches the prototype or properties of primitives', () => {
        expect(f.get({}, ['constructor'])).toBeUndefined();
        expect(f.get({}, ['__proto__'])).toBeUndefined();
        expect(f.get({}, ['toString'])).toBeUndefined();
        expect(f.get({ a: [] }, ['a', 'length'])).toBeUndefined();
        expect(f.get({ a: [1] }, ['a', 'map'])).toBeUndefined();
        expect(f.get({ s: 'abc' }, ['s', 'length'])).toBeUndefined();
        expect(f.get({ s: 'abc' }, ['s', 0])).toBeUndefined();
        expect(f.get({ a: { 0: 'x' } }, ['a', 0])).toBeUndefined(); // an index needs a list
        expect(f.get(JSON.parse('{"__proto__": {"x": 1}}'), ['__proto__', 'x'])).toBe(1); // an own key of that name is data
        expect(f.get(Object.create({ inherited: 1 }), ['inherited'])).toBeUndefined();
    });
});

describe('helpers', () => {
    test('list, text, escape', () => {
        expect(f.list([1])).toEqual([1]);
        expect(f.list(undefined)).toEqual([]);
        expect(f.list({ length: 1, 0: 'x' })).toEqual([]);
        expect([f.text(undefined), f.text(null), f.text(0), f.text(120.5), f.text(false)]).toEqual(['', '', '0', '120.5', 'false']);
        expect(f.escape(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
        expect(f.escape(undefined)).toBe('');
    });

    test('truthy', () => {
        expect([undefined, null, false, 0, NaN, '', []].map(f.truthy)).toEqual([false, false, false, false, false, false, false]);
        expect([true, 1, -1, 'false', ' ', [0], {}].map(f.truthy)).toEqual([true, true, true, true, true, true, true]);
    });

    test('compare by kind', () => {
        expect(f.compare('10', '>', 9, 'number')).toBe(true); // numerically, not as text
        expect(f.compare('10', '>', '9', 'text')).toBe(false);
        expect(f.compare('abc', '!=', 3, 'number')).toBe(true);
        expect(f.compare('abc', '=', 3, 'number')).toBe(false);
        expect(f.compare('2024-05-01', '<', '2024-05-01T00:00:01Z', 'time')).toBe(true);
        expect(f.compare('2024-05-01T10:00', '=', '2024-05-01T10:00:00Z', 'time')).toBe(true); // no zone means UTC
        expect(f.compare(true, '=', 'true', 'bool')).toBe(true);
        expect(f.compare(undefined, '=', null, 'text')).toBe(true);
        expect(f.compare(undefined, '<', 1, 'number')).toBe(false);
        expect(f.compare(undefined, '!=', 1, 'number')).toBe(true);
    });
});

describe('filters', () => {
    test('the filter names of the language', () => {
        expect(filterNames).toEqual(['upper', 'lower', 'trim', 'default', 'count', 'truncate', 'date', 'money', 'raw']);
        for (const name of filterNames) expect(typeof (f as Record<string, unknown>)[name]).toBe('function');
    });

    test('missing inputs stay missing so default can apply', () => {
        for (const name of ['upper', 'lower', 'trim', 'truncate', 'date', 'money'] as const) {
            expect((f[name] as (v: unknown, a?: unknown) => unknown)(undefined, 3)).toBeUndefined();
        }
        expect(f.default(undefined, 'x')).toBe('x');
        expect(f.default('', 'x')).toBe('x');
        expect(f.default(0, 5)).toBe(0);
    });

    test('truncate counts characters, not UTF-16 units', () => {
        expect(f.truncate('😀😀😀', 2)).toBe('😀😀…');
        expect(f.truncate('abc', 3)).toBe('abc');
        expect(f.truncate('hello world', 6)).toBe('hello…');
    });

    test('date', () => {
        expect(f.date('2024-01-02T03:04:05Z', 'yyyy/MM/dd HH-mm-ss')).toBe('2024/01/02 03-04-05');
        expect(f.date(Date.UTC(2020, 11, 31), 'dd.MM.yyyy')).toBe('31.12.2020');
        expect(f.date(new Date(Date.UTC(1999, 0, 1, 23)), 'HH')).toBe('23');
        expect(f.date('not a date', 'yyyy')).toBe('not a date');
    });

    test('money', () => {
        expect(f.money(1234.5, 'EUR')).toBe('€1,234.50');
        expect(f.money('19.9', 'GBP')).toBe('£19.90');
        expect(f.money(5, 'NOPE')).toBe('5 NOPE');
        expect(f.money(5, '')).toBe('5');
        expect(f.money('abc', 'EUR')).toBe('abc');
    });

    test('money keeps recent strings per currency without mixing them up', () => {
        const amounts = Array.from({ length: 5000 }, (_, i) => (i % 3000) / 4);
        const fresh = (amount: number, code: string) => new Intl.NumberFormat('en', { style: 'currency', currency: code }).format(amount);
        for (const code of ['EUR', 'USD', 'eur']) for (const amount of amounts) expect(f.money(amount, code)).toBe(fresh(amount, code));
        expect([f.money(0, 'EUR'), f.money(-0, 'EUR'), f.money(0, 'EUR'), f.money(-0, 'EUR')]).toEqual(['€0.00', '-€0.00', '€0.00', '-€0.00']);
    });

    test('the object passed to templates is frozen', () => {
        expect(Object.isFrozen(f)).toBe(true);
    });
});
