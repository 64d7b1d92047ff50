// `runRules`: every rule (or one), in plan order, each in its own transaction.
import { FollowupError } from '@followup/values';
import type { RenderPlan } from '@followup/compiler';
import { closestName } from '../import/validate-event.js';
import type { Store } from '../store/store.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { refreshPlannerStatistics } from './planner-statistics.js';
import { addCounts, zeroCounts, type QueuedMessage, type RunReport } from './run-report.js';
import { runRule } from './run-rule.js';

export interface RunRulesOptions {
    /** The run's clock: every condition is evaluated as of it, and follow-ups are timed with it. */
    now: Date;
    /** Select, decide and render, then roll back: nothing is recorded. */
    dryRun?: boolean;
    /** Run only the rule with this name (an unknown name throws). */
    onlyRule?: string;
    /** Progress within the rule being decided: rows done out of the rows it selected. */
    onProgress?(done: number, total: number, rule: string): void;
    /** Called, after each rule's transaction, for every follow-up it queued (in a dry run: would have). */
    onQueued?(message: QueuedMessage): void;
    /** Applied to each rendered follow-up before it is recorded: tracking (links, pixel, unsubscribe headers). */
    decorate?: ContentDecorator;
}

export class UnknownRuleError extends FollowupError {
    constructor(
        readonly rule: string,
        readonly known: readonly string[],
    ) {
        const near = closestName(rule, known);
        super(`no rule named '${rule}'${near ? ` — did you mean '${near}'?` : ''} (the project has: ${known.join(', ') || 'no rules'})`, 'usage');
    }
}

export async function runRules(store: Store, plans: readonly RenderPlan[], options: RunRulesOptions): Promise<RunReport> {
    const selected = selectPlans(plans, options.onlyRule);
    const dryRun = options.dryRun ?? false;
    const report: RunReport = { now: options.now, dryRun, rules: [], total: zeroCounts() };
    // Outside the rules' transactions (ANALYZE only reads), so that a dry run may refresh them too.
    await refreshPlannerStatistics(store);
    for (const plan of selected) {
        const { report: ruleReport, messages } = await runRule(store, plan, {
            now: options.now,
            dryRun,
            collectMessages: options.onQueued !== undefined,
            ...(options.decorate ? { decorate: options.decorate } : {}),
            ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress!(done, total, plan.rule) } : {}),
        });
        report.rules.push(ruleReport);
        addCounts(report.total, ruleReport);
        for (const message of messages) options.onQueued?.(message);
    }
    // Again once decided: the rules' decisions may have filled tables the first look found empty (the
    // outbox, after runs killed while deciding left only dead rows), and the dispatch plans on them next.
    await refreshPlannerStatistics(store);
    return report;
}

/** The plans to run: all of them, or the one named. */
export function selectPlans(plans: readonly RenderPlan[], onlyRule: string | undefined): readonly RenderPlan[] {
    if (onlyRule === undefined) return plans;
    const plan = plans.find((p) => p.rule === onlyRule);
    if (!plan) throw new UnknownRuleError(onlyRule, plans.map((p) => p.rule));
    return [plan];
}
