// Random mutations of source text: deleted, duplicated and swapped tokens and characters.
export type Rng = () => number;

/** A small seeded PRNG (mulberry32), so a failing mutant can be reproduced from its seed. */
export function rng(seed: number): Rng {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const tokenPattern = /"""[\s\S]*?"""|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\{\{|\}\}|[A-Za-z_][A-Za-z0-9_]*|\d+(?:[.:]\d+)?|\s+|./g;

interface Token { start: number; end: number }

function tokens(text: string): Token[] {
    return [...text.matchAll(tokenPattern)].filter(m => m[0].trim() !== '').map(m => ({ start: m.index!, end: m.index! + m[0].length }));
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const noise = ['{', '}', '(', ')', '"', "'", '<', '>', '=', '.', ',', '|', '?', ':', '`', '\\', '{{', '}}', 'not', 'and', 'or', '0', '-', '\n', '/*', '//'];

export const mutationKinds = [
    'delete-token', 'duplicate-token', 'swap-tokens', 'delete-char', 'duplicate-char', 'swap-chars', 'insert-noise',
] as const;
export type MutationKind = typeof mutationKinds[number];

export function mutate(text: string, r: Rng): { text: string; kind: MutationKind } {
    const kind = pick(r, mutationKinds);
    const toks = tokens(text);
    if (toks.length < 2 || text.length < 2) return { text, kind };
    const t = pick(r, toks);
    const i = Math.floor(r() * (text.length - 1));
    switch (kind) {
        case 'delete-token': return { kind, text: text.slice(0, t.start) + text.slice(t.end) };
        case 'duplicate-token': return { kind, text: text.slice(0, t.end) + ' ' + text.slice(t.start, t.end) + text.slice(t.end) };
        case 'swap-tokens': {
            const index = toks.indexOf(t);
            const u = toks[index + 1] ?? toks[index - 1]!;
            const [a, b] = t.start < u.start ? [t, u] : [u, t];
            return { kind, text: text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end) };
        }
        case 'delete-char': return { kind, text: text.slice(0, i) + text.slice(i + 1) };
        case 'duplicate-char': return { kind, text: text.slice(0, i + 1) + text[i] + text.slice(i + 1) };
        case 'swap-chars': return { kind, text: text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2) };
        case 'insert-noise': return { kind, text: text.slice(0, i) + pick(r, noise) + text.slice(i) };
    }
}
