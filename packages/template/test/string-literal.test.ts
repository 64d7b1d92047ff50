import { describe, expect, test } from 'vitest';
import { decodeStringLiteral } from '../src/string-literal.js';

/** The source characters each value character came from (escape sequences show their backslash). */
function sources(source: string): string[] {
    const { value, offsets } = decodeStringLiteral(source);
    return [...value].map((_, i) => source[offsets[i]!]!);
}

describe('decodeStringLiteral: quoted strings', () => {
    test('plain double and single quoted strings map one to one', () => {
        expect(decodeStringLiteral('"Hi {{ x }}"')).toEqual({ value: 'Hi {{ x }}', offsets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
        expect(decodeStringLiteral("'ab'")).toEqual({ value: 'ab', offsets: [1, 2, 3] });
        expect(decodeStringLiteral('""')).toEqual({ value: '', offsets: [1] });
    });

    test('escapes decode and point at their backslash', () => {
        const source = String.raw`"a\"b\'c\\d\ne\tf"`;
        const { value, offsets } = decodeStringLiteral(source);
        expect(value).toBe('a"b\'c\\d\ne\tf');
        expect(offsets).toEqual([1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17]);
        expect(offsets[offsets.length - 1]).toBe(source.length - 1); // the closing quote
    });

    test('\\u{...} escapes, including characters outside the BMP', () => {
        const source = String.raw`"x\u{e9}y\u{1F600}z"`;
        const { value, offsets } = decodeStringLiteral(source);
        expect(value).toBe('xéy😀z');
        // 😀 is two UTF-16 units; both come from the escape at offset 9.
        expect(offsets).toEqual([1, 2, 8, 9, 9, 18, 19]);
    });

    test('unknown escapes keep the escaped character', () => {
        expect(decodeStringLiteral(String.raw`'a\qb\$'`).value).toBe('aqb$');
        expect(decodeStringLiteral(String.raw`'\u{zz}'`).value).toBe('u{zz}');
    });

    test('a range in the value maps back to the source, end included', () => {
        const source = String.raw`"Hi \"{{ frstName }}\""`;
        const { value, offsets } = decodeStringLiteral(source);
        const start = value.indexOf('frstName');
        const end = start + 'frstName'.length;
        expect(source.slice(offsets[start], offsets[end])).toBe('frstName');
        // A range running to the end of the value ends at the closing quote.
        expect(source.slice(offsets[value.indexOf('{{')], offsets[value.length])).toBe(String.raw`{{ frstName }}\"`);
    });

    test('an unterminated literal decodes what there is, without throwing', () => {
        expect(decodeStringLiteral('"abc')).toEqual({ value: 'abc', offsets: [1, 2, 3, 4] });
        expect(decodeStringLiteral(String.raw`"abc\"`).value).toBe('abc"');
    });
});

describe('decodeStringLiteral: triple-quoted text', () => {
    test('drops the first and last line breaks and the common indentation', () => {
        const source = '"""\n    Hi {{ firstName }},\n      indented\n\n    bye\n  """';
        const { value, offsets } = decodeStringLiteral(source);
        expect(value).toBe('Hi {{ firstName }},\n  indented\n\nbye');
        expect(offsets).toHaveLength(value.length + 1);
        expect(sources(source).join('')).toBe(value); // every character comes from itself
        expect(offsets[0]).toBe(source.indexOf('Hi'));
        expect(offsets[value.indexOf('indented') - 2]).toBe(source.indexOf('  indented'));
        expect(offsets[value.indexOf('bye')]).toBe(source.indexOf('bye'));
        // The line breaks map to their own position in the source.
        expect(offsets[value.indexOf('\n')]).toBe(source.indexOf(',\n') + 1);
        expect(offsets[value.length]).toBe(source.length - 3); // closing quotes
    });

    test('a template inside triple quotes maps its ranges to the source', () => {
        const source = '"""\n\t\tHello {{ frstName }}\n\t\t{{ cartUrl }}\n\t"""';
        const { value, offsets } = decodeStringLiteral(source);
        expect(value).toBe('Hello {{ frstName }}\n{{ cartUrl }}');
        const start = value.indexOf('cartUrl');
        expect(source.slice(offsets[start], offsets[start + 'cartUrl'.length])).toBe('cartUrl');
    });

    test('blanks after the opening quotes are dropped with the first line break; CRLF becomes \\n', () => {
        const source = '"""  \r\n  a\r\n  b\r\n"""';
        const { value, offsets } = decodeStringLiteral(source);
        expect(value).toBe('a\nb');
        expect(offsets).toEqual([source.indexOf('a'), source.indexOf('a') + 1, source.indexOf('b'), source.length - 3]);
    });

    test('backslashes are literal in triple-quoted text', () => {
        expect(decodeStringLiteral('"""\n  C:\\temp\\n\n  """').value).toBe('C:\\temp\\n');
    });

    test('single-line triple quotes keep their blanks; text on the first line is kept', () => {
        expect(decodeStringLiteral('"""  x """').value).toBe('  x ');
        expect(decodeStringLiteral('"""first\n    second"""').value).toBe('first\n    second');
        expect(decodeStringLiteral('""""""')).toEqual({ value: '', offsets: [3] });
    });

    test('indentation of blank lines does not count', () => {
        const source = '"""\n    a\n  \n    b\n"""';
        expect(decodeStringLiteral(source).value).toBe('a\n\nb');
    });
});
