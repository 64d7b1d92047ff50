// How a short command opens the embedded store: which WebAssembly tiering budget it gives PGlite
// (packages/cli/src/wasm-tiering.ts), the high one only while the store's tables and what an import
// brings stay small, and on the same condition small shared buffers (runtime-context.ts, openCliStore)
// and no tier-up to TurboFan at all (but for simulate, and followup test of many scenarios).
// Their effect on CPU and memory is measured in bench/startup.mjs, not here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openScenarioStore, openStore, SMALL_STORE_SHARED_BUFFERS, type Store } from '@followup/runtime';
import { openCliStore } from '../../packages/cli/src/runtime-context.js';
import {
    FEW_SCENARIOS, SHORT_COMMAND_WASM_TIERING_BUDGET, SMALL_STORE_WASM_TIERING_BUDGET, SMALL_WORK_BYTES, storeDataBytes, tieringBudgetFor, tieringFor, tieringForTests,
} from '../../packages/cli/src/wasm-tiering.js';
import { bin, repo, tempDir } from '../runtime/support.js';

const temp = tempDir('wasm-tiering');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** A file of `size` bytes, sparse: nothing is written. */
function sparse(file: string, size: number): void {
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, size);
}

/** A store folder whose base/ holds user relations' files of these sizes, beside 64 MB of WAL and 8 MB of catalogs. */
function store(name: string, sizes: number[]): string {
    const dir = path.join(temp, name);
    fs.mkdirSync(path.join(dir, 'base', '1'), { recursive: true });
    for (const catalog of ['1247', '1249', '1259', '2619_fsm', '16383']) sparse(path.join(dir, 'base', '1', catalog), 1_600_000);
    sizes.forEach((size, i) => {
        const folder = path.join(dir, 'base', String(1 + (i % 2)));
        fs.mkdirSync(folder, { recursive: true });
        sparse(path.join(folder, String(16384 + i)), size);
    });
    fs.mkdirSync(path.join(dir, 'pg_wal'), { recursive: true });
    sparse(path.join(dir, 'pg_wal', 'segment'), 64 * 1024 * 1024);
    return dir;
}

describe('the WebAssembly tiering budget of a short command', () => {
    it('counts the tables and indexes under base/ (not the catalogs, not the WAL), and nothing for a store not yet created', () => {
        expect(storeDataBytes(store('small', [8192, 1_000_000, 3_000_000]))).toBe(4_008_192);
        expect(storeDataBytes(path.join(temp, 'no-such-store'))).toBe(0);
    });

    it('keeps a small store on baseline code longest; a large store, or a large import, tiers up as before', () => {
        const small = storeDataBytes(store('demo', [600_000, 8192, 16_384]));
        expect(tieringBudgetFor(small)).toBe(SMALL_STORE_WASM_TIERING_BUDGET);
        expect(tieringBudgetFor(small, 7_000_000)).toBe(SMALL_STORE_WASM_TIERING_BUDGET);
        expect(tieringBudgetFor(small, SMALL_WORK_BYTES)).toBe(SHORT_COMMAND_WASM_TIERING_BUDGET);
        expect(tieringBudgetFor(0, Number.POSITIVE_INFINITY)).toBe(SHORT_COMMAND_WASM_TIERING_BUDGET); // import from stdin
        const large = storeDataBytes(store('large', [10_000_000, 10_000_000, 10_000_000]));
        expect(large).toBeGreaterThan(SMALL_WORK_BYTES);
        expect(tieringBudgetFor(large)).toBe(SHORT_COMMAND_WASM_TIERING_BUDGET);
    });

    it('small work tiers up nothing, unless it is sustained (simulate); larger work tiers up', () => {
        const small = storeDataBytes(store('demo-tier-up', [600_000, 8192]));
        expect(tieringFor(small)).toEqual({ budget: SMALL_STORE_WASM_TIERING_BUDGET, tierUp: false });
        expect(tieringFor(small, 0, true)).toEqual({ budget: SMALL_STORE_WASM_TIERING_BUDGET, tierUp: true });
        expect(tieringFor(small, SMALL_WORK_BYTES)).toEqual({ budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: true });
        expect(tieringFor(0, Number.POSITIVE_INFINITY)).toEqual({ budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: true });
    });

    it('stops counting once past the limit', () => {
        const many = store('many', Array.from({ length: 40 }, () => 1_000_000));
        const counted = storeDataBytes(many, 5_000_000);
        expect(counted).toBeGreaterThan(5_000_000);
        expect(counted).toBeLessThan(40_000_000);
    });
});

