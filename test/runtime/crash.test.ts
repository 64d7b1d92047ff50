/**
 * Crash safety (docs/language.md §4: at most once, ever, and nothing lost): `followup run` over a few
 * thousand due follow-ups, SIGKILLed at 20+ random points and re-run each time, then run once more
 * cleanly — and every due follow-up was delivered exactly once, in the outbox folder and in the store.
 * A killed run leaves its batch claimed: the next runs take it over once its lease (2 s here) ran out.
 *
 * Spawns the built CLI: `npm test` builds first (`npm run build` before running this file alone).
 * Kill points: a clean run on a copy of the store is timed first (its total, the moment its first
 * send is reported, and so how long a batch of 100 sends takes); then kills land at random times in
 * the start-up and decision phase, and mid-dispatch: at a random point of the batch after a random
 * number of reported sends. At least 10 of the kills must hit a dispatch with sends left to do.
 * The kills come in rounds, each on a fresh store and checked on its own: a run that got further than
 * its kill point (slower than the measured one, or its reports held back by a loaded machine) may
 * have sent everything, leaving nothing to kill mid-way; a new round starts then. Such a run was a
 * real fault once: after four kills while deciding, the next run's claims took 3.7 s each (its
 * planner took the outbox for one row; test/runtime/trigger-plans.test.ts guards the fix), and the
 * run reported its first send after 19 s. The log names each round.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@followup/runtime';
import { startPostgres, withClient, type PostgresServer } from '../support/postgres.js';
import { copyExample, expectExactlyOnce, seedCarts, spawnRun, tempDir } from './support.js';

const DUE = 3000;
const KILLS = 24;
const now = '2026-11-23T10:00:00Z';
const rule = 'cartAbandonment_followup_email';
/** The claim lease of the runs (FOLLOWUP_SEND_LEASE): short, so that the last run need not wait a minute. */
const LEASE_MS = 2000;
// Every run compiles the project (no plan cache): the kill points are drawn from the measured run's
// timings, which a cached start would shift from the first run to the next ones.
const COMPILING = { FOLLOWUP_PLAN_CACHE: 'off' };
const LEASE = { FOLLOWUP_SEND_LEASE: String(LEASE_MS / 1000), ...COMPILING };

const temp = tempDir('crash');
let server: PostgresServer | undefined;
afterAll(async () => {
    await server?.stop();
    fs.rmSync(temp, { recursive: true, force: true });
});

/** A store target of the engine with the carts in it, and a function making more such targets. */
interface Engine {
    name: 'pglite' | 'postgres';
    seeded(label: string): Promise<string>;
}

const pglite: Engine = {
    name: 'pglite',
    async seeded(label) {
        const base = path.join(temp, 'pglite-base');
        if (!fs.existsSync(base)) {
            const store = await openStore(base);
            try {
                await seedCarts(store, DUE, new Date('2026-11-20T08:00:00Z'));
            } finally {
                await store.close();
            }
        }
        const target = path.join(temp, `pglite-${label}`);
        fs.cpSync(base, target, { recursive: true });
        return target;
    },
};

const postgres: Engine = {
    name: 'postgres',
    async seeded(label) {
        server ??= await startPostgres();
        const url = new URL(server.url);
        url.pathname = `/crash_${label}`;
        await withClient(server.url, (c) => c.query(`CREATE DATABASE crash_${label}`));
        const store = await openStore(url.toString());
        try {
            await seedCarts(store, DUE, new Date('2026-11-20T08:00:00Z'));
        } finally {
            await store.close();
        }
        return url.toString();
    },
};

const random = (from: number, to: number) => from + Math.random() * (to - from);

/** Kills wanted in all, of which at least MID_DISPATCH with sends left to do; at most ROUNDS fresh stores. */
const MID_DISPATCH = 10;
const ROUNDS = 4;

