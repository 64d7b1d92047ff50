// importHistory on both engines: every record kind lands, re-imports change nothing, and one bad line
// anywhere rejects the whole file with its line number and writes nothing.
import { describe, expect, it } from 'vitest';
import { importHistory, ImportRejectedError, type ImportResult, type StoreTx } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { cartData, exampleSchemas, lines, rowCounts } from './support.js';

const at = (day: number, time = '10:00:00') => `2026-11-${String(day).padStart(2, '0')}T${time}Z`;

/** A small valid history about customer `c` (ids prefixed with it), every record kind included. */
function history(c: string): object[] {
    return [
        // A delivery before its event in the file: references may point down the file.
        { kind: 'delivery', id: `${c}-d1`, event: `${c}-e1`, message: 'transactional', channel: 'email', to: ` ${c}@Example.com`, at: at(20, '10:00:05') },
        { kind: 'event', id: `${c}-e1`, type: 'cartAbandonment', at: at(20), data: cartData(c) },
        { kind: 'delivered', delivery: `${c}-d1`, at: at(20, '10:00:09') },
        { kind: 'open', delivery: `${c}-d1`, at: '2026-11-21T09:00:00+01:00', machine: true },
        { kind: 'click', delivery: `${c}-d1`, at: at(21, '08:01:00'), url: 'https://shop.example/cart', link: 'cart' },
        { kind: 'click', delivery: `${c}-d1`, at: at(21, '08:01:00'), url: 'https://shop.example/checkout' },
        { kind: 'event', id: `${c}-e2`, type: 'cartAbandonment', at: at(21), data: cartData(c, { phone: '+33 6 00 00 00 00' }) },
        { kind: 'delivery', id: `${c}-d2`, event: `${c}-e2`, message: 'transactional', channel: 'sms', to: '+33 6 00 00 00 00', at: at(21, '10:00:01') },
        { kind: 'bounce', delivery: `${c}-d2`, at: at(21, '10:00:30'), hard: true },
        { kind: 'delivery', id: `${c}-d3`, event: `${c}-e2`, message: 'transactional', channel: 'email', to: `${c}@example.com`, at: at(21, '10:00:02'), status: 'failed' },
        { kind: 'bounce', delivery: `${c}-d1`, at: at(22), id: `${c}-provider-77` }, // soft: no suppression
        { kind: 'complaint', delivery: `${c}-d1`, at: at(22, '11:00:00') },
        { kind: 'unsubscribe', channel: 'email', to: `${c.toUpperCase()}@EXAMPLE.COM `, at: at(22, '12:00:00') },
        { kind: 'unsubscribe', channel: 'email', to: `${c}@example.com`, at: at(22, '09:00:00') }, // earlier: kept
        { kind: 'event', id: `${c}-p1`, type: 'purchase', at: at(22), data: { customerId: c, email: `${c}@example.com`, orderId: 'o1', total: 120.5, currency: 'EUR' } },
        '',
        { kind: 'profile', key: c, at: at(20), data: { country: 'FR' } },
        { kind: 'profile', key: c, at: at(19), data: { country: 'DE' } }, // an older version: kept too
    ];
}

async function rejection(promise: Promise<unknown>): Promise<ImportRejectedError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    if (!(error instanceof ImportRejectedError)) throw new Error(`expected an ImportRejectedError, got ${String(error)}`);
    return error;
}

async function only<T>(db: StoreTx, sql: string, params: unknown[] = []): Promise<T[]> {
    return (await db.query<T>(sql, params)).rows;
}