async function sharedBuffers(open: Promise<Store>): Promise<string> {
    const store = await open;
    try {
        return (await store.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers;
    } finally {
        await store.close();
    }
}

describe('how a short command opens the embedded store', () => {
    it('small shared buffers on small work; a large store, a large import and serve keep PGlite\'s 128MB', async () => {
        const dir = path.join(temp, 'real-store');
        await (await openStore(dir)).close();
        expect(SMALL_STORE_SHARED_BUFFERS).toBe('32MB');
        expect(await sharedBuffers(openCliStore(dir))).toBe('32MB');
        expect(await sharedBuffers(openCliStore(dir, { incomingBytes: SMALL_WORK_BYTES + 1 }))).toBe('128MB');
        expect(await sharedBuffers(openCliStore(dir, { longRunning: true }))).toBe('128MB');
        // A relation file PostgreSQL does not know (it ignores it) stands for a store grown large.
        const [database] = fs.readdirSync(path.join(dir, 'base'));
        sparse(path.join(dir, 'base', database!, '99999'), SMALL_WORK_BYTES + 1);
        expect(await sharedBuffers(openCliStore(dir))).toBe('128MB');
    });

    it("the embedded store's session settings, given at PostgreSQL's start", async () => {
        const dir = path.join(temp, 'settings-store');
        for (const options of [{}, { longRunning: true }]) {
            const store = await openCliStore(dir, options);
            try {
                const { rows } = await store.query<Record<string, string>>(
                    "SELECT current_setting('TimeZone') AS tz, current_setting('random_page_cost') AS rpc, current_setting('followup.recount_join_above') AS join_above, '2026-01-01T12:00:00+01:00'::timestamptz::text AS noon_in_paris",
                );
                expect(rows[0]).toEqual({ tz: 'UTC', rpc: '1.1', join_above: '1000', noon_in_paris: '2026-01-01 11:00:00+00' });
            } finally {
                await store.close();
            }
        }
    });

    it("small shared buffers and UTC in followup test's in-memory store", async () => {
        const templateDir = path.join(temp, 'scenario-template');
        for (const origin of ['created', 'template']) {
            const opened = await openScenarioStore({ templateDir });
            expect(opened.origin).toBe(origin);
            expect((await opened.store.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows).toEqual([{ tz: 'UTC' }]);
            expect(await sharedBuffers(Promise.resolve(opened.store))).toBe('32MB');
        }
    });

    it('shared buffers take a size, nothing else', async () => {
        await expect(openStore(path.join(temp, 'bad-size'), { sharedBuffers: "32MB' -c fsync=off" })).rejects.toThrow(/shared buffers take a size such as 32MB/);
    });
});

/**
 * Runs the built CLI with `args`; V8 prints each WebAssembly function it compiles and with which
 * compiler: how many went to Liftoff (baseline) and to TurboFan.
 */
function compiled(args: string[], cwd: string) {
    const child = spawnSync(process.execPath, ['--trace-wasm-compilation-times', bin, ...args], {
        cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FOLLOWUP_DB: '', FOLLOWUP_NOW: '' },
    });
    expect(child.status, child.stderr).toBe(0);
    const lines = child.stdout.split('\n');
    return { liftoff: lines.filter((l) => / using Liftoff/.test(l)).length, turbofan: lines.filter((l) => / using TurboFan/.test(l)).length, stdout: child.stdout };
}

describe('what V8 compiles for a command on a small store', () => {
    // V8 prints each WebAssembly function it compiles and with which compiler; a run on the demo store
    // used to send PostgreSQL's parser and copyObjectImpl to TurboFan (~190 ms of CPU on other threads).
    const example = path.join(repo, 'examples/cart-abandonment');

    it('import and run of the demo history stay on baseline code; simulate on the same store tiers up', () => {
        const project = path.join(temp, 'tier-up-project');
        fs.cpSync(example, project, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
        const history = path.join(temp, 'tier-up-history.jsonl');
        fs.writeFileSync(history, fs.readFileSync(path.join(example, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !/-s\d/.test(l)).join('\n') + '\n');
        const db = path.join(temp, 'tier-up-store');
        const imported = compiled(['import', history, '--project', project, '--db', db], temp);
        expect(imported.stdout).toMatch(/139 records/);
        const ran = compiled(['run', project, '--db', db, '--now', '2026-11-23T10:00:00Z'], temp);
        expect(ran.stdout).toMatch(/Ran 4 rules .*: 13 selected, 8 sent/);
        for (const command of [imported, ran]) {
            expect(command.liftoff).toBeGreaterThan(1000);
            expect(command.turbofan).toBe(0);
        }
        const simulated = compiled(['simulate', project, '--db', db, '--from', '2026-11-01', '--to', '2026-11-23'], temp);
        expect(simulated.turbofan).toBeGreaterThan(0);
    }, 120_000);
});

describe('what V8 compiles for followup test', () => {
    const example = path.join(repo, 'examples/cart-abandonment');
    /** The example with its tests repeated under other names, `count` in all (as bench/scenarios.mjs does). */
    const projectWithTests = (count: number): string => {
        const project = path.join(temp, `tests-${count}`);
        fs.cpSync(example, project, { recursive: true, filter: (from) => path.relative(example, from).split(path.sep)[0] !== '.followup' });
        const blocks = fs.readFileSync(path.join(example, 'tests.followup'), 'utf8').split(/^(?=test ")/m).slice(1);
        fs.writeFileSync(path.join(project, 'tests.followup'), Array.from({ length: count }, (_, i) => blocks[i % blocks.length]!.replace(/^test "/, `test "#${i + 1} `)).join('\n'));
        return project;
    };

    it(`up to ${FEW_SCENARIOS} tests stay on baseline code; more tier up`, () => {
        expect(tieringForTests(FEW_SCENARIOS)).toEqual({ budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: false });
        expect(tieringForTests(FEW_SCENARIOS + 1)).toEqual({ budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: true });
        const few = compiled(['test', projectWithTests(7)], temp);
        expect(few.stdout).toMatch(/7 passed, 0 failed/);
        expect(few.turbofan).toBe(0);
        const many = compiled(['test', projectWithTests(FEW_SCENARIOS + 1)], temp);
        expect(many.stdout).toMatch(new RegExp(`${FEW_SCENARIOS + 1} passed, 0 failed`));
        expect(many.turbofan).toBeGreaterThan(0);
    }, 120_000);
});
