// A small TextMate tokenizer, enough to run the extension's grammars in a test: `match` and
// `begin`/`end` rules with captures, `include` of repository rules, and injection grammars (with
// their `L:` priority and `-exclusions`). Oniguruma is not installed, so regexes run as JavaScript
// RegExps: the grammars keep to the syntax the two share. It is not VS Code's engine: it shows that
// the rules do what they say, not how a theme colours them.

export interface GrammarRule {
    name?: string;
    contentName?: string;
    match?: string;
    begin?: string;
    end?: string;
    include?: string;
    captures?: Record<string, { name?: string }>;
    beginCaptures?: Record<string, { name?: string }>;
    endCaptures?: Record<string, { name?: string }>;
    patterns?: GrammarRule[];
}

export interface Grammar {
    scopeName: string;
    injectionSelector?: string;
    patterns: GrammarRule[];
    repository?: Record<string, GrammarRule>;
}

export interface Token { text: string; scopes: string[] }

interface Frame { rule: GrammarRule; grammar: Grammar; end: RegExp; scopes: string[] }

interface Candidate { rule: GrammarRule; grammar: Grammar; match: RegExpExecArray; isEnd: boolean; priority: boolean }

const regexCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
    let compiled = regexCache.get(source);
    if (!compiled) { compiled = new RegExp(source, 'dg'); regexCache.set(source, compiled); }
    return compiled;
}

/** The rules `patterns` stand for once every `include` is replaced by what it names. */
function expand(patterns: GrammarRule[], grammar: Grammar, seen = new Set<GrammarRule>()): GrammarRule[] {
    return patterns.flatMap(rule => {
        if (rule.include === undefined) return [rule];
        if (rule.include === '$self') return expand(grammar.patterns, grammar, seen);
        const named = grammar.repository?.[rule.include.replace(/^#/, '')];
        if (!named) throw new Error(`${grammar.scopeName}: no repository rule ${rule.include}`);
        if (seen.has(named)) return [];
        seen.add(named);
        const result = named.match !== undefined || named.begin !== undefined ? [named] : expand(named.patterns ?? [], grammar, seen);
        seen.delete(named);
        return result;
    });
}

const hasScope = (scopes: string[], selector: string) => scopes.some(s => s === selector || s.startsWith(`${selector}.`));

/** Whether an injection selector (`L:a.b -c, R:d`) applies to a scope stack, and with left priority. */
export function selectorMatches(selector: string, scopes: string[]): { matches: boolean; priority: boolean } {
    for (const alternative of selector.split(',').map(s => s.trim())) {
        const priority = alternative.startsWith('L:');
        const terms = alternative.replace(/^[LR]:/, '').split(/\s+/).filter(Boolean);
        const required = terms.filter(t => !t.startsWith('-'));
        const excluded = terms.filter(t => t.startsWith('-')).map(t => t.slice(1));
        if (required.every(t => hasScope(scopes, t)) && !excluded.some(t => hasScope(scopes, t))) return { matches: true, priority };
    }
    return { matches: false, priority: false };
}

function capturedTokens(match: RegExpExecArray, captures: GrammarRule['captures'], scopes: string[]): Token[] {
    const [start, end] = match.indices![0]!;
    const line = match.input;
    // Each character's scopes: the rule's, then those of every capture group covering it.
    const perChar = Array.from({ length: end - start }, () => [...scopes]);
    for (const [group, capture] of Object.entries(captures ?? {})) {
        const span = match.indices![Number(group)];
        if (!span || !capture.name) continue;
        for (let i = span[0]; i < span[1]; i++) perChar[i - start]!.push(capture.name);
    }
    const tokens: Token[] = [];
    for (let i = 0; i < perChar.length; i++) {
        const last = tokens[tokens.length - 1];
        if (last && last.scopes.join(' ') === perChar[i]!.join(' ')) last.text += line[start + i];
        else tokens.push({ text: line[start + i]!, scopes: perChar[i]! });
    }
    return tokens;
}

/** Tokenizes `text` line by line with `grammar` and the injection grammars whose selectors apply. */
export function tokenize(grammar: Grammar, text: string, injections: Grammar[] = []): Token[][] {
    const stack: Frame[] = [];
    return text.split('\n').map(line => {
        const tokens: Token[] = [];
        const push = (piece: string, scopes: string[]) => { if (piece) tokens.push({ text: piece, scopes }); };
        let position = 0;
        for (let guard = 0; position <= line.length && guard < 10_000; guard++) {
            const frame = stack[stack.length - 1];
            const scopes = frame ? frame.scopes : [grammar.scopeName];
            const contentScopes = frame?.rule.contentName ? [...scopes, frame.rule.contentName] : scopes;
            const candidates: Candidate[] = [];
            const tryRule = (rule: GrammarRule, owner: Grammar, priority: boolean, isEnd = false, pattern?: RegExp) => {
                const re = pattern ?? regex((rule.match ?? rule.begin)!);
                re.lastIndex = position;
                const match = re.exec(line);
                if (match) candidates.push({ rule, grammar: owner, match, isEnd, priority });
            };
            for (const injection of injections) {
                const applies = selectorMatches(injection.injectionSelector ?? '', contentScopes);
                if (applies.matches) for (const rule of expand(injection.patterns, injection)) tryRule(rule, injection, applies.priority);
            }
            if (frame) tryRule(frame.rule, frame.grammar, false, true, frame.end);
            const owner = frame ? frame.grammar : grammar;
            for (const rule of expand(frame ? frame.rule.patterns ?? [] : grammar.patterns, owner)) tryRule(rule, owner, false);
            // The earliest match wins; at the same place a left-priority injection, then the end
            // pattern, then the first rule listed.
            const best = candidates.reduce<Candidate | undefined>((a, b) => {
                if (!a) return b;
                if (b.match.index !== a.match.index) return b.match.index < a.match.index ? b : a;
                if (b.priority && !a.priority) return b;
                if (b.isEnd && !a.isEnd && !a.priority) return b;
                return a;
            }, undefined);
            if (!best) { push(line.slice(position), contentScopes); break; }
            push(line.slice(position, best.match.index), contentScopes);
            const matchEnd = best.match.index + best.match[0].length;
            if (best.isEnd) {
                tokens.push(...capturedTokens(best.match, best.rule.endCaptures ?? best.rule.captures, scopes));
                stack.pop();
            } else if (best.rule.match !== undefined) {
                const ruleScopes = best.rule.name ? [...contentScopes, best.rule.name] : contentScopes;
                tokens.push(...capturedTokens(best.match, best.rule.captures, ruleScopes));
            } else {
                const ruleScopes = best.rule.name ? [...contentScopes, best.rule.name] : contentScopes;
                tokens.push(...capturedTokens(best.match, best.rule.beginCaptures ?? best.rule.captures, ruleScopes));
                stack.push({ rule: best.rule, grammar: best.grammar, end: regex(best.rule.end!), scopes: ruleScopes });
            }
            if (matchEnd === position && !best.isEnd) { push(line[position] ?? '', contentScopes); position++; }
            else position = matchEnd;
            if (position >= line.length && !(stack.length > 0 && regex(stack[stack.length - 1]!.rule.end!).source.includes('$'))) break;
        }
        return tokens;
    });
}