forEachEngine('importHistory', (ctx) => {
    it('writes every record kind: events, deliveries, tracking, suppressions, profiles', async () => {
        const result = await importHistory(ctx.store, lines(...history('c1')));
        expect(result).toEqual<ImportResult>({
            lines: 18, records: 17, events: 3, deliveries: 3, tracking: 7, suppressions: 3, profiles: 2, skippedDuplicates: 1,
        });
        const db = ctx.store;
        expect(await only(db, `SELECT id, type, occurred_at, payload->>'firstName' AS name FROM events WHERE id LIKE 'c1-%' ORDER BY id`)).toEqual([
            { id: 'c1-e1', type: 'cartAbandonment', occurred_at: new Date(at(20)), name: 'Ana' },
            { id: 'c1-e2', type: 'cartAbandonment', occurred_at: new Date(at(21)), name: 'Ana' },
            { id: 'c1-p1', type: 'purchase', occurred_at: new Date(at(22)), name: null },
        ]);
        expect(await only(db, `SELECT id, event_id, message, channel, recipient, status, rule FROM deliveries WHERE id LIKE 'c1-%' ORDER BY id`)).toEqual([
            { id: 'c1-d1', event_id: 'c1-e1', message: 'transactional', channel: 'email', recipient: 'c1@Example.com', status: 'sent', rule: null },
            { id: 'c1-d2', event_id: 'c1-e2', message: 'transactional', channel: 'sms', recipient: '+33600000000', status: 'sent', rule: null },
            { id: 'c1-d3', event_id: 'c1-e2', message: 'transactional', channel: 'email', recipient: 'c1@example.com', status: 'failed', rule: null },
        ]);
        expect(await only(db, `SELECT delivery_id, kind, at, url, link, hard, machine, source_key FROM tracking WHERE delivery_id LIKE 'c1-%' ORDER BY at, kind, url`)).toEqual([
            { delivery_id: 'c1-d1', kind: 'delivered', at: new Date(at(20, '10:00:09')), url: null, link: null, hard: null, machine: false, source_key: 'delivered:c1-d1:2026-11-20T10:00:09.000Z' },
            { delivery_id: 'c1-d2', kind: 'bounce', at: new Date(at(21, '10:00:30')), url: null, link: null, hard: true, machine: false, source_key: 'bounce:c1-d2:2026-11-21T10:00:30.000Z' },
            { delivery_id: 'c1-d1', kind: 'click', at: new Date(at(21, '08:01:00')), url: 'https://shop.example/cart', link: 'cart', hard: null, machine: false, source_key: 'click:c1-d1:2026-11-21T08:01:00.000Z:https://shop.example/cart' },
            { delivery_id: 'c1-d1', kind: 'click', at: new Date(at(21, '08:01:00')), url: 'https://shop.example/checkout', link: null, hard: null, machine: false, source_key: 'click:c1-d1:2026-11-21T08:01:00.000Z:https://shop.example/checkout' },
            { delivery_id: 'c1-d1', kind: 'open', at: new Date(at(21, '08:00:00')), url: null, link: null, hard: null, machine: true, source_key: 'open:c1-d1:2026-11-21T08:00:00.000Z' },
            { delivery_id: 'c1-d1', kind: 'bounce', at: new Date(at(22)), url: null, link: null, hard: false, machine: false, source_key: 'c1-provider-77' },
            { delivery_id: 'c1-d1', kind: 'complaint', at: new Date(at(22, '11:00:00')), url: null, link: null, hard: null, machine: false, source_key: 'complaint:c1-d1:2026-11-22T11:00:00.000Z' },
        ].sort((a, b) => a.at.getTime() - b.at.getTime() || a.kind.localeCompare(b.kind) || String(a.url).localeCompare(String(b.url))));
        expect(await only(db, `SELECT channel, address, reason, at, source FROM suppressions WHERE address LIKE '%c1%' OR address LIKE '+33%' ORDER BY reason`)).toEqual([
            { channel: 'email', address: 'c1@example.com', reason: 'complaint', at: new Date(at(22, '11:00:00')), source: 'import:complaint:c1-d1' },
            { channel: 'sms', address: '+33600000000', reason: 'hard_bounce', at: new Date(at(21, '10:00:30')), source: 'import:bounce:c1-d2' },
            { channel: 'email', address: 'c1@example.com', reason: 'unsubscribe', at: new Date(at(22, '09:00:00')), source: 'import:unsubscribe' },
        ]);
        expect(await only(db, `SELECT key, payload, updated_at FROM profiles WHERE key = 'c1' ORDER BY updated_at`)).toEqual([
            { key: 'c1', payload: { country: 'DE' }, updated_at: new Date(at(19)) },
            { key: 'c1', payload: { country: 'FR' }, updated_at: new Date(at(20)) },
        ]);
    });

    it('is a no-op to import the same records again', async () => {
        const before = await rowCounts(ctx.store);
        const again = await importHistory(ctx.store, lines(...history('c1')));
        expect(again).toEqual<ImportResult>({
            lines: 18, records: 17, events: 0, deliveries: 0, tracking: 0, suppressions: 0, profiles: 0, skippedDuplicates: 17,
        });
        expect(await rowCounts(ctx.store)).toEqual(before);
    });

    it('keeps the earliest suppression and every profile version across imports', async () => {
        const result = await importHistory(ctx.store, lines(
            { kind: 'unsubscribe', channel: 'email', to: 'c1@example.com', at: at(22, '08:00:00'), id: 'u-early' },
            { kind: 'unsubscribe', channel: 'email', to: 'c1@example.com', at: at(23) },
            { kind: 'profile', key: 'c1', at: at(21), data: { country: 'IT' } },
        ));
        expect(result).toMatchObject({ suppressions: 1, profiles: 1, skippedDuplicates: 1 });
        expect(await only(ctx.store, `SELECT at, source FROM suppressions WHERE address = 'c1@example.com' AND reason = 'unsubscribe'`))
            .toEqual([{ at: new Date(at(22, '08:00:00')), source: 'import:unsubscribe:u-early' }]);
        expect(await only(ctx.store, `SELECT payload FROM profiles WHERE key = 'c1' ORDER BY updated_at`))
            .toEqual([{ payload: { country: 'DE' } }, { payload: { country: 'FR' } }, { payload: { country: 'IT' } }]);
    });

    it('refers to events and deliveries already in the store', async () => {
        const result = await importHistory(ctx.store, lines(
            { kind: 'delivery', id: 'c1-d9', event: 'c1-e1', message: 'transactional', channel: 'email', to: 'c1@example.com', at: at(23) },
            { kind: 'open', delivery: 'c1-d1', at: at(23, '11:00:00') },
        ));
        expect(result).toMatchObject({ deliveries: 1, tracking: 1, skippedDuplicates: 0 });
    });

    it('validates against the project schemas when given them, profiles included', async () => {
        const schemas = await exampleSchemas();
        const result = await importHistory(ctx.store, lines(
            { kind: 'event', id: 'c2-e1', type: 'cartAbandonment', at: at(20), data: cartData('c2') },
            { kind: 'event', id: 'c2-p1', type: 'purchase', at: at(21), data: { customerId: 'c2', email: 'c2@example.com', orderId: 'o', total: '10', currency: 'EUR' } },
        ), { schemas });
        expect(result.events).toBe(2);
        const error = await rejection(importHistory(ctx.store, lines({ kind: 'profile', key: 'c2', at: at(20), data: {} }), { schemas }));
        expect(error.errors).toEqual([{ line: 1, path: 'kind', message: 'a profile record, but the project declares no profile' }]);
        const profile = { name: 'profile', kind: 'profile', key: 'customerId', fields: [{ name: 'customerId', type: { kind: 'primitive', name: 'string' }, optional: false }] } as const;
        const withProfile = { ...schemas, profile };
        expect((await importHistory(ctx.store, lines({ kind: 'profile', key: 'c2', at: at(20), data: { customerId: 'c2' } }), { schemas: withProfile })).profiles).toBe(1);
        const mismatch = await rejection(importHistory(ctx.store, lines({ kind: 'profile', key: 'c2', at: at(21), data: { customerId: 'c3', country: 'FR' } }), { schemas: withProfile }));
        expect(mismatch.errors.map(e => `${e.path}: ${e.message}`)).toEqual([
            `data.country: unknown field: the profile declares no 'country'`,
            `data.customerId: "c3" differs from the record's key "c2"`,
        ]);
    });

    it('rolls back what earlier batches wrote when the last of 2,501 lines is bad', async () => {
        const before = await rowCounts(ctx.store);
        const file: object[] = [];
        for (let i = 0; i < 1250; i++) {
            file.push({ kind: 'event', id: `r-e${i}`, type: 'cartAbandonment', at: at(20), data: cartData(`r${i}`) });
            file.push({ kind: 'delivery', id: `r-d${i}`, event: `r-e${i}`, message: 'transactional', channel: 'email', to: `r${i}@example.com`, at: at(20, '10:01:00') });
        }
        file.push({ kind: 'open', delivery: 'r-d1', at: 'soon' });
        const error = await rejection(importHistory(ctx.store, lines(...file), { batchSize: 100 }));
        expect(error.errors).toEqual([{ line: 2501, path: 'at', message: 'expected an ISO-8601 instant with a time zone, such as "2026-11-20T10:00:00Z", in the years 0001-9999, got "soon"' }]);
        expect(await rowCounts(ctx.store)).toEqual(before);
        // The same file without its bad line goes in whole, in batches.
        const result = await importHistory(ctx.store, lines(...file.slice(0, -1)), { batchSize: 100 });
        expect(result).toMatchObject({ events: 1250, deliveries: 1250, skippedDuplicates: 0 });
    });

    describe('rejects the whole file for one bad line anywhere, naming the line, and writes nothing', () => {
        const valid = history('c3');
        const withoutProfiles = valid.filter(r => typeof r === 'string' || (r as { kind: string }).kind !== 'profile');
        const cases: { name: string; line: object | string; schemas?: boolean; expected: string }[] = [
            { name: 'malformed JSON', line: '{"kind":"event","id":"x",', expected: 'not valid JSON' },
            { name: 'not an object', line: '[1, 2]', expected: 'expected a JSON object with a "kind", got an array' },
            { name: 'an unknown kind', line: { kind: 'opened', delivery: 'c3-d1', at: at(21) }, expected: 'kind: unknown kind "opened" (did you mean "open"?)' },
            { name: 'an unknown key', line: { kind: 'open', delivery: 'c3-d1', at: at(21), when: 'now' }, expected: 'when: unknown key: open records have kind, delivery, at, id, machine' },
            { name: 'a missing key', line: { kind: 'delivery', id: 'c3-dx', event: 'c3-e1', channel: 'email', to: 'a@b.co', at: at(21) }, expected: 'message: missing (required in a delivery record)' },
            { name: 'a bad timestamp', line: { kind: 'open', delivery: 'c3-d1', at: '2026-11-21 08:00' }, expected: 'at: expected an ISO-8601 instant' },
            { name: 'an impossible date', line: { kind: 'open', delivery: 'c3-d1', at: '2026-11-31T08:00:00Z' }, expected: 'at: expected an ISO-8601 instant' },
            { name: 'an unknown channel', line: { kind: 'unsubscribe', channel: 'fax', to: 'x', at: at(21) }, expected: 'channel: expected a channel, one of email, sms, push; got "fax"' },
            { name: 'a recipient that is not an email', line: { kind: 'unsubscribe', channel: 'email', to: 'ana', at: at(21) }, expected: 'to: expected an email address on the email channel' },
            { name: 'a NUL character', line: { kind: 'event', id: 'c3-nul', type: 'x', at: at(21), data: { a: ['ok', 'bad\u0000'] } }, expected: 'data.a[1]: contains a NUL character' },
            { name: 'a delivery for an unknown event', line: { kind: 'delivery', id: 'c3-dx', event: 'nope', message: 'm', channel: 'sms', to: '1', at: at(21) }, expected: 'event: unknown event "nope": no event record with this id in the file, nor in the store' },
            { name: 'tracking of an unknown delivery', line: { kind: 'click', delivery: 'nope', at: at(21), url: 'https://x.example' }, expected: 'delivery: unknown delivery "nope"' },
            { name: 'an unknown event type', schemas: true, line: { kind: 'event', id: 'c3-x', type: 'cartAbandonmnet', at: at(21), data: {} }, expected: 'type: unknown event type "cartAbandonmnet" (did you mean "cartAbandonment"?); the project declares: cartAbandonment, purchase' },
            { name: 'data of the wrong type', schemas: true, line: { kind: 'event', id: 'c3-x', type: 'cartAbandonment', at: at(21), data: cartData('c3', { cartTotal: 'cheap' }) }, expected: 'data.cartTotal: expected a decimal' },
            { name: 'data missing a field', schemas: true, line: { kind: 'event', id: 'c3-x', type: 'cartAbandonment', at: at(21), data: cartData('c3', { email: undefined }) }, expected: "data.email: missing (required email field of event 'cartAbandonment')" },
            { name: 'data with an unknown field', schemas: true, line: { kind: 'event', id: 'c3-x', type: 'cartAbandonment', at: at(21), data: cartData('c3', { emial: 'x' }) }, expected: "data.emial: unknown field: event 'cartAbandonment' declares no 'emial'; did you mean 'email'?" },
        ];
        for (const c of cases) {
            it(`${c.name}`, async () => {
                const before = await rowCounts(ctx.store);
                // The bad line goes near the end, after lines that would have been written.
                const base = c.schemas ? withoutProfiles : valid; // the example declares no profile
                const file = [...base.slice(0, -2), c.line, ...base.slice(-2)];
                const schemas = c.schemas ? await exampleSchemas() : undefined;
                const error = await rejection(importHistory(ctx.store, lines(...file), { schemas, batchSize: 3 }));
                const line = file.length - 2;
                expect(error.errorCount).toBe(1);
                expect(error.errors).toHaveLength(1);
                const problem = error.errors[0]!;
                expect(problem.line).toBe(line);
                expect(`${problem.path ? `${problem.path}: ` : ''}${problem.message}`).toContain(c.expected);
                expect(error.message).toContain(`1 error in the history; nothing was imported:\n  line ${line}: `);
                expect(await rowCounts(ctx.store)).toEqual(before);
            });
        }

        it('collects the first 20 problems in line order, counts them all, and says when a reference is to a bad line', async () => {
            const before = await rowCounts(ctx.store);
            const file: (object | string)[] = [
                { kind: 'delivery', id: 'c4-d1', event: 'c4-e1', message: 'm', channel: 'email', to: 'a@b.co', at: at(21) }, // 1: its event is bad
                { kind: 'event', id: 'c4-e1', type: 'cartAbandonment', at: 'yesterday', data: {} }, // 2
                ...Array.from({ length: 30 }, (_, i) => `not json ${i}`), // 3..32
                { kind: 'open', delivery: 'c4-unknown', at: at(21) }, // 33: counted, not shown
            ];
            const error = await rejection(importHistory(ctx.store, lines(...file)));
            expect(error.errorCount).toBe(33);
            expect(error.errors).toHaveLength(20);
            expect(error.errors.map(e => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
            expect(error.errors[0]).toEqual({ line: 1, path: 'event', message: 'event "c4-e1" is not imported: its line 2 has errors' });
            expect(error.errors[1]).toMatchObject({ line: 2, path: 'at' });
            expect(await rowCounts(ctx.store)).toEqual(before);
        });
    });
});