describe.each([pglite, postgres])('crash safety [$name]', (engine) => {
    it(`${DUE} due follow-ups, SIGKILL at ${KILLS}+ random points, then a clean run: each delivered exactly once`, async () => {
        const started = Date.now();
        // 1. One clean run on a copy: how long a run takes, and when it starts reporting sends.
        const measureDb = await engine.seeded('measure');
        const measureProject = copyExample(path.join(temp, `${engine.name}-measure`));
        const clean = await spawnRun(measureProject, measureDb, now, { env: COMPILING });
        let firstSendMs = 0;
        clean.onLine = () => (firstSendMs ||= Date.now() - clean.startedAt);
        const cleanExit = await clean.exited;
        expect(cleanExit.code, cleanExit.stderr).toBe(0);
        expect(clean.lines.at(-1)).toMatchObject({ summary: { selected: DUE, sent: DUE } });
        const runMs = cleanExit.ms;
        // Sends are reported a batch (100) at a time, after each batch commits.
        const batchMs = ((runMs - firstSendMs) / DUE) * 100;

        // 2. The same start, killed again and again, then finished by a clean run — in rounds, each on a
        // fresh store: a killed run that got further than its kill point ends a round early, not the test.
        const kills: string[] = [];
        let midDispatch = 0;
        const rounds: string[] = [];
        for (let round = 1; (kills.length < KILLS || midDispatch < MID_DISPATCH) && round <= ROUNDS; round++) {
            const db = await engine.seeded(`crash${round}`);
            const project = copyExample(path.join(temp, `${engine.name}-crash${round}`));
            const reported: Record<string, unknown>[] = [];
            const outbox = path.join(project, '.followup/outbox');
            const delivered = () => (fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).length : 0);
            const killsBefore = kills.length;
            for (let attempt = 0; kills.length < KILLS || midDispatch < MID_DISPATCH; attempt++) {
                const left = DUE - delivered();
                // Too little left to kill a dispatch mid-way: this round is done.
                if (left <= 100 || attempt >= KILLS * 3) break;
                const run = await spawnRun(project, db, now, { env: LEASE });
                const kill = (why: string) => {
                    if (run.child.exitCode !== null || run.child.signalCode !== null || !run.child.kill('SIGKILL')) return;
                    const files = delivered();
                    if (run.lines.length > 0 && files < DUE) midDispatch++;
                    kills.push(`${why}: killed at ${Date.now() - run.startedAt} ms, ${run.lines.length} sends reported, ${files} files`);
                };
                let timer: NodeJS.Timeout | undefined;
                const inRound = kills.length - killsBefore;
                if (inRound < 3) {
                    // Start-up and the decision transaction (until it commits once, every run redoes it).
                    timer = setTimeout(() => kill('start/decide'), random(0.3, 1) * firstSendMs);
                } else if (inRound % 4 === 3) {
                    // Before the first report: start-up, planner statistics, deciding (nothing new, once decided).
                    timer = setTimeout(() => kill('before dispatch'), random(0, 0.9) * firstSendMs);
                } else {
                    // Mid-dispatch: once a random number of sends are reported (a batch committed), at a
                    // random point of the next batch — while its files are being written.
                    const after = 1 + Math.floor(Math.random() * 50);
                    const delay = random(0, batchMs);
                    let seen = 0;
                    run.onLine = () => {
                        if (++seen === after) timer = setTimeout(() => kill(`${after} sends reported + ${Math.round(delay)} ms`), delay);
                    };
                }
                const exit = await run.exited;
                clearTimeout(timer);
                reported.push(...run.lines);
                if (exit.signal === null) expect(exit.code, exit.stderr).toBe(0);
            }

            // 3. A last clean run finishes whatever is left: on PostgreSQL, the batches a killed run had
            // claimed are sent again once their lease has run out (on PGlite, at once).
            await new Promise((r) => setTimeout(r, LEASE_MS + 500));
            const last = await spawnRun(project, db, now, { env: LEASE });
            const lastExit = await last.exited;
            expect(lastExit.code, lastExit.stderr).toBe(0);
            reported.push(...last.lines);

            const store = await openStore(db);
            try {
                const ids = Array.from({ length: DUE }, (_, i) => `cart-${i}`);
                await expectExactlyOnce(store, outbox, rule, ids, reported, expect);
            } finally {
                await store.close();
            }
            rounds.push(`round ${round}: ${kills.length - killsBefore} kills, then a clean run of ${lastExit.ms} ms`);
        }
        const log = () =>
            `[${engine.name}] clean run ${runMs} ms (first send reported at ${firstSendMs} ms); ${kills.length} kills ` +
            `(${midDispatch} mid-dispatch) in ${rounds.length} rounds:\n  ${kills.join('\n  ')}\n  ${rounds.join('\n  ')}`;
        expect(kills.length, log()).toBeGreaterThanOrEqual(KILLS);
        expect(midDispatch, log()).toBeGreaterThanOrEqual(MID_DISPATCH);
        console.log(`${log()}\n  test ${Math.round((Date.now() - started) / 1000)} s`);
    }, 20 * 60_000);
});
