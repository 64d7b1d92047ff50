/**
 * Acceptance: a literal such as `"O'Brien\"; drop table events; --"` in a condition compiles, the SQL
 * text contains no literal value at all, and the query matches exactly that value (docs/language.md §8: every
 * value travels as a bind parameter). For `=`, `!=`, `in (...)`, `contains` (text and list),
 * `starts with` and `clicked link "..."`, on both engines.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { compileSources, ruleNamed, runRecheck, runSelection } from '../support/run-query.js';
import { eventWithDelivery, track } from '../support/sql-fixtures.js';

/** The value of the literal `"O'Brien\"; drop table events; --"`. */
const evil = `O'Brien"; drop table events; --`;
/** The value of `"x\nDROP TABLE events; --"`: a line break, to try to end a `--` comment of the .sql file. */
const multiline = 'x\nDROP TABLE events; --';

// String.raw keeps the backslashes: this is the .followup text exactly as a user would type it.
const literal = String.raw`"O'Brien\"; drop table events; --"`;
const source = String.raw`
event cartAbandonment {
  email: email
  lastName: string?
  tags: list<string>
}

message followup for cartAbandonment email {
  subject: "Hello {{ lastName }}"
  text: "Your cart is waiting."
}

followup byEquals     { when cartAbandonment sent 3 days ago and lastName = ${literal} then send followup email }
followup byNotEquals  { when cartAbandonment sent 3 days ago and lastName != ${literal} then send followup email }
followup byIn         { when cartAbandonment sent 3 days ago and lastName in (${literal}, 'x\'y') then send followup email }
followup byContains   { when cartAbandonment sent 3 days ago and lastName contains ${literal} then send followup email }
followup byStartsWith { when cartAbandonment sent 3 days ago and lastName starts with ${literal} then send followup email }
followup byTag        { when cartAbandonment sent 3 days ago and tags contains ${literal} then send followup email }
followup byLink       { when cartAbandonment sent 3 days ago and clicked link ${literal} then send followup email }
followup byNewline    { when cartAbandonment sent 3 days ago and lastName = "x\nDROP TABLE events; --" then send followup email }
`;

const { project, rules } = await compileSources({ 'injection.followup': source });
const ruleNames = ['byContains', 'byEquals', 'byIn', 'byLink', 'byNewline', 'byNotEquals', 'byStartsWith', 'byTag'];

const now = new Date('2026-11-23T10:00:00Z');
const w = new Date('2026-11-22T10:00:00Z');
const sentAt = new Date('2026-11-20T08:00:00Z'); // due in this run's window

/** Every value of a parameter list, arrays and JSON arrays flattened. */
function boundValues(parameters: { value?: unknown }[]): unknown[] {
    return parameters.flatMap(p => {
        if (Array.isArray(p.value)) return p.value;
        if (typeof p.value === 'string' && p.value.startsWith('[')) {
            try {
                return [p.value, ...(JSON.parse(p.value) as unknown[])];
            } catch {
                return [p.value];
            }
        }
        return [p.value];
    });
}

describe('a hostile literal compiles into bind parameters only', () => {
    it('compiles with no diagnostics', () => {
        expect(project.diagnostics).toEqual([]);
        expect([...rules.keys()]).toEqual(ruleNames);
    });

    for (const name of ruleNames) {
        it(`${name}: the selection and recheck SQL contain no value, and the value is a parameter`, () => {
            const rule = ruleNamed(rules, name);
            const value = name === 'byNewline' ? multiline : evil;
            for (const query of [rule.plan.queries.selection, rule.plan.queries.recheck]) {
                expect(query.sql).not.toContain('Brien');
                expect(query.sql).not.toMatch(/drop/i);
                expect(query.sql).not.toContain("x'y");
                expect(query.sql).not.toContain('cartAbandonment');
                expect(query.sql).not.toContain(name);
                expect(boundValues(query.parameters)).toContain(value);
            }
        });
    }

    it('the .sql file shows the values only in its comment lines, one line each', () => {
        for (const name of ruleNames) {
            const lines = ruleNamed(rules, name).sql.split('\n');
            const body = lines.filter(l => !l.startsWith('--')).join('\n');
            expect(body).not.toContain('Brien');
            expect(body).not.toMatch(/drop/i);
            // The comment that lists the values keeps each one on its own `--` line (JSON-escaped).
            expect(lines.filter(l => /drop table/i.test(l)).every(l => l.startsWith('--'))).toBe(true);
        }
        expect(ruleNamed(rules, 'byNewline').sql).toContain(JSON.stringify(multiline));
    });
});

