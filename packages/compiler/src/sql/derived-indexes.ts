// The indexes a project's rules need beyond the store's own (migrations): one per distinct lookup the
// compiled SQL makes by a JSON key. Today that is every `since` condition: `SELECT 1 FROM events s WHERE
// s.type = $n AND s.occurred_at > d.sent_at AND s.occurred_at <= now AND <s's field> = <e's field> ...`
// (an EXISTS, or a lateral probe: rule-queries.ts) is probed once per candidate, and without an index
// on the other event's field it reads every event of that type since the delivery (measured: 15.6 s
// for 200,000 carts and 200,000 purchases; 62 ms with the index). The index expression is built by the same dialect calls as the
// query's (`jsonText`, `normaliseEmail`), so the planner matches them exactly.
//
// What needs none: field filters and `count(...)` read the event joined by primary key to each
// delivery of the window (the window's range scan drives every selection); the recipient's joins
// (suppressions, the profile's versions, caps) are on plain columns the migrations index.
import { createHash } from 'node:crypto';
import { compareText, postgresCreateIndex } from '@followup/values';
import type { ConditionIR, RuleIR } from '../ir/rule-ir.js';
import type { Dialect } from './dialect.js';

export interface DerivedIndex {
    /** Deterministic: a readable part and a hash of the definition (the same index has the same name in every project). */
    name: string;
    table: 'events';
    /** The indexed expressions and columns, in order, as the query writes them (without the table's alias). */
    columns: string[];
    /** Plain columns carried in the index so that the probe needs no visit of the table. */
    include: string[];
    /** Why: `since <event> (<fields>)`. */
    reason: string;
}

/** The indexes `ir`'s queries probe, in a deterministic order (by name). */
export function ruleIndexes(ir: RuleIR, dialect: Dialect): DerivedIndex[] {
    const found = new Map<string, DerivedIndex>();
    const visit = (c: ConditionIR | null): void => {
        if (!c) return;
        switch (c.kind) {
            case 'and': case 'or': c.items.forEach(visit); return;
            case 'not': visit(c.item); return;
            case 'since': {
                const keys = c.match.on.map(({ otherField, normalise }) => {
                    const text = dialect.jsonText('payload', [otherField]);
                    return normalise === 'email' ? dialect.normaliseEmail(text) : text;
                });
                const index = derivedIndex('events', ['type', ...keys, 'occurred_at'], ['id'],
                    `since ${c.event} (${c.match.on.map(o => o.otherField).join(', ')})`, `${c.event}_${c.match.on.map(o => o.otherField).join('_')}`);
                found.set(index.name, index);
                return;
            }
            default: return;
        }
    };
    visit(ir.condition);
    return [...found.values()].sort((a, b) => compareText(a.name, b.name));
}

/** Every index of every rule, each once, by name. */
export function projectIndexes(indexes: readonly (readonly DerivedIndex[])[]): DerivedIndex[] {
    const all = new Map<string, DerivedIndex>();
    for (const list of indexes) for (const index of list) if (!all.has(index.name)) all.set(index.name, index);
    return [...all.values()].sort((a, b) => compareText(a.name, b.name));
}

function derivedIndex(table: 'events', columns: string[], include: string[], reason: string, readable: string): DerivedIndex {
    const definition = `${table}|${columns.join('|')}|${include.join('|')}`;
    const hash = createHash('sha256').update(definition).digest('hex').slice(0, 10);
    // PostgreSQL cuts identifiers at 63 bytes: the readable part is ASCII and short.
    const words = readable.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').toLowerCase().slice(0, 36).replace(/^_|_$/g, '');
    return { name: `followup_${table}_${words}_${hash}`, table, columns, include, reason };
}

/** `indexes.sql`: every derived index of the project, with the rules that need it. */
export function indexesFile(indexes: readonly DerivedIndex[], rulesOf: (name: string) => string[]): string {
    const header = [
        '-- The indexes this project\'s rules need beyond the store\'s own (followup compile writes this file).',
        '-- followup run and followup serve create the missing ones when they start (on PostgreSQL with',
        '-- CREATE INDEX CONCURRENTLY, which does not block writes); run this file to create them beforehand.',
    ];
    if (indexes.length === 0) return `${header.join('\n')}\n-- (none: no rule probes events by a field)\n`;
    const blocks = indexes.map(index => `-- ${index.reason}: ${rulesOf(index.name).join(', ')}\n${postgresCreateIndex(index, { concurrently: true })};`);
    return `${header.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}
