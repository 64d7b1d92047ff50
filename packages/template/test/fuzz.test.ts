// Random mutations of a realistic template: parsing and checking never throw, diagnostics stay
// inside the text, and whatever checks without errors compiles and renders.
import { expect, test } from 'vitest';
import { checkTemplate, compileTemplate, parseTemplate } from '../src/index.js';
import { renderProgram, sampleData, withProfile } from './fixtures.js';

const sample = [
    '<p>Hi {{ firstName | default(\'there\') | upper }},</p>',
    '{{#each items as item}}<li>{{ item.name | truncate(20) }} x{{ item.quantity }} = {{ item.price | money(currency) }}</li>{{/each}}',
    '{{#if cartTotal > 100 and not (nickname = "x" or points <= -2.5)}}big{{else}}{{ count(items) }} items{{/if}}',
    "{{ abandonedAt | date('yyyy-MM-dd') }} {{ profile.country }} {{ items[0].sku | raw }} {{ event.cartUrl }} `${x}` <% y %>",
].join('\n');

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const pieces = ['{', '}', '{{', '}}', '#', '/', '|', '(', ')', "'", '"', '.', '[', ']', ',', ' ', '\n', '-', '=', '<', '>', '!', '`', '$', '\\',
    'a', '0', '9', 'each', 'if', 'else', 'as', 'not', 'and', 'or', 'count', 'upper', 'raw', 'item', 'items', 'true', '{{/if}}', '{{#each tags as t}}', '{{else}}', '😀'];

function mutate(text: string, rnd: () => number): string {
    let out = text;
    const edits = 1 + Math.floor(rnd() * 4);
    for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (out.length + 1));
        const kind = rnd();
        if (kind < 0.4) {
            out = out.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)] + out.slice(at);
        } else if (kind < 0.7) {
            out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rnd() * 8));
        } else if (kind < 0.85) {
            const from = Math.floor(rnd() * out.length);
            out = out.slice(0, at) + out.slice(from, from + Math.floor(rnd() * 30)) + out.slice(at);
        } else {
            out = out.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + out.slice(at + 1);
        }
    }
    return out;
}

test('2,000 random mutations never throw from parseTemplate / checkTemplate', () => {
    const rnd = random(20240501);
    let clean = 0;
    for (let i = 0; i < 2000; i++) {
        const text = mutate(sample, rnd);
        let checked;
        try {
            parseTemplate(text);
            checked = checkTemplate(text, withProfile);
        } catch (error) {
            throw new Error(`mutation ${i} threw ${String(error)} on:\n${text}`);
        }
        for (const d of checked.diagnostics) {
            expect(d.start, text).toBeGreaterThanOrEqual(0);
            expect(d.end, text).toBeGreaterThanOrEqual(d.start);
            expect(d.end, text).toBeLessThanOrEqual(text.length);
            expect(d.code).toMatch(/^FU1\d\d$/);
        }
        if (!checked.diagnostics.some(d => d.severity === 'error')) {
            clean++;
            const program = compileTemplate(checked, 'html');
            expect(() => renderProgram(program, sampleData, { country: 'FR' }), text).not.toThrow();
        }
    }
    // The mutations are small enough that some still check clean, so rendering was exercised too.
    expect(clean).toBeGreaterThan(50);
});
