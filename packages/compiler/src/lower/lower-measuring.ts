// A rule's goal and holdout → IR (docs/measuring.md).
import {
    durationValue, holdoutPersonKey, resolveGoalMatch, ruleGoal, ruleHoldout,
    type ChannelName, type Event, type Policy, type Profile, type Rule, type SinceMatch,
} from '@followup/language';
import type { DurationIR, GoalIR, HoldoutIR, SinceMatchIR } from '../ir/rule-ir.js';

/** How another event relates to the rule's, as the SQL compares it: emails trimmed and lower-cased. */
export function lowerMatch(match: SinceMatch, channel: ChannelName): SinceMatchIR {
    const addressNormalise = channel === 'email' ? 'email' : 'none';
    const on = match.on.map(p => ({
        field: p.field, otherField: p.otherField,
        normalise: (match.kind === 'address' ? addressNormalise : p.type === 'email' ? 'email' : 'none') as 'email' | 'none',
    }));
    return { kind: match.kind, on };
}

export function lowerGoal(
    rule: Rule, event: Event, channel: ChannelName, profile: Profile | undefined, policies: readonly Policy[], duration: (d: Parameters<typeof durationValue>[0]) => DurationIR,
): GoalIR | null {
    const found = ruleGoal(rule, policies);
    if (!found) return null;
    const { goal, scope } = found;
    const match = resolveGoalMatch(goal, event, channel, profile);
    if (!goal.event?.ref || !match) throw new Error('goal is not resolved');
    return {
        event: goal.event.ref.name,
        match: lowerMatch(match, channel),
        within: duration(goal.within),
        value: goal.value?.ref ? goal.value.ref.name : null,
        scope,
    };
}

export function lowerHoldout(rule: Rule, event: Event, profile: Profile | undefined, ruleName: string): HoldoutIR | null {
    const holdout = ruleHoldout(rule);
    if (!holdout) return null;
    const key = holdoutPersonKey(event, profile);
    return {
        share: holdout.share,
        person: key ? { kind: 'key', field: key } : { kind: 'recipient' },
        // A renamed rule (`was old`) keeps its split: the seed is the rule's first name.
        seed: rule.previousNames.at(-1) ?? ruleName,
    };
}
