// Hover words for measuring (docs/measuring.md): a goal, a holdout, and the lines a rule's hover gains.
import { isPolicy, type Goal, type Holdout, type Policy, type Rule } from '../generated/ast.js';
import { durationValue, minutesToWords } from '../model/durations.js';
import { ruleGoal, ruleHoldout } from '../model/goals.js';

function goalText(goal: Goal): string {
    const within = minutesToWords(durationValue(goal.within)?.minutes ?? 0);
    const other = goal.event?.$refText ?? '?';
    const who = goal.same.length > 0
        ? `with the same ${goal.same.map(s => s.$refText).join(', ')}`
        : 'of the same person (matched as `since` matches: the shared key, else the address)';
    const value = goal.value ? `; revenue is the sum of its \`${goal.value.$refText}\`` : '';
    return `a follow-up converted when a \`${other}\` ${who} happened within ${within} after it was sent (for the people held out: after it would have been)${value}`;
}

export function goalHover(goal: Goal): string {
    const scope = isPolicy(goal.$container) ? `the default goal of every rule of \`${goal.forEvent?.$refText ?? '?'}\` without a goal of its own` : 'this rule';
    return `**goal** (${scope}): ${goalText(goal)}. \`followup report\` gives each group's conversion rate and the lift.`;
}

export function holdoutHover(holdout: Holdout): string {
    return `**holdout ${holdout.share}%**: of the people this rule would send to (after caps), ${holdout.share}% are held out — decided and recorded (\`held out\`), never sent — ` +
        'chosen by a hash of (rule, person), so a person stays in the same group across events and runs. Held-out decisions count toward no cap and trigger no chained rule. ' +
        '`followup report` compares their conversions with the others\'.';
}

/** Lines for a rule's hover: its goal (its own or the policy's) and its holdout. */
export function ruleMeasuringLines(rule: Rule, policies: readonly Policy[]): string[] {
    const lines: string[] = [];
    const goal = ruleGoal(rule, policies);
    if (goal) lines.push(`${goal.scope === 'project' ? 'Project policy, goal' : 'Goal'}: ${goalText(goal.goal)}.`);
    const holdout = ruleHoldout(rule);
    if (holdout) lines.push(`Holdout: ${holdout.share}% of the people it would send to are held out and measured against the goal.`);
    return lines;
}
