// Why a reference inside a scenario test did not resolve, in the user's terms (the document validator
// turns it into a diagnostic, as for every other reference: see unresolved-reference.ts).
import type { ReferenceInfo } from 'langium';
import { didYouMean } from '@followup/template';
import {
    isDataEntry, isExpectNotSent, isExpectSent, isNotSentReason, isTestDelivery, isTestEngagement, isTestEvent,
    isTestProfile, isTestRun, type DataObject,
} from '../generated/ast.js';
import { ruleEvent } from '../model/schema.js';
import { containingTest, expectedTypeRef, testEventType } from '../model/test-model.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import type { Explained } from './unresolved-reference.js';

/** The explanation (undefined: a consequence of another error), or null when the reference is not in a test. */
export function explainTestReference(info: ReferenceInfo, scopes: FollowupScopeProvider): Explained | undefined | null {
    const { container, property } = info;
    if (!containingTest(container)) return null;
    const name = info.reference.$refText;
    const names = () => scopes.getScope(info).getAllElements().map(d => d.name).distinct().toArray();
    const withHint = (code: string, message: string, candidates: string[], otherwise?: string): Explained => {
        const guess = didYouMean(name, candidates);
        return { code, message, hint: guess ? `Did you mean '${guess}'?` : otherwise, candidates: guess ? [guess] : [] };
    };

    if (isDataEntry(container)) {
        const owner = dataOwner(container.$container, scopes);
        return owner ? withHint(DiagnosticCode.UnknownField, `Unknown field '${name}' on ${owner}`, names()) : undefined;
    }
    if (property === 'like' || property === 'subject') {
        return withHint(DiagnosticCode.UnknownTestEvent, `No event '${name}' in this test`, names(),
            `Declare it first: <event type> ${name} { ... }`);
    }
    if (isTestEvent(container) && property === 'event') {
        return withHint(DiagnosticCode.UnknownEvent, `Unknown event '${name}'`, names());
    }
    if (isNotSentReason(container)) return withHint(DiagnosticCode.UnknownEvent, `Unknown event '${name}'`, names());
    if ((isTestRun(container) || isExpectSent(container) || isExpectNotSent(container)) && property === 'rule') {
        return withHint(DiagnosticCode.UnknownRuleOrEvent, `Unknown rule '${name}'`, names());
    }
    if (property === 'message' && (isTestDelivery(container) || isTestEngagement(container) || isExpectSent(container))) {
        const event = isExpectSent(container) ? (container.rule?.ref ? ruleEvent(container.rule.ref) : undefined) : testEventType(container.subject?.ref);
        if (!event || !container.channel) return undefined;
        const all = scopes.allMessages().filter(m => m.name === name);
        if (all.length === 0) {
            return withHint(DiagnosticCode.UnknownMessage, `Unknown message '${name}'`, names(),
                `Declare it: message ${name} for ${event.name} ${container.channel} { ... }`);
        }
        return {
            code: DiagnosticCode.MissingMessage,
            message: `No message '${name}' for event '${event.name}' on channel ${container.channel}`,
            hint: `There is one for ${all.map(m => `${m.event?.$refText} ${m.channel}`).join(', ')}`,
        };
    }
    return undefined;
}

/** What a data object's field names are looked up in, in words; undefined when that is itself an error. */
function dataOwner(object: DataObject, scopes: FollowupScopeProvider): string | undefined {
    const container = object.$container;
    if (isTestEvent(container)) return container.event?.ref ? `event '${container.event.ref.name}'` : undefined;
    if (isTestProfile(container)) return scopes.profile() ? 'the profile' : undefined;
    let type = expectedTypeRef(object);
    if (type?.$type === 'ListType') type = type.element;
    if (type?.$type === 'RecordTypeRef') return type.record?.ref ? `type '${type.record.ref.name}'` : undefined;
    return undefined; // a value that is not a record: the checker says so
}
