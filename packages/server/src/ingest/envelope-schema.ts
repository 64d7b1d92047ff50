// The JSON Schema of what `POST /v1/events/<type>` takes: the event's data in an envelope with its
// optional id and time, as in a `followup import` event record (`{"id","at","data"}`; the type is in
// the URL). A batch item also names its `type`.
import type { EventPlan, JsonSchema, ProfilePlan } from '@followup/compiler';

export const MAX_EVENT_ID_LENGTH = 200;

/** `{ "id"?, "at"?, "data" }` for one event type (with `type` too for batch items). */
export function eventEnvelopeSchema(plan: EventPlan, options: { withType?: boolean } = {}): JsonSchema {
    const { data, definitions } = splitDefinitions(plan.schema);
    return {
        $schema: plan.schema['$schema'],
        type: 'object',
        properties: {
            ...(options.withType ? { type: { const: plan.event } } : {}),
            id: { type: 'string', minLength: 1, maxLength: MAX_EVENT_ID_LENGTH },
            at: { type: 'string', format: 'date-time' },
            data,
        },
        required: options.withType ? ['type', 'data'] : ['data'],
        additionalProperties: false,
        ...(definitions ? { definitions } : {}),
    };
}

/** `{ "key"?, "at"?, "data" }`: a profile's latest data, as in a `followup import` profile record. */
export function profileEnvelopeSchema(plan: ProfilePlan): JsonSchema {
    const { data, definitions } = splitDefinitions(plan.schema);
    return {
        $schema: plan.schema['$schema'],
        type: 'object',
        properties: {
            key: { type: 'string', minLength: 1, maxLength: MAX_EVENT_ID_LENGTH },
            at: { type: 'string', format: 'date-time' },
            data,
        },
        required: plan.key ? ['data'] : ['key', 'data'],
        additionalProperties: false,
        ...(definitions ? { definitions } : {}),
    };
}

/** The envelope of a batch item before its type is known: `type` must name an event. */
export function batchItemHeadSchema(types: readonly string[]): JsonSchema {
    return {
        type: 'object',
        properties: { type: { type: 'string', enum: [...types] } },
        required: ['type'],
    };
}

/** Record types' definitions move to the envelope's root, where `#/definitions/...` refers. */
function splitDefinitions(schema: JsonSchema): { data: JsonSchema; definitions: unknown } {
    const { $schema: _draft, title: _title, definitions, ...data } = schema;
    return { data, definitions };
}
