// The JSON Schema of an event's data (or the profile's), from its declaration: what `followup serve`
// validates each ingested event against, and what `followup compile` writes as schemas/<event>.json
// for the shop's developers. Draft-07 (the default of fastify's ajv), standard keywords and formats
// only, so any validator can use it.
import { fieldViews, keyField, type Event, type Profile } from '@followup/language';
import type { FieldView, FuType, PrimitiveTypeName } from '@followup/template';
import { compareText, DECIMAL_TEXT_PATTERN, MAX_DECIMAL_TEXT_LENGTH } from '@followup/values';

export type JsonSchema = { [keyword: string]: unknown };

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** A decimal given as a string (amounts beyond a double's precision): the value rule of @followup/values. */
export const DECIMAL_STRING_PATTERN = DECIMAL_TEXT_PATTERN;

/**
 * One primitive type. `format` names the standard formats (`email`, `uri`, `date-time`, `date`);
 * `followup serve` gives them the exact meaning `followup import` checks (an http(s) URL, an instant
 * with a time zone), so both accept the same events.
 */
const primitiveSchemas: Record<PrimitiveTypeName, JsonSchema> = {
    string: { type: 'string' },
    phone: { type: 'string' },
    pushToken: { type: 'string' },
    email: { type: 'string', format: 'email' },
    url: { type: 'string', format: 'uri' },
    int: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    // A number, or a numeric string: the pattern and the length apply to strings only.
    decimal: { type: ['number', 'string'], pattern: DECIMAL_STRING_PATTERN, maxLength: MAX_DECIMAL_TEXT_LENGTH },
    boolean: { type: 'boolean' },
    timestamp: { type: 'string', format: 'date-time' },
    date: { type: 'string', format: 'date' },
};

/**
 * The schema of an event's `data`: every declared field (`?` fields may be absent or null), no
 * undeclared field (a misspelt field would otherwise be stored and silently ignored). Record types
 * are `definitions`, referenced by name, so recursive types work. For an event targeting the
 * profile, the profile's key field is required when the event does not declare it itself.
 */
export function eventDataSchema(owner: Event | Profile, profile?: Profile): JsonSchema {
    const builder = new SchemaBuilder();
    const fields = [...fieldViews(owner)];
    if (owner.$type === 'Event' && owner.targetsProfile) {
        const key = keyField(profile);
        if (key && !fields.some((f) => f.name === key.name)) fields.push({ name: key.name, type: { kind: 'primitive', name: 'string' }, optional: false });
    }
    const root = builder.object(fields);
    const title = owner.$type === 'Event' ? owner.name : 'profile';
    return {
        $schema: JSON_SCHEMA_DRAFT,
        title,
        ...root,
        ...(builder.definitions.size > 0 ? { definitions: Object.fromEntries([...builder.definitions].sort(([a], [b]) => compareText(a, b))) } : {}),
    };
}

class SchemaBuilder {
    readonly definitions = new Map<string, JsonSchema>();

    type(type: FuType): JsonSchema {
        switch (type.kind) {
            case 'primitive':
                return { ...primitiveSchemas[type.name] };
            case 'list':
                return { type: 'array', items: this.type(type.element) };
            case 'record':
                if (!this.definitions.has(type.name)) {
                    this.definitions.set(type.name, {}); // placeholder first: a recursive type refers to itself
                    this.definitions.set(type.name, this.object(type.fields()));
                }
                return { $ref: `#/definitions/${type.name}` };
            case 'unknown':
                return {};
        }
    }

    object(fields: readonly FieldView[]): JsonSchema {
        const properties: Record<string, JsonSchema> = {};
        for (const field of fields) properties[field.name] = field.optional ? nullable(this.type(field.type)) : this.type(field.type);
        const required = fields.filter((f) => !f.optional).map((f) => f.name);
        return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
    }
}

/** An optional field may also be null. */
function nullable(schema: JsonSchema): JsonSchema {
    if (typeof schema['type'] === 'string') return { ...schema, type: [schema['type'], 'null'] };
    if (Array.isArray(schema['type'])) return { ...schema, type: [...(schema['type'] as string[]), 'null'] };
    return { anyOf: [{ type: 'null' }, schema] };
}
