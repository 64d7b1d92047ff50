// validateProgram: a template program read from a plan file is accepted only if it is exactly the
// data the compiler emits, and the error names the JSON path of the first thing that is not.
import { describe, expect, test } from 'vitest';
import {
    checkTemplate, compileTemplate, filterNames, programRenderer, TemplateProgramError, validateProgram,
} from '../src/index.js';
import { maxProgramDepth, maxProgramSize, programFilterNames } from '../src/runtime.js';
import { html, sampleData, withProfile } from './fixtures.js';

const firstName = { kind: 'path', base: 'event', keys: ['firstName'] };
const output = (expr: unknown, escape = true) => ({ kind: 'output', escape, expr });
const filter = (name: string, args: unknown[] = [], input: unknown = firstName) => ({ kind: 'filter', name, input, args });
const each = (body: unknown[], list: unknown = { kind: 'path', base: 'event', keys: ['items'] }) => ({ kind: 'each', list, body });
const loop = (index: number, keys: unknown[] = []) => ({ kind: 'path', base: 'loop', loop: index, keys });

/** The error validateProgram throws for `program` (parsed from JSON, as from a plan file). */
function refusal(program: unknown): TemplateProgramError {
    try {
        validateProgram(JSON.parse(JSON.stringify(program)));
    } catch (error) {
        if (error instanceof TemplateProgramError) return error;
        throw error;
    }
    throw new Error(`accepted: ${JSON.stringify(program)}`);
}

describe('validateProgram accepts', () => {
    test('whatever the compiler emits, through JSON', () => {
        const template = [
            "<p>{{ firstName | default('there') | upper }} {{ firstName | raw }}</p>",
            '{{#each orders as o}}{{ o.ref }}{{#each o.lines as l}}{{ l.qty }}x{{ o.ref }}{{/each}}{{/each}}',
            "{{#if cartTotal > 100 and not (nickname = 'x' or points <= -2.5) or count(items) >= 2}}big{{else}}{{ items[0].name | truncate(3) }}{{/if}}",
            "{{ abandonedAt | date('yyyy') }} {{ cartTotal | money(currency) }} {{ true }} {{ 1.5 }} {{#if loyaltyMember}}L{{/if}} {{ profile.country }}",
        ].join('');
        const program = compileTemplate(checkTemplate(template, withProfile), 'html');
        const parsed = JSON.parse(JSON.stringify(program));
        expect(validateProgram(parsed)).toEqual(program);
    });

    test('and returns a copy: what renders is what was checked, whatever happens to the input after', () => {
        const input = [{ kind: 'text', value: 'checked' }] as { kind: string; value: string }[];
        const valid = validateProgram(input);
        input[0]!.kind = 'code';
        input[0]!.value = 'changed';
        expect(programRenderer(valid)({}, {})).toBe('checked');
    });

    test('an empty program, and keys that are prototype names (they read own properties only)', () => {
        expect(programRenderer(validateProgram([]))({}, {})).toBe('');
        const program = JSON.parse('[{"kind":"output","escape":true,"expr":{"kind":"path","base":"event","keys":["__proto__","constructor"]}},'
            + '{"kind":"output","escape":false,"expr":{"kind":"path","base":"event","keys":["constructor","name"]}}]');
        const render = programRenderer(validateProgram(program));
        expect(render(sampleData, {})).toBe('');
        expect(render(JSON.parse('{"__proto__":{"constructor":"own"},"constructor":{"name":"<b>"}}'), {})).toBe('own<b>');
    });
});

