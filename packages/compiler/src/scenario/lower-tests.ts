// A checked project's `test "..." { ... }` declarations → scenario IR (plain JSON) for the runtime.
import {
    deliveryRecipient, sourceRangeOf, derivedRuleName, isExpectNothing, isExpectNotSent, isExpectSent, isTest, isTestDelivery,
    isTestEngagement, isTestEvent, isTestExpect, isTestProfile, isTestRun, keyField, stepTimes, testEventData, dataJson,
    type LoadedProject, type NotSentReason, type Profile, type Rule, type Test, type TestAction, type TestStep,
} from '@followup/language';
import type {
    DeliveryTarget, EngagementRecordKind, NotSentReasonIR, ScenarioAction, ScenarioChannel, ScenarioIR, ScenarioStep,
} from './scenario-ir.js';

export class ScenarioLoweringError extends Error {}

/** The project's tests, in file order then declaration order. */
export function projectTests(project: LoadedProject): Test[] {
    return project.documents.flatMap(d => d.parseResult.value.declarations.filter(isTest));
}

export function lowerTests(project: LoadedProject): ScenarioIR[] {
    if (project.errorCount > 0) throw new ScenarioLoweringError(`The project has ${project.errorCount} error(s); fix them before running its tests`);
    return projectTests(project).map(test => lowerTest(test, project.profile));
}

const engagementRecords: Record<string, EngagementRecordKind> = {
    delivered: 'delivered', opened: 'open', clicked: 'click', bounced: 'bounce', complained: 'complaint', unsubscribed: 'unsubscribe',
};

export function lowerTest(test: Test, profile: Profile | undefined): ScenarioIR {
    const times = stepTimes(test);
    const steps: ScenarioStep[] = [];
    /** The test's deliveries so far, per event: an engagement without a message is about the latest. */
    const deliveries = new Map<string, { id: string; channel: ScenarioChannel; to: string }>();
    const deliveryCount = new Map<string, number>();
    let lastRun: string | undefined;
    times.forEach(({ step, at }) => {
        const action = step.action;
        const instant = isTestExpect(action) ? lastRun : at?.toISOString();
        if (!action || instant === undefined) throw new ScenarioLoweringError(`test "${test.name}": a step has no instant (check the project first)`);
        const lowered = lowerAction(action, profile, deliveries, deliveryCount);
        if (lowered.kind === 'run') lastRun = instant;
        steps.push({ ...lowered, at: instant, source: sourceRangeOf(step), text: oneLine(step) });
    });
    return { name: test.name, source: sourceRangeOf(test, 'name'), steps };
}

function lowerAction(
    action: TestAction, profile: Profile | undefined,
    deliveries: Map<string, { id: string; channel: ScenarioChannel; to: string }>, deliveryCount: Map<string, number>,
): ScenarioAction {
    if (isTestEvent(action)) {
        return { kind: 'event', id: action.name, type: action.event.ref!.name, data: testEventData(action) };
    }
    if (isTestProfile(action)) {
        const data = dataJson(action.data) as Record<string, unknown>;
        return { kind: 'profile', key: String(data[keyField(profile)!.name]), data };
    }
    if (isTestDelivery(action)) {
        const event = action.subject.ref!.name;
        const message = action.message.ref!.name;
        const channel = action.channel as ScenarioChannel;
        const recipient = deliveryRecipient(action, profile);
        if (!recipient.ok) throw new ScenarioLoweringError(recipient.reason);
        const base = `${message}.${channel}:${event}`;
        const n = (deliveryCount.get(base) ?? 0) + 1;
        deliveryCount.set(base, n);
        const id = n === 1 ? base : `${base}#${n}`;
        deliveries.set(event, { id, channel, to: recipient.to.trim() });
        return { kind: 'delivery', id, event, message, channel, to: recipient.to.trim() };
    }
    if (isTestEngagement(action)) {
        const event = action.subject.ref!.name;
        let target: DeliveryTarget;
        if (action.message?.ref) {
            target = { kind: 'message', message: action.message.ref.name, channel: action.channel as ScenarioChannel };
        } else {
            const own = deliveries.get(event);
            if (!own) throw new ScenarioLoweringError(`${event} has no delivery before this step`);
            target = { kind: 'test', ...own };
        }
        return {
            kind: 'engagement', record: engagementRecords[action.kind]!, event, target,
            ...(action.kind === 'opened' ? { machine: action.machine } : {}),
            ...(action.link !== undefined ? { link: action.link } : {}),
            ...(action.kind === 'clicked' ? { url: action.url ?? `https://followup.test/click/${encodeURIComponent(action.link ?? 'link')}` } : {}),
            ...(action.kind === 'bounced' ? { hard: action.hard } : {}),
        };
    }
    if (isTestRun(action)) return action.rule?.ref ? { kind: 'run', rule: ruleName(action.rule.ref) } : { kind: 'run' };
    if (isTestExpect(action)) {
        const ex = action.expectation;
        if (isExpectNothing(ex)) return { kind: 'expect-nothing' };
        if (isExpectSent(ex)) {
            return {
                kind: 'expect-sent', rule: ruleName(ex.rule.ref!), event: ex.subject.ref!.name,
                ...(ex.to !== undefined ? { to: ex.to } : {}),
                contains: ex.checks.map(c => ({ part: c.part as 'subject' | 'html' | 'text' | 'title', text: c.text })),
            };
        }
        if (isExpectNotSent(ex)) {
            return {
                kind: 'expect-not-sent', rule: ruleName(ex.rule.ref!), event: ex.subject.ref!.name,
                ...(ex.reason ? { reason: lowerReason(ex.reason) } : {}),
            };
        }
    }
    throw new ScenarioLoweringError(`unknown test step ${action.$type}`);
}

function lowerReason(reason: NotSentReason): NotSentReasonIR {
    if (reason.text !== undefined) return { kind: 'text', text: reason.text };
    if (reason.since) return { kind: 'since', event: reason.since.ref?.name ?? reason.since.$refText, no: reason.no };
    if (reason.already) return { kind: 'verdict', verdict: 'already-sent' };
    if (reason.notDue) return { kind: 'verdict', verdict: 'not-due' };
    const kind = reason.kind!;
    if (kind === 'delivered' || kind === 'opened' || kind === 'clicked' || kind === 'bounced') {
        return { kind: 'engagement', what: kind, negated: reason.negated };
    }
    return { kind: 'verdict', verdict: kind };
}

function ruleName(rule: Rule): string {
    return rule.name ?? derivedRuleName(rule);
}

function oneLine(step: TestStep): string {
    const text = (step.$cstNode?.text ?? '').replace(/\s+/g, ' ').trim();
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
