// Scoping inside scenario tests: a data object's entries see the fields of what it holds (the event,
// the profile, a record type), `ana` sees the events of the same test, and a message name sees the
// messages of the test event's type on the channel written after it.
import type { AstNode, ReferenceInfo, Scope } from 'langium';
import {
    isDataEntry, isExpectSent, isTestDelivery, isTestEngagement, type Message, type Profile, type TestEvent,
} from '../generated/ast.js';
import { containingTest, dataObjectFields, testEvents, testEventType } from '../model/test-model.js';
import { ruleEvent } from '../model/schema.js';

export interface TestScopeHelpers {
    forNodes(nodes: AstNode[]): Scope;
    messagesOf(event: unknown, channel: string): Message[];
    profile(): Profile | undefined;
    referenceType(context: ReferenceInfo): string;
}

/** The scope of a reference inside a test, or undefined when the reference is not one of the tests'. */
export function testScope(context: ReferenceInfo, helpers: TestScopeHelpers): Scope | undefined {
    const container = context.container;
    if (isDataEntry(container) && context.property === 'field') {
        return helpers.forNodes(dataObjectFields(container.$container, helpers.profile()));
    }
    if (helpers.referenceType(context) === 'TestEvent') {
        const own = context.property === 'like' ? container : undefined;
        return helpers.forNodes(testEvents(containingTest(container)).filter(e => e !== own));
    }
    if (context.property === 'message' && (isTestDelivery(container) || isTestEngagement(container) || isExpectSent(container))) {
        const event = isExpectSent(container) && container.rule?.ref
            ? ruleEvent(container.rule.ref)
            : testEventType(container.subject?.ref as TestEvent | undefined);
        return helpers.forNodes(event && container.channel ? helpers.messagesOf(event, container.channel) : []);
    }
    return undefined;
}
