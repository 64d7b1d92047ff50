// Measuring a rule (docs/measuring.md): its goal — the event that counts as a conversion, of the same
// person (as `since` relates events) or with the same field values — and its holdout.
import {
    isGoal, isHoldout, isPolicy, type Event, type Field, type Goal, type Holdout, type Policy, type Profile, type Rule,
} from '../generated/ast.js';
import { resolveSameMatch, resolveSinceMatch, type ChannelName, type SinceMatch } from './channels.js';
import { keyField, ruleEvent } from './schema.js';

/** The goal a rule is measured against: its own `goal`, else a policy's `goal ... for <the rule's event>`. */
export function ruleGoal(rule: Rule, policies: readonly Policy[]): { goal: Goal; scope: 'rule' | 'project' } | undefined {
    const own = rule.options.find(isGoal);
    if (own) return { goal: own, scope: 'rule' };
    const event = ruleEvent(rule);
    const fromPolicy = event && policies.flatMap(p => p.options).filter(isGoal).find(g => g.forEvent?.ref === event);
    return fromPolicy ? { goal: fromPolicy, scope: 'project' } : undefined;
}

export function ruleHoldout(rule: Rule): Holdout | undefined {
    return rule.options.find(isHoldout);
}

/** The event whose data a goal's `with same` fields are read from: the `for` event in a policy, else the rule's. */
export function goalSubject(goal: Goal): Event | undefined {
    if (isPolicy(goal.$container)) return goal.forEvent?.ref;
    const rule = goal.$container;
    return rule ? ruleEvent(rule) : undefined;
}

/**
 * How a goal event is related to the rule's event: `with same f` when written, else as `since` relates
 * events (the shared key, else the one address field of the rule channel's type in each).
 */
export function resolveGoalMatch(goal: Goal, event: Event, channel: ChannelName, profile: Profile | undefined): SinceMatch | undefined {
    const other = goal.event?.ref;
    if (!other) return undefined;
    if (goal.same.length > 0) {
        const same = goal.same.map(s => s.ref).filter((f): f is Field => f !== undefined);
        return same.length === goal.same.length ? resolveSameMatch(same, other) : undefined;
    }
    return resolveSinceMatch(event, other, channel, profile);
}

/**
 * Who "the person" is for a holdout: the event's key (or, for an event targeting the profile without a
 * key of its own, the profile's key, which the event carries by the same name), else the recipient.
 */
export function holdoutPersonKey(event: Event, profile: Profile | undefined): string | undefined {
    return (keyField(event) ?? (event.targetsProfile ? keyField(profile) : undefined))?.name;
}

/** A holdout share is a percentage strictly between 0 and 100. */
export function validHoldoutShare(share: number): boolean {
    return Number.isFinite(share) && share > 0 && share < 100;
}
