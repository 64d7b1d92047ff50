import { DefaultScopeProvider, WorkspaceCache, type LangiumCoreServices, type ReferenceInfo, type Scope } from 'langium';
import {
    isEvent, isField, isGoal, isKeyDecl, isMessage, isPathSegment, isProfile, isSendAction, isSinceCondition,
    type Message, type Path, type PathSegment, type Profile, type SendAction
} from '../generated/ast.js';
import { goalSubject } from '../model/goals.js';
import { containingRule, declaredFields, fieldsOfTypeRef, ruleEvent } from '../model/schema.js';
import { testScope, type TestScopeHelpers } from './test-scopes.js';

/**
 * Scoping that follows the language's meaning rather than nesting:
 * a path's first field belongs to the rule's event (or the profile), each further field to the
 * type of the one before; `send m c` sees only the messages declared for the rule's event and c.
 */
export class FollowupScopeProvider extends DefaultScopeProvider {
    override getScope(context: ReferenceInfo): Scope {
        const container = context.container;
        const inTest = testScope(context, this.testHelpers);
        if (inTest) return inTest;
        if (isPathSegment(container) && context.property === 'field') {
            return this.segmentScope(container.$container, container);
        }
        if (isKeyDecl(container) && context.property === 'field') {
            return this.createScopeForNodes(declaredFields(container.$container));
        }
        // `<other> with same f since sent`: f is a field of the rule's event (the checker wants it in the other too).
        if (isSinceCondition(container) && context.property === 'same') {
            const rule = containingRule(container);
            return this.createScopeForNodes(declaredFields(rule && ruleEvent(rule)));
        }
        // `goal purchase with same orderId within 7 days value total`: `same` fields are the measured
        // event's (the rule's, or the policy goal's `for` event); `value` is a field of the goal event.
        if (isGoal(container) && context.property === 'same') return this.createScopeForNodes(declaredFields(goalSubject(container)));
        if (isGoal(container) && context.property === 'value') return this.createScopeForNodes(declaredFields(container.event?.ref));
        if (isSendAction(container) && context.property === 'message') {
            return this.createScopeForNodes(this.messagesFor(container));
        }
        return super.getScope(context);
    }

    private readonly messageIndex: WorkspaceCache<string, { all: Message[]; byEventAndChannel: Map<unknown, Map<string, Message[]>> }>;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.messageIndex = new WorkspaceCache(services.shared);
    }

    /** What scenario tests' scopes need (services/test-scopes.ts). */
    private readonly testHelpers: TestScopeHelpers = {
        forNodes: nodes => this.createScopeForNodes(nodes),
        messagesOf: (event, channel) => this.messagesOf(event, channel),
        profile: () => this.profile(),
        referenceType: context => this.reflection.getReferenceType(context),
    };

    /** Every message declared in the workspace, indexed once per workspace state (not per lookup). */
    private messages() {
        return this.messageIndex.get('messages', () => {
            const all = this.indexManager.allElements('Message').map(d => d.node).filter(isMessage).toArray();
            const byEventAndChannel = new Map<unknown, Map<string, Message[]>>();
            for (const m of all) {
                const event = m.event?.ref;
                if (!event) continue;
                const channels = byEventAndChannel.get(event) ?? new Map<string, Message[]>();
                byEventAndChannel.set(event, channels);
                channels.set(m.channel, [...(channels.get(m.channel) ?? []), m]);
            }
            return { all, byEventAndChannel };
        });
    }

    /** Every message declared in the workspace (all documents), for the checker's hints too. */
    allMessages(): Message[] {
        return this.messages().all;
    }

    /** The messages declared for an event on a channel. */
    messagesOf(event: unknown, channel: string): Message[] {
        return this.messages().byEventAndChannel.get(event)?.get(channel) ?? [];
    }

    profile(): Profile | undefined {
        return this.indexManager.allElements('Profile').map(d => d.node).find(isProfile) as Profile | undefined;
    }

    private messagesFor(action: SendAction): Message[] {
        const rule = containingRule(action);
        const event = rule && ruleEvent(rule);
        if (!event) return [];
        return this.messagesOf(event, action.channel);
    }

    /**
     * A path's first segment sees the event's fields, then `event` and `profile` themselves
     * (so `event.x` and `profile.x` work; a field of that name wins). Later segments see the
     * fields of what the previous segment names.
     */
    private segmentScope(path: Path, segment: PathSegment): Scope {
        const index = path.segments.indexOf(segment);
        if (index > 0) {
            const previous = path.segments[index - 1]?.field?.ref;
            const fields = isEvent(previous) || isProfile(previous) ? declaredFields(previous) : fieldsOfTypeRef(isField(previous) ? previous.type : undefined);
            return this.createScopeForNodes(fields);
        }
        const rule = containingRule(path);
        const event = rule && ruleEvent(rule);
        const profile = this.profile();
        const roots = [
            ...(event ? [this.descriptions.createDescription(event, 'event')] : []),
            ...(profile ? [this.descriptions.createDescription(profile, 'profile')] : []),
        ];
        return this.createScopeForNodes(declaredFields(event), this.createScope(roots));
    }
}