describe('validateProgram refuses, naming where', () => {
    test.each([
        ['not a list', { kind: 'text', value: 'x' }, 'program', 'expected a list of template nodes, found an object'],
        ['a node that is not an object', ['x'], 'program[0]', 'expected template node, found "x"'],
        ['an unknown node kind', [{ kind: 'code', source: 'process.exit(7)' }], 'program[0].kind', 'unknown template node kind "code" (expected text, output, each, if)'],
        ['a node without a kind', [{ value: 'x' }], 'program[0].kind', 'unknown template node kind undefined'],
        ['an unknown key', [{ kind: 'text', value: 'x', eta: '<%= 1 %>' }], 'program[0].eta', 'unknown key "eta" in a text node (expected kind, value)'],
        ['a missing key', [{ kind: 'output', expr: firstName }], 'program[0]', 'an output node without "escape"'],
        ['text that is not a string', [{ kind: 'text', value: 7 }], 'program[0].value', 'expected a string, found number 7'],
        ['escape that is not a boolean', [output(firstName, 'yes' as never)], 'program[0].escape', 'expected true or false, found "yes"'],
        ['a filter named constructor', [output(filter('constructor'))], 'program[0].expr.name', "unknown filter \"constructor\" (expected upper, lower, trim, default, count, truncate, date, money, raw)"],
        ['a filter named __proto__', [output(filter('__proto__'))], 'program[0].expr.name', 'unknown filter "__proto__"'],
        ['a filter named toString', [output(filter('toString'))], 'program[0].expr.name', 'unknown filter "toString"'],
        ['a helper that is not a filter', [output(filter('get', [{ kind: 'string', value: 'x' }]))], 'program[0].expr.name', 'unknown filter "get"'],
        ['a filter with the wrong number of arguments', [output(filter('upper', [{ kind: 'string', value: 'x' }]))], 'program[0].expr.args', "filter 'upper' takes 0 arguments, found 1"],
        ['a filter as a filter argument', [output(filter('default', [filter('upper')]))], 'program[0].expr.args[0].kind', 'unknown operand kind "filter"'],
        ['a key that is neither a name nor an index', [output({ kind: 'path', base: 'event', keys: [-1] })], 'program[0].expr.keys[0]', 'expected a field name or a list index (an integer ≥ 0), found number -1'],
        ['a fractional index', [output({ kind: 'path', base: 'event', keys: ['items', 1.5] })], 'program[0].expr.keys[1]', 'found number 1.5'],
        ['a key that is an object', [output({ kind: 'path', base: 'event', keys: [{ toString: 'x' }] })], 'program[0].expr.keys[0]', 'found an object'],
        ['an unknown base', [output({ kind: 'path', base: 'globalThis', keys: ['process'] })], 'program[0].expr.base', 'unknown path base "globalThis" (expected event, profile, loop)'],
        ['a loop variable outside any loop', [output(loop(0))], 'program[0].expr.loop', 'refers to a loop variable (number 0) outside any #each'],
        ['a loop variable beyond the enclosing loops', [each([each([output(loop(2))])])], 'program[0].body[0].body[0].expr.loop', 'expected the index of an enclosing #each, 0 to 1, found number 2'],
        ['a loop index on an event path', [output({ ...firstName, loop: 0 })], 'program[0].expr.loop', 'a path from the event has no loop index'],
        ['an each over something else than a path', [each([], { kind: 'string', value: 'x' })], 'program[0].list.kind', 'unknown path kind "string"'],
        ['an unknown operator', [{ kind: 'if', condition: { kind: 'compare', op: '===', as: 'text', left: firstName, right: firstName }, then: [] }], 'program[0].condition.op', 'unknown comparison operator "==="'],
        ['an unknown comparison kind', [{ kind: 'if', condition: { kind: 'compare', op: '=', as: 'object', left: firstName, right: firstName }, then: [] }], 'program[0].condition.as', 'unknown comparison kind "object"'],
        ['an unknown condition', [{ kind: 'if', condition: { kind: 'js', source: 'true' }, then: [] }], 'program[0].condition.kind', 'unknown condition kind "js"'],
        ['an else that is not a list', [{ kind: 'if', condition: { kind: 'truthy', expr: firstName }, then: [], else: 'x' }], 'program[0].else', 'expected a list of template nodes, found "x"'],
        ['a number that is not one', [output({ kind: 'number', value: '1' })], 'program[0].expr.value', 'expected a finite number, found "1"'],
        ['a key with an awkward name', [{ kind: 'text', value: 'x', 'a-b': 1 }], 'program[0]["a-b"]', 'unknown key "a-b"'],
    ])('%s', (_, program, path, problem) => {
        const error = refusal(program);
        expect(error.path).toBe(path);
        expect(error.problem).toContain(problem);
        expect(error.message).toBe(`Invalid template program at ${path}: ${error.problem}`);
    });

    test('__proto__ as a key of a node, as JSON.parse makes it (an own property)', () => {
        const error = refusal(JSON.parse('[{"kind":"text","value":"x","__proto__":{"kind":"output"}}]'));
        expect([error.path, error.problem]).toEqual(['program[0].__proto__', 'unknown key "__proto__" in a text node (expected kind, value)']);
    });

    test('the root path can be named', () => {
        expect(() => validateProgram({}, 'templates.html.program')).toThrow('Invalid template program at templates.html.program: expected a list');
    });

    test('objects that did not come from JSON: accessors, other prototypes, holes', () => {
        let read = false;
        const getter = [{ kind: 'text', get value() { read = true; return 'x'; } }];
        expect(() => validateProgram(getter)).toThrow('Invalid template program at program[0].value: is an accessor, not data');
        expect(read).toBe(false);
        expect(() => validateProgram([new (class { kind = 'text'; value = 'x'; })()])).toThrow('expected a text node as a plain object');
        expect(() => validateProgram([, { kind: 'text', value: 'x' }])).toThrow('program: has a key 1 that is not the next index');
    });

    test('depth and size are bounded', () => {
        let deep: unknown = firstName;
        for (let i = 0; i < maxProgramDepth; i++) deep = filter('upper', [], deep);
        expect(refusal([output(deep)]).problem).toBe(`nested more than ${maxProgramDepth} deep`);
        const wide = Array.from({ length: maxProgramSize + 1 }, () => ({ kind: 'text', value: '' }));
        expect(refusal(wide).problem).toBe(`more than ${maxProgramSize} nodes`);
    });
});

test('the filters a program may call are the language\'s', () => {
    expect([...programFilterNames].sort()).toEqual([...filterNames].sort());
});

test('a number literal beyond a double is refused by the compiler, not written as null', () => {
    expect(() => compileTemplate(checkTemplate(`{{ ${'9'.repeat(400)} }}`, html), 'html')).toThrow(/too large/);
});
