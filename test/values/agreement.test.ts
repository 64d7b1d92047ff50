// The value rules of @followup/values and the SQL guards of the PostgreSQL dialect agree (issues 10
// and 11): a few hundred values, each run through the JavaScript rule that import and ingestion use
// and through the guard the compiled rules use, on PGlite and PostgreSQL 15. A value the rule accepts
// is read by SQL as the same number, instant or date; a value it refuses is NULL to SQL; and no value
// makes the query fail (all of them are read by one statement). Emails are normalised the same way on
// both sides, whatever the blanks around them.
import { expect, it } from 'vitest';
import { PostgresDialect } from '@followup/compiler';
import { BLANK_CHARACTERS, isDecimalText, isIsoDate, normaliseEmail, parseInstant } from '@followup/values';
import { forEachEngine } from '../support/stores.js';

const dialect = new PostgresDialect();

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const decimals = [
    '0', '5', '-5', '+5', '5.', '.5', '-.5', '+.5', '0.25', '19.99', '1e3', '1E3', '1e-3', '1.5e+10', '-2.5E-7', '1e999', '1e-999',
    '007', '1_000', '1,5', '', ' ', ' 5', '5 ', '.', '-', '+', 'e5', '1e', '1e+', '1e1000', '1e12345', '0x10', 'NaN', 'Infinity', '-Infinity',
    '1.2.3', '--5', '+-5', '5-', '١٢٣', '５', '1e٣', '9'.repeat(999), '9'.repeat(1001), `0.${'1'.repeat(998)}`, '12abc', 'abc', '\t5', '5\n',
];

const instants = [
    '2026-11-20T10:00:00Z', '2026-11-20T10:00Z', '2026-11-20T10:00:00.1Z', '2026-11-20T10:00:00.123456789Z', '2026-11-20T10:00:00.1234567890Z',
    '2026-11-20t10:00:00z', '2026-11-20T10:00:00+01:00', '2026-11-20T10:00:00+0100', '2026-11-20T10:00:00-05:30', '2026-11-20T10:00:00+14:00',
    '2026-11-20T10:00:00+15:59', '2026-11-20T10:00:00+16:00', '2026-11-20T10:00:00-16:00', '2026-11-20T10:00:00+01', '2026-11-20T10:00:00',
    '2026-11-20 10:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T23:60:00Z', '2026-11-20T23:59:60Z', '2026-11-20T9:00:00Z', '2026-11-20',
    '2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '0400-02-29T00:00:00Z',
    '2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-12-31T23:59:59.999Z',
    '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '0001-01-01T00:30:00-01:00', '0001-01-01T00:00:00+00:00',
    '9999-12-31T23:59:59Z', '9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.9999994Z', '9999-12-31T23:59:59.9999996Z', '9999-12-31T23:30:00-01:00',
    '9999-12-31T23:30:00+01:00', '9999-12-31T23:59:59.9999999Z', '2026-11-20T10:00:00.9999996Z', '2026-12-31T23:59:59.99999999Z',
    '2026-11-20T10:00:00.0000005Z', '10000-01-01T00:00:00Z', '+002026-11-20T10:00:00Z', '-000001-01-01T00:00:00Z', '2026-11-20T10:00:00ZZ', 'now',
    'yesterday', 'infinity', '', '2026-11-20T10:00:00.Z', '２０２６-11-20T10:00:00Z', '2026-11-20T10:00:00 Z', ' 2026-11-20T10:00:00Z',
];

const dates = [
    '2026-11-20', '2026-02-28', '2026-02-29', '2024-02-29', '2000-02-29', '1900-02-29', '2026-02-30', '2026-04-31', '2026-06-31', '2026-13-01',
    '0000-01-01', '0001-01-01', '9999-12-31', '10000-01-01', '2026-1-5', '2026-11-20T00:00:00Z', '20261120', '', 'today', 'infinity', '2026-11-20 ',
];

/** Random strings near the patterns: digits, signs, separators, letters, blanks. */
function near(seed: number, count: number, alphabet: string, maxLength: number): string[] {
    const next = random(seed);
    return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * maxLength) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

function randomInstants(seed: number, count: number): string[] {
    const next = random(seed);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    return Array.from({ length: count }, () => {
        const year = next() < 0.2 ? [0, 1, 9999, 1900, 2000, 2024][Math.floor(next() * 6)]! : Math.floor(next() * 10000);
        const zone = ['Z', '+00:00', `+${pad(Math.floor(next() * 17), 2)}:${pad(Math.floor(next() * 60), 2)}`, `-${pad(Math.floor(next() * 17), 2)}${pad(Math.floor(next() * 60), 2)}`][Math.floor(next() * 4)]!;
        const fraction = next() < 0.3 ? `.${pad(Math.floor(next() * 1e9), 9).slice(0, 1 + Math.floor(next() * 9))}` : '';
        return `${pad(year, 4)}-${pad(1 + Math.floor(next() * 13), 2)}-${pad(1 + Math.floor(next() * 31), 2)}T${pad(Math.floor(next() * 25), 2)}:${pad(Math.floor(next() * 61), 2)}:${pad(Math.floor(next() * 61), 2)}${fraction}${zone}`;
    });
}

/** JSON numbers as jsonb stores them (the payload's numbers), read by the number guard. */
const jsonNumbers = [0, -0, 1, -1, 0.1, 19.99, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 123456789012345680000, 2 ** 53, -(2 ** 53)];

