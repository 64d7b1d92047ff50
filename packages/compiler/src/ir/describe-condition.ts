// Conditions back in the language's words, for explanations: `not opened`, `cartTotal >= 100`.
import type { ConditionIR, LiteralIR, OperandIR } from './rule-ir.js';

function pathText(path: (string | number)[]): string {
    return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

function operandText(o: OperandIR): string {
    const path = (o.source === 'profile' ? 'profile.' : '') + pathText(o.path);
    return o.kind === 'count' ? `count(${path})` : path;
}

function literalText(l: LiteralIR): string {
    return l.type === 'string' ? JSON.stringify(l.value) : String(l.value);
}

export function describeCondition(c: ConditionIR): string {
    switch (c.kind) {
        case 'and': return c.items.map(i => wrap(i, 'and')).join(' and ');
        case 'or': return c.items.map(i => wrap(i, 'or')).join(' or ');
        case 'not': return `not ${wrap(c.item, 'not')}`;
        case 'engagement': return `${c.what}${c.byPerson ? ' by a person' : ''}${c.link !== undefined ? ` link ${JSON.stringify(c.link)}` : ''}`;
        case 'since': return `${c.event}${c.match.kind === 'same' ? ` with same ${c.match.on.map(p => p.field).join(', ')}` : ''} since sent`;
        case 'compare': {
            const left = operandText(c.operand);
            if (c.op === 'is empty' || c.op === 'is not empty') return `${left} ${c.op}`;
            if (c.op === 'in' || c.op === 'not in') return `${left} ${c.op} (${c.values.map(literalText).join(', ')})`;
            return `${left} ${c.op} ${literalText(c.values[0]!)}`;
        }
    }
}

function wrap(c: ConditionIR, parent: 'and' | 'or' | 'not'): string {
    const needs = (c.kind === 'or' && parent !== 'or') || (c.kind === 'and' && parent === 'not');
    return needs ? `(${describeCondition(c)})` : describeCondition(c);
}

/** The top-level conjuncts of a condition: each is explained on its own, the first that fails named. */
export function conjuncts(c: ConditionIR | null): ConditionIR[] {
    if (!c) return [];
    return c.kind === 'and' ? c.items : [c];
}
