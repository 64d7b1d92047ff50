// Goals and holdouts (docs/measuring.md): the goal event can be related to the rule's event (as `since`
// relates them, or `with same`), its value field is a number, a policy goal names the event whose rules
// it measures (once), a holdout share is a percentage, and a holdout has a goal to measure.
import type { LangiumDocuments, ValidationAcceptor } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import { isNumeric, typeToString } from '@followup/template';
import {
    isGoal, isModel, isPolicy, isRule, type Declaration, type Event, type Goal, type Holdout, type Policy, type Rule,
} from '../generated/ast.js';
import { channelAddressType, type ChannelName } from '../model/channels.js';
import { goalSubject, resolveGoalMatch, ruleGoal, validHoldoutShare } from '../model/goals.js';
import { declaredFields, fieldView, ruleEvent } from '../model/schema.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';
import { checkSameFields } from './rule-checks.js';
import type { Explained } from './unresolved-reference.js';

export class GoalChecks {
    private readonly documents: LangiumDocuments;

    constructor(private readonly services: LangiumServices) {
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    private get scopes(): FollowupScopeProvider {
        return this.services.references.ScopeProvider as FollowupScopeProvider;
    }

    private declarations<T extends Declaration>(guard: (node: Declaration) => node is T): T[] {
        return this.documents.all.toArray().flatMap(d => {
            const model = d.parseResult?.value;
            return isModel(model) ? model.declarations.filter(guard) : [];
        });
    }

    checkGoal = (goal: Goal, accept: ValidationAcceptor): void => {
        if (isPolicy(goal.$container)) this.checkPolicyGoal(goal, goal.$container, accept);
        else if (goal.forEvent) {
            report(accept, 'error', DiagnosticCode.GoalScope,
                `A rule's goal measures the rule's own follow-ups: 'for ${goal.forEvent.$refText}' belongs in a policy goal`,
                { node: goal, property: 'forEvent' }, `Remove 'for ${goal.forEvent.$refText}', or move the line into \`policy { ... }\` to measure every rule of that event`);
        }
        this.checkValue(goal, accept);
        this.checkMatch(goal, accept);
    };

    /** `goal ... for <event>` in a policy: the default goal of that event's rules, given once in the project. */
    private checkPolicyGoal(goal: Goal, policy: Policy, accept: ValidationAcceptor): void {
        if (!goal.forEvent) {
            const events = [...new Set(this.declarations(isRule).map(r => ruleEvent(r)?.name).filter((n): n is string => !!n))];
            report(accept, 'error', DiagnosticCode.GoalScope, "A policy's goal says which event's rules it measures",
                { node: goal }, `Add 'for <event>': goal ${goal.event?.$refText ?? '<event>'} within ... for ${events[0] ?? '<event>'}`,
                { forEvents: events });
            return;
        }
        const forEvent = goal.forEvent.ref;
        if (!forEvent) return;
        const first = this.declarations(isPolicy).flatMap(p => p.options).filter(isGoal).find(g => g.forEvent?.ref === forEvent);
        if (first && first !== goal) {
            report(accept, 'error', DiagnosticCode.DuplicateOption, `The policy gives a goal for ${forEvent.name} twice`,
                { node: goal }, policy === first.$container ? 'Keep one of them' : 'Keep one of them (the other is in another policy block)');
        }
    }

    /** `value <field>`: a number of the goal event (revenue per recipient is its sum). */
    private checkValue(goal: Goal, accept: ValidationAcceptor): void {
        const field = goal.value?.ref;
        const other = goal.event?.ref;
        if (!field || !other) return;
        const type = fieldView(field).type;
        if (isNumeric(type)) return;
        const numeric = declaredFields(other).filter(f => isNumeric(fieldView(f).type)).map(f => f.name);
        report(accept, 'error', DiagnosticCode.GoalValueNotNumeric,
            `A goal's value is a number: '${field.name}' of '${other.name}' is ${typeToString(type)}`,
            { node: goal, property: 'value' },
            numeric.length > 0 ? `Did you mean '${numeric[0]}'? (${other.name}'s numbers: ${numeric.join(', ')})` : `'${other.name}' has no int or decimal field: remove 'value ${field.name}'`,
            { candidates: numeric });
    }

    /** The goal event must be the same person's (or have the `with same` fields) for each rule it measures. */
    private checkMatch(goal: Goal, accept: ValidationAcceptor): void {
        const subject = goalSubject(goal);
        const other = goal.event?.ref;
        if (!subject || !other) return;
        if (goal.same.length > 0) {
            checkSameFields(goal, subject, other, accept);
            return;
        }
        const channels = new Set<ChannelName>();
        if (isRule(goal.$container)) channels.add(goal.$container.action?.channel as ChannelName);
        else {
            for (const rule of this.declarations(isRule)) {
                if (ruleEvent(rule) === subject && !rule.options.some(isGoal)) channels.add(rule.action?.channel as ChannelName);
            }
        }
        for (const channel of channels) {
            if (!channel || resolveGoalMatch(goal, subject, channel, this.scopes.profile())) continue;
            report(accept, 'error', DiagnosticCode.SinceWithoutMatch,
                `'${other.name}' cannot be related to '${subject.name}': they share no key and no single ${channelAddressType[channel] ?? 'email'} address field`,
                { node: goal, property: 'event' },
                `Declare the same key in both (e.g. \`key customerId\`), or relate them on a field both have: goal ${other.name} with same <field> within ...`);
            return;
        }
    }

    checkHoldout = (holdout: Holdout, accept: ValidationAcceptor): void => {
        if (holdout.share === undefined) return; // a syntax error, reported already
        if (!validHoldoutShare(holdout.share)) {
            report(accept, 'error', DiagnosticCode.HoldoutShare, `A holdout is a share of the people between 0% and 100% (both excluded), not ${holdout.share}%`,
                { node: holdout, property: 'share' }, 'For instance: holdout 10%');
            return;
        }
        const rule = holdout.$container as Rule;
        if (!ruleGoal(rule, this.declarations(isPolicy))) {
            const event = ruleEvent(rule);
            report(accept, 'warning', DiagnosticCode.HoldoutWithoutGoal,
                'A holdout without a goal measures nothing: the people held out get no follow-up, and nothing says what they are compared on',
                { node: holdout }, `Add a goal: goal <event> within 7 days (or a policy line: goal <event> within 7 days for ${event?.name ?? '<event>'})`);
        }
    };
}

/** Why a name in a goal did not resolve (unresolved-reference.ts asks). */
export function explainUnresolvedInGoal(
    goal: Goal, property: string, name: string,
    withHint: (code: string, message: string, names: string[]) => Explained, candidates: () => string[],
): Explained | undefined {
    if (property === 'same') {
        const subject: Event | undefined = goalSubject(goal);
        return subject ? withHint(DiagnosticCode.UnknownField, `Unknown field '${name}' on event '${subject.name}'`, candidates()) : undefined;
    }
    if (property === 'value') {
        const other = goal.event?.ref;
        return other ? withHint(DiagnosticCode.UnknownField, `Unknown field '${name}' on event '${other.name}'`, candidates()) : undefined;
    }
    return withHint(DiagnosticCode.UnknownEvent, `Unknown event '${name}'`, candidates());
}
