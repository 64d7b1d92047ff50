// The embedded store registers PostgreSQL's built-in array types from a table (store/pglite-array-types.ts)
// instead of PGlite's query of `pg_type` at every start. The table must be what the catalog says, and
// arrays must travel both ways exactly as with PGlite's own registration.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ARRAY_TYPES, StorePglite } from '../../packages/runtime/src/store/pglite-array-types.js';

describe('the built-in array types of the embedded store', () => {
    let catalog: PGlite;
    let store: StorePglite;
    beforeAll(async () => {
        catalog = await PGlite.create();
        store = await StorePglite.open();
    });
    afterAll(async () => {
        await catalog.close();
        await store.close();
    });

    it("are the pairs PGlite's own catalog query finds for the built-in types", async () => {
        const { rows } = await catalog.query<{ oid: number; typarray: number }>(`
            SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
            WHERE a.typcategory = 'A' AND b.oid < 10000 GROUP BY b.oid, b.typarray ORDER BY b.oid`);
        expect(BUILTIN_ARRAY_TYPES.map(([element, array]) => ({ oid: element, typarray: array }))).toEqual(rows);
    });

    it('send and read arrays as PGlite does: text, bigint, int, numeric, bool, jsonb, timestamptz, nulls and nesting', async () => {
        const sql = `SELECT $1::text[] AS texts, $2::int8[] AS bigints, $3::int4[] AS ints, $4::numeric[] AS decimals, $5::bool[] AS bools,
            $6::jsonb[] AS docs, $7::timestamptz[] AS instants, $8::text[] AS grid, ARRAY[]::text[] AS empty, ARRAY['a,b', NULL, '"q"']::text[] AS quoted`;
        const params = [['a', 'b c', 'd"e', '{x}', ''], ['1', '9007199254740993'], [1, -2, 3], ['1.50', '-0.1'], [true, false, null],
            [{ a: 1 }, [1, 2]], ['2026-11-23T10:00:00Z', '1999-01-01T00:00:00.5Z'], [['a', 'b'], ['c', 'd']]];
        const theirs = await catalog.query(sql, params);
        const ours = await store.query(sql, params);
        expect(ours.rows).toEqual(theirs.rows);
        expect(ours.rows[0]).toMatchObject({ texts: ['a', 'b c', 'd"e', '{x}', ''], ints: [1, -2, 3], grid: [['a', 'b'], ['c', 'd']], empty: [], quoted: ['a,b', null, '"q"'] });
    });
});
