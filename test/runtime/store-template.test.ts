// A new embedded store is a copy of a migrated template that holds only the store's own database:
// initdb's template0 and template1 are dropped (two thirds of the files a copy must create; see
// packages/runtime/src/store/pglite-template.ts). The same goes for `followup test`'s in-memory store.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { currentSchemaVersion, latestSchemaVersion, openScenarioStore, openStore, type Store } from '@followup/runtime';

const temp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'followup-store-template-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

async function databases(store: Store): Promise<string[]> {
    return (await store.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname')).rows.map((r) => r.datname);
}

it('a new embedded store holds only its own database, migrated, and is independent of the next one', async () => {
    const first = await openStore(nodePath.join(temp, 'first'));
    const second = await openStore(nodePath.join(temp, 'second'));
    try {
        expect(await databases(first)).toEqual(['postgres']);
        expect(await currentSchemaVersion(first)).toBe(latestSchemaVersion);
        await first.query("INSERT INTO events (id, type, occurred_at, payload) VALUES ('e1', 'cart', now(), '{}')");
        expect((await second.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: 0 }]);
    } finally {
        await first.close();
        await second.close();
    }
    const reopened = await openStore(nodePath.join(temp, 'first'));
    try {
        expect((await reopened.query('SELECT id FROM events')).rows).toEqual([{ id: 'e1' }]);
    } finally {
        await reopened.close();
    }
});

it("followup test's in-memory store, made and then loaded from its dumped template, holds only its own database", async () => {
    const templateDir = nodePath.join(temp, 'scenario-templates');
    const made = await openScenarioStore({ templateDir });
    const loaded = await openScenarioStore({ templateDir });
    try {
        expect([made.origin, loaded.origin]).toEqual(['created', 'template']);
        expect(await databases(made.store)).toEqual(['postgres']);
        expect(await databases(loaded.store)).toEqual(['postgres']);
        expect(await currentSchemaVersion(loaded.store)).toBe(latestSchemaVersion);
    } finally {
        await made.store.close();
        await loaded.store.close();
    }
});

it('making a new template removes the templates of other schemas and abandoned unfinished ones, not one being made', async () => {
    const templateDir = nodePath.join(temp, 'stale-templates');
    fs.mkdirSync(templateDir, { recursive: true });
    const stale = nodePath.join(templateDir, 'followup-test-store-pglite-0.0.1-schema-3-0123456789ab.tar.gz');
    const abandoned = nodePath.join(templateDir, 'followup-test-store-pglite-0.0.1-schema-3-0123456789ab.tar.gz.123.partial');
    const beingMade = nodePath.join(templateDir, 'followup-test-store-pglite-0.0.2-schema-4-0123456789ab.tar.gz.456.partial');
    const unrelated = nodePath.join(templateDir, 'notes.txt');
    for (const file of [stale, abandoned, beingMade, unrelated]) fs.writeFileSync(file, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
    const made = await openScenarioStore({ templateDir });
    try {
        expect(made.origin).toBe('created');
        const left = fs.readdirSync(templateDir);
        expect(left).toHaveLength(3);
        expect(left).toEqual(expect.arrayContaining([
            nodePath.basename(beingMade), 'notes.txt', expect.stringMatching(/^followup-test-store-pglite-.*-schema-\d+-[0-9a-f]{12}-one-db\.tar\.gz$/),
        ]));
    } finally {
        await made.store.close();
    }
});

it("`followup test`'s store reads timestamps as the embedded store does: the years 0001-0099 as written, not as 2001-2099", async () => {
    const templateDir = nodePath.join(temp, 'years');
    const sql = `SELECT '0050-06-01T12:00:00Z'::timestamptz AS zoned, '0099-12-31 23:00:00'::timestamp AS plain, '2026-11-20T10:00:00Z'::timestamptz AS now`;
    const expected = { zoned: new Date('0050-06-01T12:00:00Z'), plain: new Date('0099-12-31T23:00:00Z'), now: new Date('2026-11-20T10:00:00Z') };
    const embedded = await openStore(nodePath.join(temp, 'years-embedded'));
    const made = await openScenarioStore({ templateDir });
    const loaded = await openScenarioStore({ templateDir });
    try {
        expect([made.origin, loaded.origin]).toEqual(['created', 'template']);
        for (const store of [embedded, made.store, loaded.store]) expect((await store.query(sql)).rows[0]).toEqual(expected);
    } finally {
        await embedded.close();
        await made.store.close();
        await loaded.store.close();
    }
});
