// The rules a simulation replays, under names of their own (`simulate:<rule>`): their watermarks,
// decisions, follow-up deliveries (`simulate:<rule>:<event>`) and outbox rows are new rows, which
// conflict with nothing the store holds — the rule replays as if it had never run, whatever it
// really did — and lock nothing another process uses.
import type { NotSentQuery, RenderPlan, RuleQuery } from '@followup/compiler';

export const SIMULATED_PREFIX = 'simulate:';

export interface SimulatedPlan {
    /** The plan under its simulated name (queries included). */
    plan: RenderPlan;
    /** The rule's name in the project. */
    rule: string;
    notSent?: NotSentQuery;
}

/**
 * Renames each plan, and the rules it chains on when they are replayed too (a chain then follows the
 * simulated follow-ups; on a rule not replayed, it follows the real ones). The names are bound
 * parameters (`rule`, `trigger_rule`), so only parameter values change, never SQL.
 */
export function simulatedPlans(plans: readonly RenderPlan[], notSent: Readonly<Record<string, NotSentQuery>> = {}): SimulatedPlan[] {
    const names = new Map(plans.map(p => [p.rule, `${SIMULATED_PREFIX}${p.rule}`]));
    const renameQuery = <Q extends RuleQuery>(query: Q): Q => ({
        ...query,
        parameters: query.parameters.map(p =>
            (p.name === 'rule' || p.name === 'trigger_rule') && typeof p.value === 'string' && names.has(p.value)
                ? { ...p, value: names.get(p.value)! }
                : p),
    });
    return plans.map(plan => {
        const query = notSent[plan.rule];
        return {
            rule: plan.rule,
            plan: {
                ...plan,
                rule: names.get(plan.rule)!,
                trigger: plan.trigger.kind === 'rule' && names.has(plan.trigger.name) ? { ...plan.trigger, name: names.get(plan.trigger.name)! } : plan.trigger,
                queries: {
                    ...plan.queries,
                    selection: renameQuery(plan.queries.selection),
                    recheck: renameQuery(plan.queries.recheck),
                    explain: renameQuery(plan.queries.explain),
                },
            },
            ...(query ? { notSent: renameQuery(query) } : {}),
        };
    });
}
