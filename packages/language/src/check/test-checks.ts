// Scenario tests (`test "..." { ... }`, docs/testing.md): their data against the event schemas (the
// rules of `followup import`, packages/runtime/src/import/validate-event.ts), their timeline, the
// options of each step and what expectations may say.
import { AstUtils, type AstNode, type ValidationAcceptor } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import { typeToString, type FieldView, type FuType } from '@followup/template';
import {
    isBooleanLiteral, isDataList, isDataObject, isExpectNotSent, isExpectSent, isNumberLiteral, isStringLiteral, isTestDelivery,
    isTestEngagement, isTestEvent, isTestExpect, isTestProfile, isTestRun,
    type DataObject, type DataValue, type Test, type TestAction, type TestEngagement, type TestEvent,
} from '../generated/ast.js';
import { fieldViews, ruleEvent } from '../model/schema.js';
import { deliveryRecipient, parseTestInstant, stepTimes, testEventData, testEvents } from '../model/test-model.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';

export class TestChecks {
    constructor(private readonly services: LangiumServices) {}

    private get scopes(): FollowupScopeProvider {
        return this.services.references.ScopeProvider as FollowupScopeProvider;
    }

    checkTest = (test: Test, accept: ValidationAcceptor): void => {
        this.checkDuplicateTest(test, accept);
        this.checkTimeline(test, accept);
        const events = testEvents(test);
        const seen = new Map<string, TestEvent>();
        for (const event of events) {
            if (seen.has(event.name)) {
                report(accept, 'error', DiagnosticCode.DuplicateName, `Duplicate event '${event.name}' in this test`,
                    { node: event, property: 'name' }, 'Give each event of a test its own name');
            } else seen.set(event.name, event);
        }
        let ran = false;
        const declared = new Set<TestEvent>();
        const delivered = new Set<TestEvent>();
        for (const step of test.steps) {
            const action = step.action;
            if (!action) continue;
            this.checkOrder(action, declared, accept);
            if (isTestEvent(action)) declared.add(action);
            if (isTestDelivery(action) && action.subject?.ref) delivered.add(action.subject.ref);
            if (isTestEngagement(action) && !action.message && action.subject?.ref && !delivered.has(action.subject.ref)) {
                const name = action.subject.ref.name;
                report(accept, 'error', DiagnosticCode.TestStepOption, `${name} has no delivery before this step: what was ${action.kind}?`,
                    { node: action, property: 'kind' },
                    `Send it first (${name} sent transactional email), or name a follow-up: ${name} ${action.kind} followup email`);
            }
            if (isTestRun(action)) ran = true;
            if (isTestExpect(action) && !ran) {
                report(accept, 'error', DiagnosticCode.TestExpectation, 'An expectation is about the last run, and there is no run before it',
                    { node: action, keyword: 'expect' }, 'Add a step `run` before it (with `+<duration>` to let time pass)');
            }
        }
    };

    /** Events are named before they are used: `like`, deliveries, engagement and expectations refer to earlier ones. */
    private checkOrder(action: TestAction, declared: Set<TestEvent>, accept: ValidationAcceptor): void {
        const refs: { ref: TestEvent | undefined; property: string }[] = [];
        if (isTestEvent(action) && action.like) refs.push({ ref: action.like.ref, property: 'like' });
        if (isTestDelivery(action) || isTestEngagement(action)) refs.push({ ref: action.subject?.ref, property: 'subject' });
        if (isTestExpect(action) && (isExpectSent(action.expectation) || isExpectNotSent(action.expectation))) {
            const ex = action.expectation;
            if (ex.subject?.ref && !declared.has(ex.subject.ref)) {
                report(accept, 'error', DiagnosticCode.UnknownTestEvent, `'${ex.subject.ref.name}' is declared later in this test`,
                    { node: ex, property: 'subject' }, 'Declare the event before the steps that use it');
            }
        }
        for (const { ref, property } of refs) {
            if (ref && !declared.has(ref)) {
                report(accept, 'error', DiagnosticCode.UnknownTestEvent, `'${ref.name}' is declared later in this test`,
                    { node: action, property }, 'Declare the event before the steps that use it');
            }
        }
    }

