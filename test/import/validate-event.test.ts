// The schema validator: plain EventSchema in (built from the language's FieldViews), JSON paths out.
import { describe, expect, it } from 'vitest';
import { validateEventData, type EventSchema, type SchemaField } from '@followup/runtime';
import { cartData, exampleSchemas } from './support.js';

async function cartSchema(): Promise<EventSchema> {
    return (await exampleSchemas()).events.find(e => e.name === 'cartAbandonment')!;
}

const field = (name: string, type: SchemaField['type'], optional = false): SchemaField => ({ name, type, optional });

describe('validateEventData', () => {
    it('accepts valid data of the example (decimals as numbers or numeric strings, optional fields absent or null)', async () => {
        const schema = await cartSchema();
        expect(schema.key).toBe('customerId');
        expect(validateEventData(schema, cartData('c1'))).toEqual([]);
        expect(validateEventData(schema, cartData('c1', { phone: null }))).toEqual([]);
        expect(validateEventData(schema, cartData('c1', { phone: '+33 6 12 34 56 78', cartTotal: '120.50' }))).toEqual([]);
    });

    it('reports missing, mistyped and unknown fields with their JSON paths', async () => {
        const schema = await cartSchema();
        const data = cartData('c1', {
            firstName: undefined,
            firstname: 'Ana',
            cartTotal: 'abc',
            loyaltyMember: 'yes',
            items: [{ sku: 'A', name: 'Mug', price: 1, quantity: 1 }, { sku: 'B', name: 'Pot', price: 'x', quantity: 1.5, colour: 'red' }],
        });
        expect(validateEventData(schema, data)).toEqual([
            { path: 'data.firstName', message: "missing (required string field of event 'cartAbandonment')" },
            { path: 'data.cartTotal', message: 'expected a decimal (a number, or a numeric string such as "19.99"), got "abc"' },
            { path: 'data.items[1].price', message: 'expected a decimal (a number, or a numeric string such as "19.99"), got "x"' },
            { path: 'data.items[1].quantity', message: 'expected an integer, got 1.5' },
            { path: 'data.items[1].colour', message: "unknown field: type 'CartItem' declares no 'colour'" },
            { path: 'data.loyaltyMember', message: 'expected true or false, got "yes"' },
            { path: 'data.firstname', message: "unknown field: event 'cartAbandonment' declares no 'firstname'; did you mean 'firstName'?" },
        ]);
    });

    it('checks emails, URLs, instants, dates and lists', () => {
        const schema: EventSchema = {
            name: 'signup',
            fields: [
                field('email', { kind: 'primitive', name: 'email' }),
                field('site', { kind: 'primitive', name: 'url' }),
                field('at', { kind: 'primitive', name: 'timestamp' }),
                field('birthday', { kind: 'primitive', name: 'date' }, true),
                field('tags', { kind: 'list', element: { kind: 'primitive', name: 'string' } }),
                field('token', { kind: 'primitive', name: 'pushToken' }, true),
            ],
        };
        const ok = { email: ' Ana@Example.com ', site: 'https://x.example/a?b=1', at: '2026-11-20T10:00:00.123456+01:00', birthday: '2000-02-29', tags: [] };
        expect(validateEventData(schema, ok)).toEqual([]);
        expect(validateEventData(schema, { ...ok, at: '2026-11-20T10:00:00+0100' })).toEqual([]);
        const bad = { email: 'ana@', site: 'ftp://x.example', at: '2026-11-20 10:00', birthday: '2001-02-29', tags: ['a', 3], token: 7 };
        expect(validateEventData(schema, bad).map(p => p.path)).toEqual(['email', 'site', 'at', 'birthday', 'tags[1]', 'token'].map(p => `data.${p}`));
        expect(validateEventData(schema, { ...ok, at: '2026-11-20T10:00:00' })[0]!.message).toMatch(/ISO-8601 instant with a time zone/);
        expect(validateEventData(schema, { ...ok, at: '2026-02-30T10:00:00Z' })).toHaveLength(1);
        expect(validateEventData(schema, { ...ok, tags: 'a' })).toEqual([{ path: 'data.tags', message: 'expected a list<string> (a JSON array), got "a"' }]);
        expect(validateEventData(schema, [1])).toEqual([{ path: 'data', message: "expected an object (the fields of event 'signup'), got an array" }]);
        expect(validateEventData(schema, { ...ok, 'odd key': 1 }, 'data')[0]!.path).toBe('data["odd key"]');
    });

    it('handles recursive record types and caps the problems of one value', () => {
        const node: SchemaField['type'] = {
            kind: 'record', name: 'Node',
            fields: () => [field('label', { kind: 'primitive', name: 'string' }), field('children', { kind: 'list', element: node }, true)],
        };
        const schema: EventSchema = { name: 'tree', fields: [field('root', node)] };
        expect(validateEventData(schema, { root: { label: 'a', children: [{ label: 'b', children: [{ label: 3 }] }] } })).toEqual([
            { path: 'data.root.children[0].children[0].label', message: 'expected a string, got 3' },
        ]);
        const many = { root: { label: 'a', children: Array.from({ length: 1000 }, () => ({ label: 1 })) } };
        expect(validateEventData(schema, many)).toHaveLength(50);
    });
});
