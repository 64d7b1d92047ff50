// Binds a compiled query's parameters the way docs/language.md §8 defines them: the runtime supplies the
// ones without a value (`$1`, `$2`), the plan carries the rule's values (`$3`...).
import type { RuleQuery } from '@followup/compiler';

export function bindParameters(query: RuleQuery, runtime: readonly unknown[]): unknown[] {
    const sorted = [...query.parameters].sort((a, b) => a.index - b.index);
    return sorted.map((p, i) => {
        if (p.index !== i + 1) throw new Error(`the plan's parameters are not numbered 1..n: found $${p.index} at position ${i + 1}`);
        if (p.value === undefined) {
            if (i >= runtime.length) throw new Error(`no runtime value for $${p.index} (${p.name})`);
            return runtime[i];
        }
        // The pg driver turns a top-level JS array into a PostgreSQL array literal: jsonb gets JSON text.
        if (p.type === 'jsonb' && typeof p.value !== 'string') return JSON.stringify(p.value);
        return p.value;
    });
}