    private checkDuplicateTest(test: Test, accept: ValidationAcceptor): void {
        const self = AstUtils.getDocument(test).uri.toString();
        const path = this.services.workspace.AstNodeLocator.getAstNodePath(test);
        const others = this.services.shared.workspace.IndexManager.allElements('Test')
            .filter(d => d.name === test.name && !(d.documentUri.toString() === self && d.path === path)).toArray();
        if (others.length) {
            report(accept, 'error', DiagnosticCode.DuplicateName, `Duplicate test "${test.name}"`, {
                node: test, property: 'name',
                relatedInformation: others.map(d => ({
                    location: { uri: d.documentUri.toString(), range: d.nameSegment?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
                    message: `"${test.name}" is also a test here`,
                })),
            }, 'Give each test its own name: the results name it');
        }
    }

    private checkTimeline(test: Test, accept: ValidationAcceptor): void {
        const times = stepTimes(test);
        let previous: Date | undefined;
        times.forEach(({ step, at }, index) => {
            if (index === 0 && step.at === undefined) {
                report(accept, 'error', DiagnosticCode.TestTimeline, 'The first step of a test needs an instant: at "2026-11-20T10:00:00Z"',
                    { node: step }, 'Start the test with at "<ISO-8601 instant>" and its first event');
            }
            if (step.at !== undefined && !parseTestInstant(step.at)) {
                report(accept, 'error', DiagnosticCode.TestTimeline, `'${step.at}' is not an instant: write it ISO-8601 with its zone, "2026-11-20T10:00:00Z"`,
                    { node: step, property: 'at' });
            }
            if (isTestExpect(step.action) && (step.at !== undefined || step.after)) {
                report(accept, 'error', DiagnosticCode.TestTimeline, 'An expectation is about the last run: it has no instant of its own',
                    { node: step, property: step.at !== undefined ? 'at' : 'after' }, 'Move the time to a `run` step');
            }
            if (previous && at && at.getTime() < previous.getTime()) {
                report(accept, 'error', DiagnosticCode.TestTimeline,
                    `Time goes backwards: this step is at ${at.toISOString()}, before the step above (${previous.toISOString()})`,
                    { node: step, property: 'at' }, 'Steps are in time order: use +<duration> to move forward');
            }
            if (at) previous = at;
        });
    }

    checkTestEvent = (event: TestEvent, accept: ValidationAcceptor): void => {
        const type = event.event?.ref;
        if (!type || !event.data) return;
        // An unresolved `like` is reported as such: the fields it would give are not missing.
        const inherited = event.like ? new Set(event.like.ref ? Object.keys(testEventData(event.like.ref)) : fieldViews(type).map(f => f.name)) : new Set<string>();
        this.checkObject(event.data, fieldViews(type), `event '${type.name}'`, inherited, accept, { node: event, property: 'name' });
    };

    checkTestProfile = (step: AstNode, accept: ValidationAcceptor): void => {
        if (!isTestProfile(step) || !step.data) return;
        const data = step.data;
        const profile = this.scopes.profile();
        if (!profile) {
            report(accept, 'error', DiagnosticCode.TestProfile, 'The project declares no profile', { node: step, keyword: 'profile' },
                'Declare one: profile { key customerId  customerId: string  email: email }');
            return;
        }
        this.checkObject(data, fieldViews(profile), 'the profile', new Set(), accept);
        const key = profile.members.find(m => m.$type === 'KeyDecl');
        const keyName = key?.$type === 'KeyDecl' ? key.field?.$refText : undefined;
        if (!keyName) {
            report(accept, 'error', DiagnosticCode.TestProfile, 'The profile declares no key, so a test cannot say whose profile this is',
                { node: step, keyword: 'profile' }, 'Add `key <field>` to the profile');
        } else if (!data.entries.some(e => e.field?.$refText === keyName)) {
            report(accept, 'error', DiagnosticCode.TestProfile, `A profile needs its key '${keyName}'`, { node: data },
                `Add ${keyName}: "..." (events targeting the profile are joined to it on ${keyName})`);
        }
    };

    checkDelivery = (node: AstNode, accept: ValidationAcceptor): void => {
        if (!isTestDelivery(node) || !node.subject?.ref || !node.channel) return;
        if (node.to !== undefined) {
            if (node.channel === 'email' && !looksLikeEmail(node.to)) {
                report(accept, 'error', DiagnosticCode.TestDataMismatch, `expected an email address, got ${JSON.stringify(node.to)}`, { node, property: 'to' });
            }
            return;
        }
        const recipient = deliveryRecipient(node, this.scopes.profile());
        if (!recipient.ok) {
            report(accept, 'error', DiagnosticCode.TestDataMismatch, recipient.reason, { node, property: 'channel' },
                `Say who it went to: ${node.subject.ref.name} sent ${node.message?.$refText ?? 'message'} ${node.channel} to "..."`);
        }
    };

    checkEngagement = (node: TestEngagement, accept: ValidationAcceptor): void => {
        const wrong = (property: keyof TestEngagement & string, what: string, allowed: string) =>
            report(accept, 'error', DiagnosticCode.TestStepOption, `'${what}' applies to ${allowed} only, not to '${node.kind}'`, { node, property });
        if ((node.machine || node.person) && node.kind !== 'opened') wrong(node.machine ? 'machine' : 'person', node.machine ? 'by a machine' : 'by a person', 'opened');
        if (node.link !== undefined && node.kind !== 'clicked') wrong('link', 'link', 'clicked');
        if (node.url !== undefined && node.kind !== 'clicked') wrong('url', 'url', 'clicked');
        if (node.hard && node.kind !== 'bounced') wrong('hard', 'hard', 'bounced');
        if (node.url !== undefined && !isHttpUrl(node.url)) {
            report(accept, 'error', DiagnosticCode.TestStepOption, `expected an absolute http(s) URL, got ${JSON.stringify(node.url)}`, { node, property: 'url' });
        }
    };

    checkExpectation = (node: AstNode, accept: ValidationAcceptor): void => {
        if (!isExpectSent(node) && !isExpectNotSent(node)) return;
        const rule = node.rule?.ref;
        const subject = node.subject?.ref;
        if (!rule) return;
        const event = ruleEvent(rule);
        if (event && subject?.event?.ref && subject.event.ref !== event) {
            report(accept, 'error', DiagnosticCode.TestExpectation,
                `Rule '${node.rule.$refText}' follows up ${event.name} events; '${subject.name}' is a ${subject.event.ref.name}`,
                { node, property: 'subject' });
        }
        if (isExpectSent(node) && node.message?.ref && rule.action) {
            const [message, channel] = [rule.action.message?.$refText, rule.action.channel];
            if (node.message.$refText !== message || node.channel !== channel) {
                report(accept, 'error', DiagnosticCode.TestExpectation,
                    `Rule '${node.rule.$refText}' sends ${message} ${channel}, not ${node.message.$refText} ${node.channel}`,
                    { node, property: 'message' }, `Write: expect ${node.rule.$refText} sent ${message} ${channel} for ...`);
            }
        }
        if (isExpectSent(node) && node.to !== undefined && rule.action?.channel === 'email' && !looksLikeEmail(node.to)) {
            report(accept, 'error', DiagnosticCode.TestDataMismatch, `expected an email address, got ${JSON.stringify(node.to)}`, { node, property: 'to' });
        }
    };

    // ------------------------------------------------------------ data against the schema

    private checkObject(
        object: DataObject, fields: FieldView[], owner: string, inherited: Set<string>, accept: ValidationAcceptor,
        missingAt: { node: AstNode; property?: string } = { node: object },
    ): void {
        const seen = new Set<string>();
        for (const entry of object.entries) {
            const name = entry.field?.$refText?.replace(/`/g, '');
            if (name === undefined) continue;
            if (seen.has(name)) {
                report(accept, 'error', DiagnosticCode.DuplicateName, `'${name}' is given twice`, { node: entry, property: 'field' });
            }
            seen.add(name);
            const field = fields.find(f => f.name === name);
            if (field && entry.value) this.checkValue(entry.value, field.type, accept);
        }
        const missing = fields.filter(f => !f.optional && !seen.has(f.name) && !inherited.has(f.name));
        if (missing.length) {
            const list = missing.map(f => `${f.name} (${typeToString(f.type)})`).join(', ');
            report(accept, 'error', DiagnosticCode.TestDataMismatch,
                `Missing ${missing.length === 1 ? 'a required field' : 'required fields'} of ${owner}: ${list}`,
                missingAt as { node: AstNode }, 'Every field without `?` must be given (or come from `like <event>`)');
        }
    }

    private checkValue(value: DataValue, type: FuType, accept: ValidationAcceptor): void {
        const problem = (message: string) => report(accept, 'error', DiagnosticCode.TestDataMismatch, message, { node: value });
        switch (type.kind) {
            case 'unknown':
                return;
            case 'list':
                if (!isDataList(value)) return problem(`expected a ${typeToString(type)} ([ ... ]), got ${describe(value)}`);
                for (const item of value.items) this.checkValue(item, type.element, accept);
                return;
            case 'record':
                if (!isDataObject(value)) return problem(`expected a ${type.name} ({ ... }), got ${describe(value)}`);
                return this.checkObject(value, [...type.fields()], `type '${type.name}'`, new Set(), accept);
            case 'primitive': {
                const message = primitiveProblem(type.name, value);
                if (message) problem(message);
            }
        }
    }
}

// The value rules of the import (packages/runtime/src/import/validate-event.ts), on the source's literals;
// test/scenario/test-data-agreement.test.ts checks that both agree.
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function looksLikeEmail(text: string): boolean {
    return EMAIL.test(text.trim());
}

export function isHttpUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
        return false;
    }
}

function isIsoDate(text: string): boolean {
    const m = DATE.exec(text);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function describe(value: DataValue): string {
    if (isStringLiteral(value)) return JSON.stringify(value.value.length > 40 ? `${value.value.slice(0, 37)}...` : value.value);
    if (isNumberLiteral(value) || isBooleanLiteral(value)) return String(value.value);
    return isDataList(value) ? 'a list' : 'an object';
}

function primitiveProblem(name: string, value: DataValue): string | undefined {
    const text = isStringLiteral(value) ? value.value : undefined;
    switch (name) {
        case 'string': return text === undefined ? `expected a string, got ${describe(value)}` : undefined;
        case 'phone': return text === undefined ? `expected a phone number (a string), got ${describe(value)}` : undefined;
        case 'pushToken': return text === undefined ? `expected a push token (a string), got ${describe(value)}` : undefined;
        case 'email': return text !== undefined && looksLikeEmail(text) ? undefined : `expected an email address, got ${describe(value)}`;
        case 'url': return text !== undefined && isHttpUrl(text) ? undefined : `expected an absolute http(s) URL, got ${describe(value)}`;
        case 'int': return isNumberLiteral(value) && Number.isSafeInteger(value.value) ? undefined : `expected an integer, got ${describe(value)}`;
        case 'decimal': return (isNumberLiteral(value) && Number.isFinite(value.value)) || (text !== undefined && NUMERIC.test(text))
            ? undefined : `expected a decimal (a number, or a numeric string such as "19.99"), got ${describe(value)}`;
        case 'boolean': return isBooleanLiteral(value) ? undefined : `expected true or false, got ${describe(value)}`;
        case 'timestamp': return text !== undefined && parseTestInstant(text) ? undefined
            : `expected an ISO-8601 instant with a time zone, such as "2026-11-20T10:00:00Z", got ${describe(value)}`;
        case 'date': return text !== undefined && isIsoDate(text) ? undefined : `expected a date written yyyy-mm-dd, got ${describe(value)}`;
        default: return undefined;
    }
}
