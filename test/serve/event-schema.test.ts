// The JSON Schema the compiler emits per event: declared types, optional fields, nested and
// recursive record types, lists, formats; profile-targeting events; standard draft-07 that a plain
// ajv (with ajv-formats) compiles too. And the transactional messages with their recipients.
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { compileIngestionPlans } from '@followup/compiler';
import { loadSources } from '@followup/language';

async function plansOf(sources: Record<string, string>) {
    const project = await loadSources(sources);
    expect(project.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return compileIngestionPlans(project);
}

describe('event JSON Schemas', () => {
    it('maps every field type, optional fields, lists and nested record types', async () => {
        const { events } = await plansOf({
            'shop.followup': `
event order {
  key customerId
  customerId: string
  email: email
  phone: phone?
  total: decimal
  count: int
  paid: boolean
  at: timestamp
  day: date?
  site: url
  lines: list<Line>
  tags: list<string>?
}
type Line { sku: string  qty: int  parts: list<Line>? }
message transactional for order email { subject: "Order" text: "{{ total }}" }
message transactional for order sms { text: "Order" }
`,
        });
        const order = events.find((e) => e.event === 'order')!;
        expect(order.schema).toEqual({
            $schema: 'http://json-schema.org/draft-07/schema#',
            title: 'order',
            type: 'object',
            properties: {
                customerId: { type: 'string' },
                email: { type: 'string', format: 'email' },
                phone: { type: ['string', 'null'] },
                total: { type: ['number', 'string'], pattern: expect.any(String), maxLength: 1000 },
                count: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
                paid: { type: 'boolean' },
                at: { type: 'string', format: 'date-time' },
                day: { type: ['string', 'null'], format: 'date' },
                site: { type: 'string', format: 'uri' },
                lines: { type: 'array', items: { $ref: '#/definitions/Line' } },
                tags: { type: ['array', 'null'], items: { type: 'string' } },
            },
            required: ['customerId', 'email', 'total', 'count', 'paid', 'at', 'site', 'lines'],
            additionalProperties: false,
            definitions: {
                Line: {
                    type: 'object',
                    properties: {
                        sku: { type: 'string' },
                        qty: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
                        parts: { type: ['array', 'null'], items: { $ref: '#/definitions/Line' } },
                    },
                    required: ['sku', 'qty'],
                    additionalProperties: false,
                },
            },
        });
        expect(order.key).toBe('customerId');
        expect(order.transactional.map((t) => [t.channel, t.recipient])).toEqual([
            ['email', { source: 'event', field: 'email', normalise: 'email' }],
            ['sms', { source: 'event', field: 'phone', normalise: 'none' }],
        ]);

        // Standard draft-07: any validator reads it.
        const ajv = new Ajv({ allErrors: true });
        addFormats(ajv);
        const validate = ajv.compile(order.schema);
        const good = { customerId: 'c1', email: 'a@b.example', total: '12.50', count: 2, paid: true, at: '2026-11-20T10:00:00Z', site: 'https://s.example', lines: [{ sku: 'a', qty: 1, parts: [{ sku: 'b', qty: 2 }] }] };
        expect(validate(good)).toBe(true);
        expect(validate({ ...good, total: 'twelve', lines: [{ sku: 'a', qty: 1, extra: 1 }] })).toBe(false);
        expect(validate.errors!.map((e) => e.instancePath).sort()).toEqual(['/lines/0', '/total']);
    });

    it('an event targeting the profile: its own fields plus the profile key; the recipient comes from the profile', async () => {
        const { events, profile } = await plansOf({
            'p.followup': `
profile { key customerId  customerId: string  email: email  name: string }
event shipped targeting profile { customerId: string  orderId: string }
message transactional for shipped email { subject: "Shipped" text: "{{ profile.name }}" }
`,
        });
        const shipped = events[0]!;
        expect(shipped.profileKey).toBe('customerId');
        expect(shipped.schema['required']).toEqual(['customerId', 'orderId']);
        expect(shipped.transactional[0]!.recipient).toEqual({ source: 'profile', field: 'email', normalise: 'email' });
        expect(profile).toMatchObject({ key: 'customerId', schema: { title: 'profile', required: ['customerId', 'email', 'name'] } });
    });

    it('a transactional message whose channel has no address field, or several, says why it cannot be sent', async () => {
        const { events } = await plansOf({
            'x.followup': `
event signup { work: email  home: email }
message transactional for signup email { subject: "Hi" text: "Hi" }
`,
        });
        expect(events[0]!.transactional[0]).toMatchObject({ channel: 'email', problem: expect.stringMatching(/several email fields \(work, home\)/) });
        expect(events[0]!.transactional[0]!.recipient).toBeUndefined();
    });
});
