// What `followup serve` needs to ingest each event type without the source: the JSON Schema of its
// data, its key, and the transactional messages to send when it arrives (compiled templates and who
// they go to). Plain JSON, like the render plans.
import {
    channelAddressType, declaredFields, fieldViews, isEvent, isField, isMessage, keyField,
    type ChannelName, type Event, type Field, type LoadedProject, type Message, type Profile,
} from '@followup/language';
import { compileMessageTemplates, type RenderPlan } from '../plan/render-plan.js';
import { compareText, type PhonePath, phonePaths } from '@followup/values';
import { eventDataSchema, type JsonSchema } from './event-json-schema.js';

/** The conventional name of the message sent when its event arrives (docs/language.md §2). */
export const TRANSACTIONAL_MESSAGE = 'transactional';

export interface TransactionalPlan {
    message: string;
    channel: ChannelName;
    /**
     * Where the recipient's address is: a field of the event, or of the profile (events targeting
     * the profile). Undefined when the channel has no address field, or several (then `problem` says so).
     */
    recipient?: { source: 'event' | 'profile'; field: string; normalise: 'email' | 'none' };
    problem?: string;
    templates: RenderPlan['templates'];
}

export interface EventPlan {
    event: string;
    /** JSON Schema (draft-07) of the event's data. */
    schema: JsonSchema;
    key: string | null;
    /** For an event targeting the profile: the profile's key field, which the event carries. */
    profileKey: string | null;
    /** Where the data's phone numbers are (`phone`, `contacts.*.mobile`): stored in E.164. */
    phonePaths: PhonePath[];
    transactional: TransactionalPlan[];
}

export interface ProfilePlan {
    schema: JsonSchema;
    key: string | null;
    phonePaths: PhonePath[];
}

export interface IngestionPlans {
    events: EventPlan[];
    profile: ProfilePlan | null;
}

/** The ingestion plans of a checked project (no errors), events in name order. */
export function compileIngestionPlans(project: LoadedProject): IngestionPlans {
    const declarations = project.documents.flatMap((d) => d.parseResult.value.declarations);
    const messages = declarations.filter(isMessage);
    const profile = project.profile;
    const events = declarations
        .filter(isEvent)
        .map((event) => eventPlan(event, messages.filter((m) => m.event.ref === event), profile, project.root))
        .sort((a, b) => compareText(a.event, b.event));
    return {
        events,
        profile: profile ? { schema: eventDataSchema(profile), key: keyField(profile)?.name ?? null, phonePaths: phonePaths(fieldViews(profile)) } : null,
    };
}

function eventPlan(event: Event, messages: Message[], profile: Profile | undefined, root: string): EventPlan {
    const transactional = messages
        .filter((m) => m.name === TRANSACTIONAL_MESSAGE)
        .sort((a, b) => compareText(a.channel, b.channel))
        .map((m): TransactionalPlan => {
            const channel = m.channel as ChannelName;
            const owner = event.targetsProfile ? profile : event;
            const candidates = addressFields(owner, channel);
            const source = event.targetsProfile ? 'profile' : 'event';
            const base = { message: m.name, channel, templates: compileMessageTemplates(m, profile, root) };
            if (candidates.length === 1) {
                return { ...base, recipient: { source, field: candidates[0]!.name, normalise: channel === 'email' ? 'email' : 'none' } };
            }
            const where = event.targetsProfile ? 'the profile' : `event '${event.name}'`;
            const type = channelAddressType[channel];
            return {
                ...base,
                problem: candidates.length === 0
                    ? `${where} has no ${type} field to send the ${channel} message to`
                    : `${where} has several ${type} fields (${candidates.map((f) => f.name).join(', ')}): the transactional ${channel} message cannot tell which one to send to`,
            };
        });
    return {
        event: event.name,
        schema: eventDataSchema(event, profile),
        key: keyField(event)?.name ?? null,
        profileKey: event.targetsProfile ? (keyField(profile)?.name ?? null) : null,
        phonePaths: phonePaths(fieldViews(event)),
        transactional,
    };
}

function addressFields(owner: Event | Profile | undefined, channel: ChannelName): Field[] {
    const type = channelAddressType[channel];
    return declaredFields(owner).filter((f) => isField(f) && f.type?.$type === 'PrimitiveType' && f.type.name === type);
}
