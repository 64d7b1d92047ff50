/**
 * Compiles followup source held in memory and runs the compiled queries against a store, the way the
 * runtime binds them (docs/language.md §8): `$1`, `$2` supplied by the caller, `$3`.. from the plan.
 */
import { NodeFileSystem } from 'langium/node';
import { compileProject, type CompiledRule } from '@followup/compiler';
import { createFollowupServices, loadSources, unloadProject, type LoadedProject } from '@followup/language';
import { selectDue, type SelectedRow, type StoreTx } from '@followup/runtime';

export interface BoundQuery {
    sql: string;
    parameters: { index: number; name: string; type: string; value?: unknown }[];
}

const services = createFollowupServices(NodeFileSystem).Followup;

/** Parses, checks and compiles `sources` (path → text); throws with the diagnostics if there is any error. */
export async function compileSources(sources: Record<string, string>): Promise<{ project: LoadedProject; rules: Map<string, CompiledRule> }> {
    const project = await loadSources(sources, { services });
    try {
        if (project.errorCount > 0) {
            const shown = project.diagnostics
                .map(d => `  ${d.file.split('/').pop()}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`)
                .join('\n');
            throw new Error(`the sources do not check:\n${shown}`);
        }
        const compiled = compileProject(project);
        return { project, rules: new Map(compiled.map(r => [r.name, r])) };
    } finally {
        unloadProject(project);
    }
}

/** A compiled rule by name, or a clear error naming the ones there are. */
export function ruleNamed(rules: Map<string, CompiledRule>, name: string): CompiledRule {
    const rule = rules.get(name);
    if (!rule) throw new Error(`no compiled rule ${name}; there are: ${[...rules.keys()].join(', ')}`);
    return rule;
}

/** The full parameter list of `query`: `runtime` for the parameters without a value (`$1`, `$2`), the plan's values for the rest. */
export function bindParameters(query: BoundQuery, runtime: readonly unknown[]): unknown[] {
    const sorted = [...query.parameters].sort((a, b) => a.index - b.index);
    return sorted.map((p, i) => {
        if (p.index !== i + 1) throw new Error(`parameters are not numbered 1..n: found $${p.index} at position ${i + 1}`);
        if (p.value === undefined) {
            if (i >= runtime.length) throw new Error(`no runtime value given for $${p.index} (${p.name})`);
            return runtime[i];
        }
        // The pg driver would turn a top-level JS array into a PostgreSQL array literal: jsonb gets JSON text.
        if (p.type === 'jsonb' && typeof p.value !== 'string') return JSON.stringify(p.value);
        return p.value;
    });
}

const iso = (t: Date | string) => (typeof t === 'string' ? new Date(t).toISOString() : t.toISOString());

export type { SelectedRow };

/**
 * Runs a rule's selection with `$1` = the watermark `w` and `$2` = `now`, as the runtime does
 * (`selectDue`: recipients normalised, rows ordered by sent_at, then id).
 */
export async function runSelection(db: StoreTx, rule: CompiledRule, clock: { w: Date | string; now: Date | string }): Promise<SelectedRow[]> {
    return selectDue(db, rule.plan, new Date(clock.w), new Date(clock.now));
}

export interface RecheckRow {
    event_id: string;
    suppressed: boolean;
}

/** Runs a rule's recheck query with `$1` = the event ids and `$2` = `now`. */
export async function runRecheck(db: StoreTx, rule: CompiledRule, eventIds: string[], now: Date | string): Promise<RecheckRow[]> {
    const query = rule.plan.queries.recheck;
    const result = await db.query<RecheckRow>(query.sql, bindParameters(query, [eventIds, iso(now)]));
    return result.rows;
}
