import type { ReferenceInfo } from 'langium';
import { didYouMean, primitiveTypeNames } from '@followup/template';
import {
    isEvent, isGoal, isKeyDecl, isMessage, isPathSegment, isProfile, isRecordTypeRef, isSendAction, isSinceCondition, isTrigger,
    type PathSegment, type SendAction
} from '../generated/ast.js';
import { containingRule, ruleEvent } from '../model/schema.js';
import { explainUnresolvedInGoal } from './goal-checks.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import { explainTestReference } from './test-references.js';

const engagementWords = new Set(['delivered', 'opened', 'clicked', 'bounced']);

export interface Explained {
    code: string;
    message: string;
    hint?: string;
    candidates?: string[];
    severity?: 'error' | 'warning';
}

/**
 * Why a reference did not resolve, in the user's terms. Undefined when the failure only follows
 * from another error (a rule whose event is unknown cannot know its messages or fields).
 */
export function explainUnresolved(info: ReferenceInfo, scopes: FollowupScopeProvider): Explained | undefined {
    const inTest = explainTestReference(info, scopes);
    if (inTest !== null) return inTest;
    const { container } = info;
    const name = info.reference.$refText;
    const candidates = () => scopes.getScope(info).getAllElements().map(d => d.name).distinct().toArray();
    const withHint = (code: string, message: string, names: string[]): Explained => {
        const guess = didYouMean(name, names);
        return { code, message, hint: guess ? `Did you mean '${guess}'?` : undefined, candidates: guess ? [guess] : [] };
    };

    if (isTrigger(container)) {
        return withHint(DiagnosticCode.UnknownRuleOrEvent, `Unknown event or rule '${name}'`, candidates());
    }
    if (isSinceCondition(container) && info.property === 'same') {
        const rule = containingRule(container);
        const event = rule && ruleEvent(rule);
        return event ? withHint(DiagnosticCode.UnknownField, `Unknown field '${name}' on event '${event.name}'`, candidates()) : undefined;
    }
    if (isGoal(container)) return explainUnresolvedInGoal(container, info.property, name, withHint, candidates);
    if (isSinceCondition(container) || isMessage(container)) {
        return withHint(DiagnosticCode.UnknownEvent, `Unknown event '${name}'`, candidates());
    }
    if (isRecordTypeRef(container)) {
        return withHint(DiagnosticCode.UnknownType, `Unknown type '${name}'`, [...candidates(), ...primitiveTypeNames]);
    }
    if (isKeyDecl(container)) {
        const owner = container.$container;
        const ownerName = owner.$type === 'Profile' ? 'the profile' : `event '${owner.name}'`;
        return withHint(DiagnosticCode.UnknownField, `Key field '${name}' is not declared in ${ownerName}`, candidates());
    }
    if (isPathSegment(container)) {
        const owner = pathSegmentOwner(container);
        if (!owner) return undefined;
        const explained = withHint(DiagnosticCode.UnknownField, `Unknown field '${name}' on ${owner}`, candidates());
        // `and opened = true`: engagement words are conditions of their own, not fields.
        if (engagementWords.has(name) && container.$container.segments.length === 1 && !explained.hint) {
            return { ...explained, hint: `'${name}' is a condition of its own: write \`and ${name}\` (or \`and not ${name}\`), without a comparison` };
        }
        return explained;
    }
    if (isSendAction(container)) return explainMissingMessage(container, name, scopes);
    return undefined;
}

/** What the segment's field was looked up in, in words; undefined when that itself is unresolved. */
function pathSegmentOwner(segment: PathSegment): string | undefined {
    const path = segment.$container;
    const index = path.segments.indexOf(segment);
    if (index > 0) {
        const previous = path.segments[index - 1]?.field?.ref;
        if (!previous) return undefined;
        if (isProfile(previous)) return 'the profile';
        if (isEvent(previous)) return `event '${previous.name}'`;
        const type = previous.type;
        const record = type?.$type === 'ListType' ? type.element : type;
        if (record?.$type === 'RecordTypeRef') return record.record?.ref ? `type '${record.record.ref.name}'` : undefined;
        return `'${previous.name}' (a ${type?.$type === 'PrimitiveType' ? type.name : 'value'} has no fields)`;
    }
    const rule = containingRule(path);
    const event = rule && ruleEvent(rule);
    return event ? `event '${event.name}'` : undefined;
}

function explainMissingMessage(action: SendAction, name: string, scopes: FollowupScopeProvider): Explained | undefined {
    const rule = containingRule(action);
    const event = rule && ruleEvent(rule);
    if (!event || !action.channel) return undefined;
    const all = scopes.allMessages();
    const sameName = all.filter(m => m.name === name);
    if (sameName.length === 0) {
        const forEvent = all.filter(m => m.event?.ref === event && m.channel === action.channel).map(m => m.name);
        const guess = didYouMean(name, forEvent);
        return {
            code: DiagnosticCode.UnknownMessage,
            message: `Unknown message '${name}'`,
            hint: guess ? `Did you mean '${guess}'?` : `Declare it: message ${name} for ${event.name} ${action.channel} { ... }`,
            candidates: guess ? [guess] : [],
        };
    }
    const have = sameName.map(m => `${m.event?.$refText} ${m.channel}`).join(', ');
    return {
        code: DiagnosticCode.MissingMessage,
        message: `No message '${name}' for event '${event.name}' on channel ${action.channel} (there is one for ${have})`,
        hint: `Declare it: message ${name} for ${event.name} ${action.channel} { ... }`,
    };
}