/** Evaluates the guard for `type` on every `{"v": value}` payload in one statement; text of what SQL read, or null. */
async function guard(store: { query: (sql: string, params: unknown[]) => Promise<{ rows: { i: number; v: string | null }[] }> }, type: 'number' | 'timestamp' | 'date', payloads: string[]) {
    const expr = dialect.jsonAs('x.payload', ['v'], type);
    const out = type === 'timestamp' ? `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS')` : `(${expr})::text`;
    const { rows } = await store.query(
        `SELECT t.i::int AS i, ${out} AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i), LATERAL (SELECT t.p::jsonb AS payload) x ORDER BY t.i`,
        [payloads],
    );
    return rows.map((r) => r.v);
}

forEachEngine('value rules and SQL guards agree', (ctx) => {
    it('decimals written as text: valid for the rule ⇔ numeric for SQL, with the same value; JSON numbers are numeric too', async () => {
        const values = [...decimals, ...near(11, 150, '0123456789+-.eE ', 8)];
        const read = await guard(ctx.store, 'number', values.map((v) => JSON.stringify({ v })));
        values.forEach((v, i) => {
            expect(read[i] !== null, JSON.stringify(v)).toBe(isDecimalText(v));
            if (read[i] !== null && v.length < 30) expect(Number(read[i]), v).toBeCloseTo(Number(v), 10);
        });
        const numbers = await guard(ctx.store, 'number', jsonNumbers.map((v) => JSON.stringify({ v })));
        jsonNumbers.forEach((v, i) => expect(Number(numbers[i]), String(v)).toBe(v === 0 ? 0 : v));
        console.log(`[${ctx.engine}] decimals: ${values.length} strings and ${jsonNumbers.length} JSON numbers agree`);
    });

    it('instants: valid for the rule ⇔ a timestamptz for SQL, the same instant to the millisecond', async () => {
        const values = [...instants, ...randomInstants(7, 300), ...near(13, 60, '0123456789-:TZ+.', 26)];
        const read = await guard(ctx.store, 'timestamp', values.map((v) => JSON.stringify({ v })));
        values.forEach((v, i) => {
            const js = parseInstant(v);
            expect(read[i] !== null, v).toBe(js !== undefined);
            if (js) expect(read[i], v).toBe(js.toISOString().slice(0, 23));
        });
        console.log(`[${ctx.engine}] instants: ${values.length} agree (${read.filter((r) => r !== null).length} valid)`);
    });

    it('dates: valid for the rule ⇔ a date for SQL, the same day', async () => {
        const next = random(5);
        const pad = (n: number, w: number) => String(n).padStart(w, '0');
        const generated = Array.from({ length: 200 }, () => `${pad(Math.floor(next() * 10000), 4)}-${pad(Math.floor(next() * 14), 2)}-${pad(Math.floor(next() * 32), 2)}`);
        const values = [...dates, ...generated, ...['2024-02-29', '2023-02-29', '2000-02-29', '2100-02-29', '1600-02-29', '0004-02-29', '0100-02-29']];
        const read = await guard(ctx.store, 'date', values.map((v) => JSON.stringify({ v })));
        values.forEach((v, i) => {
            expect(read[i] !== null, v).toBe(isIsoDate(v));
            if (read[i] !== null) expect(read[i], v).toBe(v);
        });
        console.log(`[${ctx.engine}] dates: ${values.length} agree`);
    });

    it('emails: normaliseEmail and the SQL normalisation give the same address, for every blank around it and any letter case', async () => {
        const blanks = [...BLANK_CHARACTERS];
        const addresses = ['Ana@Example.com', 'kai@example.com', 'ÉLODIE@Exämple.FR', 'a b@example.com', 'x@y.z'];
        const values: string[] = [];
        for (const a of addresses) {
            values.push(a);
            for (const b of blanks) values.push(`${b}${a}`, `${a}${b}`, `${b}${b}${a}${b}`);
        }
        values.push('\t\n kai@example.com \r\n', '\u200bkai@example.com', 'kai@example.com\u0000'.slice(0, -1));
        const { rows } = await ctx.store.query<{ v: string }>(
            `SELECT ${dialect.normaliseEmail('t.a')} AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(a, i) ORDER BY t.i`,
            [values],
        );
        values.forEach((v, i) => expect(rows[i]!.v, JSON.stringify(v)).toBe(normaliseEmail(v)));
        console.log(`[${ctx.engine}] emails: ${values.length} normalised alike`);
    });
});

forEachEngine('instants read back from the store', (ctx) => {
    it('are the instants written, in every year 0001-9999 (PGlite read the years 0001-0099 as 2001-2099)', async () => {
        const instants = ['0001-01-01T00:00:00.000Z', '0009-06-15T12:34:56.789Z', '0099-12-31T23:59:59.999Z', '0100-01-01T00:00:00.000Z', '0999-03-01T00:00:00.000Z', '2026-11-20T10:00:00.123Z', '9999-12-31T23:59:59.999Z'];
        const { rows } = await ctx.store.query<{ at: Date; plain: Date }>(
            `SELECT t.a::timestamptz AS at, (t.a::timestamptz AT TIME ZONE 'UTC') AS plain FROM unnest($1::text[]) WITH ORDINALITY AS t(a, i) ORDER BY t.i`,
            [instants],
        );
        expect(rows.map((r) => r.at.toISOString())).toEqual(instants);
        expect(rows.map((r) => r.plain.toISOString())).toEqual(instants);
    });
});
