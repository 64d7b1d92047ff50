import { AstUtils, DefaultScopeProvider, type ReferenceInfo, type Scope } from 'langium';
import {
    isKeyDecl, isMessage, isPathSegment, isProfile, isSendAction,
    type Event, type Field, type Message, type Path, type PathSegment, type Profile, type SendAction
} from '../generated/ast.js';
import { containingRule, declaredFields, fieldsOfTypeRef, ruleEvent } from '../model/schema.js';

/**
 * Scoping that follows the language's meaning rather than nesting:
 * a path's first field belongs to the rule's event (or the profile), each further field to the
 * type of the one before; `send m c` sees only the messages declared for the rule's event and c.
 */
export class FollowupScopeProvider extends DefaultScopeProvider {
    override getScope(context: ReferenceInfo): Scope {
        const container = context.container;
        if (isPathSegment(container) && context.property === 'field') {
            return this.createScopeForNodes(this.fieldsForSegment(container.$container, container));
        }
        if (isKeyDecl(container) && context.property === 'field') {
            return this.createScopeForNodes(declaredFields(container.$container));
        }
        if (isSendAction(container) && context.property === 'message') {
            return this.createScopeForNodes(this.messagesFor(container));
        }
        return super.getScope(context);
    }

    /** Every message declared in the workspace (all documents), for the checker's hints too. */
    allMessages(): Message[] {
        return this.indexManager.allElements('Message').map(d => d.node).filter(isMessage).toArray();
    }

    profile(): Profile | undefined {
        return this.indexManager.allElements('Profile').map(d => d.node).find(isProfile) as Profile | undefined;
    }

    private messagesFor(action: SendAction): Message[] {
        const rule = containingRule(action);
        const event = rule && ruleEvent(rule);
        if (!event) return [];
        return this.allMessages().filter(m => m.event?.ref === event && m.channel === action.channel);
    }

    private fieldsForSegment(path: Path, segment: PathSegment): Field[] {
        const index = path.segments.indexOf(segment);
        if (index <= 0) return declaredFields(this.pathOwner(path));
        return fieldsOfTypeRef(path.segments[index - 1]?.field?.ref?.type);
    }

    /** Whose fields a path starts from: the profile for `profile.x`, else the declaration it sits in or the rule's event. */
    private pathOwner(path: Path): Event | Profile | undefined {
        if (path.root === 'profile') return this.profile();
        const owner = AstUtils.getContainerOfType(path, (n): n is Event | Profile => n.$type === 'Event' || n.$type === 'Profile');
        if (owner) return owner;
        const rule = containingRule(path);
        return rule ? ruleEvent(rule) : undefined;
    }
}
