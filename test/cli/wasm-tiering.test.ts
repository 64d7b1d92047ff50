// Which WebAssembly tiering budget a short command gives PGlite (packages/cli/src/wasm-tiering.ts):
// the high one only while the store's tables and what an import brings stay small. Its effect on CPU
// is measured in bench/startup.mjs, not here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
    SHORT_COMMAND_WASM_TIERING_BUDGET, SMALL_STORE_WASM_TIERING_BUDGET, SMALL_WORK_BYTES, storeDataBytes, tieringBudgetFor,
} from '../../packages/cli/src/wasm-tiering.js';
import { tempDir } from '../runtime/support.js';

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

    it('stops counting once past the limit', () => {
        const many = store('many', Array.from({ length: 40 }, () => 1_000_000));
        const counted = storeDataBytes(many, 5_000_000);
        expect(counted).toBeGreaterThan(5_000_000);
        expect(counted).toBeLessThan(40_000_000);
    });
});