forEachEngine('a hostile literal matches exactly its value', (ctx) => {
    const lastNames: Record<string, string | undefined> = {
        exact: evil,
        bare: `O'Brien`,
        sqlEscaped: `O''Brien"; drop table events; --`,
        backslashed: `O'Brien\\"; drop table events; --`,
        lowercase: `o'brien"; drop table events; --`,
        truncated: `O'Brien"; drop table events`,
        trailingSpace: `${evil} `,
        wrapped: `Mr ${evil} Jr`,
        suffixed: `${evil} Jr`,
        otherInList: `x'y`,
        multiline,
        noLastName: undefined,
    };
    let eventsBefore = 0;

    beforeAll(async () => {
        const db = ctx.store;
        for (const [id, lastName] of Object.entries(lastNames)) {
            const payload = { email: `${id.toLowerCase()}@example.com`, tags: [], ...(lastName === undefined ? {} : { lastName }) };
            await eventWithDelivery(db, { id, type: 'cartAbandonment', payload, sentAt });
        }
        // Tags: the exact value is one element of the list, or a near miss is.
        for (const [id, tags] of Object.entries({ tagExact: [evil, 'vip'], tagBare: [`O'Brien`], tagWrapped: [`Mr ${evil}`] })) {
            await eventWithDelivery(db, { id, type: 'cartAbandonment', payload: { email: `${id.toLowerCase()}@example.com`, lastName: 'Smith', tags }, sentAt });
        }
        // Clicks on links named like the value, or nearly.
        for (const [id, link] of Object.entries({ linkExact: evil, linkBare: `O'Brien`, linkSqlEscaped: `O''Brien"; drop table events; --` })) {
            const delivery = await eventWithDelivery(db, { id, type: 'cartAbandonment', payload: { email: `${id.toLowerCase()}@example.com`, lastName: 'Smith', tags: [] }, sentAt });
            await track(db, { deliveryId: delivery, kind: 'click', at: '2026-11-21T09:00:00Z', link, url: 'https://shop.example/cart' });
        }
        eventsBefore = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n);
    });

    const selected = async (name: string) =>
        (await runSelection(ctx.store, ruleNamed(rules, name), { w, now })).map(r => r.event_id).sort();

    it('= selects only the event whose lastName is exactly the value', async () => {
        expect(await selected('byEquals')).toEqual(['exact']);
    });

    it('!= selects every other event, the one without a lastName included', async () => {
        const everyone = (await ctx.store.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map(r => r.id);
        expect(await selected('byNotEquals')).toEqual(everyone.filter(id => id !== 'exact').sort());
    });

    it('in (...) selects only the events whose lastName is one of the values', async () => {
        expect(await selected('byIn')).toEqual(['exact', 'otherInList']);
    });

    it('contains selects only the lastNames that contain the value', async () => {
        expect(await selected('byContains')).toEqual(['exact', 'suffixed', 'trailingSpace', 'wrapped']);
    });

    it('starts with selects only the lastNames that start with the value', async () => {
        expect(await selected('byStartsWith')).toEqual(['exact', 'suffixed', 'trailingSpace']);
    });

    it('contains on a list selects only the lists with the value as an element', async () => {
        expect(await selected('byTag')).toEqual(['tagExact']);
    });

    it('clicked link selects only the click on the link of that name', async () => {
        expect(await selected('byLink')).toEqual(['linkExact']);
    });

    it('a value with a line break matches exactly that value', async () => {
        expect(await selected('byNewline')).toEqual(['multiline']);
    });

    it('the recheck query matches the same way', async () => {
        const rows = await runRecheck(ctx.store, ruleNamed(rules, 'byEquals'), Object.keys(lastNames), now);
        expect(rows).toEqual([{ event_id: 'exact', suppressed: false }]);
    });

    it('the events table is still there, with every event', async () => {
        const table = await ctx.store.query<{ t: string | null }>(`SELECT to_regclass('public.events')::text AS t`);
        expect(table.rows[0]!.t).toBe('events');
        const count = await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
        expect(count.rows[0]!.n).toBe(eventsBefore);
        expect(eventsBefore).toBe(Object.keys(lastNames).length + 3 + 3);
    });
});
