// Acceptance 5, short: `followup serve` on PostgreSQL under an autocannon load of cart events; every
// event acknowledged with a 202 is in the store with its transactional message queued — also when
// SIGTERM (or SIGKILL) arrives in the middle of the load. (The 30 s version with figures is bench/serve.mjs.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- a plain .mjs module shared with the bench (no type declarations)
import { benchProject, loadEvents, missingFromStore, startServe } from '../../bench/serve-load.mjs';
import { sharedPostgres, releaseSharedDatabases } from '../support/stores.js';
import { withClient } from '../support/postgres.js';

describe('followup serve under load [postgres]', () => {
    let db: string;
    let project: { dir: string; remove(): Promise<void> };
    beforeAll(async () => {
        const { url } = await sharedPostgres();
        await withClient(url, (client) => client.query('CREATE DATABASE serve_load'));
        const target = new URL(url);
        target.pathname = '/serve_load';
        db = target.toString();
        project = await benchProject();
    });
    afterAll(async () => {
        await project?.remove();
        await releaseSharedDatabases();
    });

    it('every 202-acknowledged event is stored with its transactional message', async () => {
        const serve = startServe(project.dir, db);
        const url = await serve.url;
        const { result, acknowledged } = await loadEvents(url, { seconds: 5, connections: 20, prefix: 'steady' });
        serve.child.kill('SIGTERM');
        expect(await serve.exited).toBe(0);
        expect(acknowledged.length).toBeGreaterThan(100);
        expect(result.errors).toBe(0);
        expect(result.non2xx).toBe(0);
        expect(await missingFromStore(db, acknowledged)).toMatchObject({ events: [], messages: [] });
    });

    it('SIGTERM in the middle of the load: serve exits 0 and no acknowledged event is lost', async () => {
        const serve = startServe(project.dir, db);
        const url = await serve.url;
        const timer = setTimeout(() => serve.child.kill('SIGTERM'), 2_500);
        const { acknowledged } = await loadEvents(url, { seconds: 5, connections: 20, prefix: 'sigterm' });
        clearTimeout(timer);
        expect(await serve.exited).toBe(0);
        expect(acknowledged.length).toBeGreaterThan(50);
        expect(await missingFromStore(db, acknowledged)).toMatchObject({ events: [], messages: [] });
        expect(serve.stdout()).toContain('"msg":"stopped"');
    });

    it('kill -9 in the middle of the load: no acknowledged event is lost either (a 202 is sent after the commit)', async () => {
        const serve = startServe(project.dir, db);
        const url = await serve.url;
        const timer = setTimeout(() => serve.child.kill('SIGKILL'), 2_500);
        const { acknowledged } = await loadEvents(url, { seconds: 5, connections: 20, prefix: 'sigkill' });
        clearTimeout(timer);
        await serve.exited;
        expect(acknowledged.length).toBeGreaterThan(50);
        expect(await missingFromStore(db, acknowledged)).toMatchObject({ events: [], messages: [] });
    });
});
