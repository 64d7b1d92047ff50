// "Nothing read from a plan file becomes code" (issue 12). A compiled plan is read from disk, as
// `followup run --plans` will read it, and its templates are tampered with the ways a plan/1 file
// (Eta source) could have been abused and the ways a program could be: the runtime either refuses
// the plan, naming where, or renders the injected text as text. The injected code would set a
// global canary or exit the process; neither happens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { createRenderer } from '../../packages/runtime/src/render/message-renderer.js';
import { templateFilters } from '../../packages/template/src/runtime.js';

const repo = path.resolve(import.meta.dirname, '../..');
const planFile = path.join(repo, 'test/golden/cart-abandonment/cartAbandonment_followup_email.plan.json');

const canary = '__followupTamperCanary';
const attacks = [
    `globalThis.${canary} = 1`,
    `it.constructor.constructor('globalThis.${canary} = 1')()`,
    `this.constructor.constructor('process.exit(7)')()`,
    'process.exit(7)',
];
/** What a plan/1 file's Eta source could have carried, as tags and as breaking out of a string. */
const injections = attacks.flatMap(code => [`<%= ${code} %>`, `<%~ ${code} %>`, `<% ${code} %>`, `" %><% ${code} %><%~ "`, `\${${code}}`]);

const event = {
    firstName: 'Ann', cartTotal: 120.5, currency: 'EUR', cartUrl: 'https://shop.example/cart',
    items: [{ sku: 'A1', name: 'Mug', price: 12, quantity: 2 }],
};

/** A fresh copy of the compiled plan, as read from its file. */
function readPlan(): RenderPlan {
    return JSON.parse(fs.readFileSync(planFile, 'utf8')) as RenderPlan;
}

/** The plan's templates after `tamper` changed its JSON (the html part's program, say). */
function tampered(tamper: (templates: Record<string, { program: unknown[] } & Record<string, unknown>>) => void): RenderPlan['templates'] {
    const plan = readPlan();
    tamper(plan.templates as never);
    return plan.templates;
}

let exit: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
    delete (globalThis as Record<string, unknown>)[canary];
    exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => { throw new Error(`process.exit(${code}) was called`); }) as never);
});
afterEach(() => {
    expect((globalThis as Record<string, unknown>)[canary], 'the injected code ran').toBeUndefined();
    expect(exit).not.toHaveBeenCalled();
    exit.mockRestore();
});

describe('a tampered plan runs no code', () => {
    it('the plan as compiled renders (the baseline the attacks start from)', () => {
        expect(readPlan().format).toBe('followup.plan/2');
        const content = createRenderer(readPlan().templates)(event, null);
        expect(content.subject).toBe('Ann, your cart is waiting');
        expect(content.html).toContain('<td>Mug</td>');
    });

    it('Eta tags and JavaScript in text nodes and string literals render as the text they are', () => {
        for (const injection of injections) {
            const templates = tampered(t => {
                t['subject']!.program.push({ kind: 'text', value: injection });
                t['text']!.program = [{
                    kind: 'output', escape: false,
                    expr: { kind: 'filter', name: 'default', input: { kind: 'path', base: 'event', keys: ['nickname'] }, args: [{ kind: 'string', value: injection }] },
                }];
                t['html']!.program.unshift({ kind: 'output', escape: true, expr: { kind: 'string', value: injection } });
            });
            const content = createRenderer(templates)(event, null);
            expect(content.subject).toBe(`Ann, your cart is waiting${injection}`);
            expect(content.text).toBe(injection);
            expect(content.html!.startsWith(templateFilters.escape(injection))).toBe(true);
        }
    });

    it('an Eta source where the program should be (a plan/1 template) is refused', () => {
        const templates = tampered(t => {
            const html = t['html']!;
            delete (html as Record<string, unknown>)['program'];
            html['eta'] = `<%= ${attacks[0]} %>`;
        });
        expect(() => createRenderer(templates)).toThrow('Invalid template program at templates.html.program: expected a list of template nodes, found undefined');
    });

    it.each([
        ['a filter named constructor', (p: unknown[]) => p.push({ kind: 'output', escape: true, expr: { kind: 'filter', name: 'constructor', input: { kind: 'string', value: `globalThis.${canary} = 1` }, args: [] } }),
            'templates.html.program[11].expr.name: unknown filter "constructor"'],
        ['a filter named __proto__', (p: unknown[]) => p.push(JSON.parse('{"kind":"output","escape":true,"expr":{"kind":"filter","name":"__proto__","input":{"kind":"boolean","value":true},"args":[]}}')),
            'templates.html.program[11].expr.name: unknown filter "__proto__"'],
        ['an unknown node kind carrying code', (p: unknown[]) => p.push({ kind: 'eta', source: `<%= ${attacks[0]} %>` }),
            'templates.html.program[11].kind: unknown template node kind "eta"'],
        ['an extra key beside a node\'s own', (p: unknown[]) => p.push({ kind: 'text', value: '', eta: `<%= ${attacks[0]} %>` }),
            'templates.html.program[11].eta: unknown key "eta" in a text node'],
        ['__proto__ as a node key', (p: unknown[]) => p.push(JSON.parse(`{"kind":"text","value":"","__proto__":{"polluted":true}}`)),
            'templates.html.program[11].__proto__: unknown key "__proto__" in a text node'],
        ['a loop variable of no enclosing loop', (p: unknown[]) => p.push({ kind: 'output', escape: true, expr: { kind: 'path', base: 'loop', loop: 0, keys: [] } }),
            'templates.html.program[11].expr.loop: refers to a loop variable (number 0) outside any #each'],
        ['HTML escaping turned into something else', (p: unknown[]) => p.push({ kind: 'output', escape: 'raw', expr: { kind: 'string', value: '<b>' } }),
            'templates.html.program[11].escape: expected true or false'],
    ])('%s is refused, naming where', (_, tamper, message) => {
        expect(readPlan().templates.html!.program).toHaveLength(11);
        const templates = tampered(t => { tamper(t['html']!.program); });
        expect(() => createRenderer(templates)).toThrow(`Invalid template program at ${message}`);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('keys that name prototype properties read nothing (own properties only)', () => {
        const templates = tampered(t => {
            t['subject']!.program = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'].flatMap(key => [
                { kind: 'output', escape: false, expr: { kind: 'path', base: 'event', keys: [key] } },
                { kind: 'output', escape: false, expr: { kind: 'path', base: 'event', keys: [key, 'constructor', 'constructor'] } },
                { kind: 'output', escape: false, expr: { kind: 'path', base: 'profile', keys: [key, 'name'] } },
                { kind: 'text', value: '|' },
            ]);
        });
        expect(createRenderer(templates)(event, null).subject).toBe('||||');
    });
});
