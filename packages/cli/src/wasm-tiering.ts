// How long PGlite's WebAssembly runs on V8's baseline code (Liftoff) before V8 optimises its hot
// functions with TurboFan, on background threads. A command that ends within a second pays for that
// optimisation and never uses it; a command that works for seconds gains from it. V8 gives each
// function a budget (`--wasm-tiering-budget`, read when the module is instantiated, so set before a
// store is opened); what the command will do is guessed from the data it works on. Measured in
// bench/README.md ("... a small store kept on baseline code ..."): on the demo store, `run` 1.10 → 0.86 s
// of CPU with the small-store budget; on a store 10 times larger the same budget made `run` ~7%
// slower, which the size threshold avoids.
//
// Even that budget let PostgreSQL's two largest functions (its SQL parser, `raw_parser`, and
// `copyObjectImpl`) reach TurboFan in every `run` on the demo store: ~190 ms of CPU on background
// threads, for code used a few more times before the command ended. Small work therefore tiers up
// nothing (`--wasm-tier-up-filter` naming no function), unless it is work that runs for many seconds
// on a small store (simulate's replays, `followup test` of more than FEW_SCENARIOS tests), where
// TurboFan's code pays for itself (bench/README.md, "No tier-up on small work", "No tier-up for a few
// scenario tests").
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { setFlagsFromString } from 'node:v8';

/** Every command but serve (main.ts): 55 times V8's default of 1,800,000. */
export const SHORT_COMMAND_WASM_TIERING_BUDGET = 100_000_000;
/** A command on a small store: about as much as V8's flag holds; what runs long enough still tiers up. */
export const SMALL_STORE_WASM_TIERING_BUDGET = 2_000_000_000;
/**
 * The data (the store's own tables and indexes, and what an import brings) under which a command counts
 * as short. The system catalogs (about 7.9 MB in a new store) are not counted.
 */
export const SMALL_WORK_BYTES = 8 * 1024 * 1024;

/** PostgreSQL's first object id for user objects: a file named below it belongs to a system catalog. */
const FIRST_NORMAL_OBJECT_ID = 16384;

/**
 * The bytes of the store's own tables and indexes in an embedded store's folder (`base/`, files whose
 * relfilenode is a user object's), counted until `limit` is passed; 0 for a folder that does not exist
 * yet (a new store is a copy of the empty template). The catalogs' ~300 files are not even stat'ed:
 * statting them was most of this function's cost at every start.
 */
export function storeDataBytes(dir: string, limit = SMALL_WORK_BYTES): number {
    let total = 0;
    const walk = (folder: string): void => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(folder, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            if (total > limit) return;
            const path = nodePath.join(folder, entry.name);
            if (entry.isDirectory()) walk(path);
            else if (entry.isFile() && Number.parseInt(entry.name, 10) >= FIRST_NORMAL_OBJECT_ID) {
                total += fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
            }
        }
    };
    walk(nodePath.join(dir, 'base'));
    return total;
}

/**
 * Before a short command loads PGlite: the tiering budget of a short command, and lazy validation. V8
 * validates every function of a WebAssembly module when it compiles it (PGlite's is ~8 MB of code,
 * most of it never called by a short command); lazily, each function is validated at its first call:
 * ~30 ms of CPU less at every start (bench/README.md, "Start-up").
 */
export function setShortCommandWasmFlags(): void {
    setFlagsFromString('--wasm-lazy-validation');
    setWasmTiering({ budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: true });
}

/** The tiering flags set here: V8 checks a code cache against the flags it was written under (code-cache.ts). */
export interface WasmTiering {
    budget: number;
    /** Whether any function may be optimised by TurboFan. */
    tierUp: boolean;
}

/** V8 11.3's (Node 20) `--wasm-tiering-budget`, `node --v8-options`. */
const V8_DEFAULT_WASM_TIERING_BUDGET = 1_800_000;
/** `--wasm-tier-up-filter`: tier up only the function with this index; -1 (V8's default) for any; no function has the largest int's. */
const ANY_FUNCTION = -1;
const NO_FUNCTION = 2_147_483_647;
let tiering: WasmTiering = { budget: V8_DEFAULT_WASM_TIERING_BUDGET, tierUp: true };

/** Sets V8's tiering flags as `wanted` has them (those in effect when PGlite was loaded, to write its code cache). */
export function setWasmTiering(wanted: WasmTiering): void {
    setFlagsFromString(`--wasm-tiering-budget=${wanted.budget} --wasm-tier-up-filter=${wanted.tierUp ? ANY_FUNCTION : NO_FUNCTION}`);
    tiering = { ...wanted };
}

/** The tiering flags in effect (V8's defaults unless set here). */
export function wasmTiering(): WasmTiering {
    return { ...tiering };
}

/** Whether a short command on an embedded store holding `storeBytes`, bringing `incomingBytes`, counts as small work. */
export function isSmallWork(storeBytes: number, incomingBytes = 0): boolean {
    return storeBytes + incomingBytes <= SMALL_WORK_BYTES;
}

/** The tiering budget for a short command on an embedded store holding `storeBytes`, bringing `incomingBytes`. */
export function tieringBudgetFor(storeBytes: number, incomingBytes = 0): number {
    return isSmallWork(storeBytes, incomingBytes) ? SMALL_STORE_WASM_TIERING_BUDGET : SHORT_COMMAND_WASM_TIERING_BUDGET;
}

/**
 * The tiering of a short command on an embedded store holding `storeBytes`, bringing `incomingBytes`:
 * small work tiers up nothing, unless `sustained` (many runs over a small store: simulate).
 */
export function tieringFor(storeBytes: number, incomingBytes = 0, sustained = false): WasmTiering {
    return { budget: tieringBudgetFor(storeBytes, incomingBytes), tierUp: sustained || !isSmallWork(storeBytes, incomingBytes) };
}

/**
 * `followup test` of up to this many scenarios tiers up nothing: each runs on a small in-memory store,
 * and with fewer of them TurboFan's code arrives too late to pay for itself (bench/README.md, "No
 * tier-up for a few scenario tests": 7 tests 0.68× of the CPU, 20 tests 0.70×, 50 tests 0.85× with the
 * same wall time; 200 tests ran ~8% longer without it).
 */
export const FEW_SCENARIOS = 50;

/** The tiering of `followup test` running `scenarios` tests in one fresh process. */
export function tieringForTests(scenarios: number): WasmTiering {
    return { budget: SHORT_COMMAND_WASM_TIERING_BUDGET, tierUp: scenarios > FEW_SCENARIOS };
}

/**
 * Before a short command opens the embedded store in `dir`: the tiering for its size. Returns whether
 * the work is small (the store is then opened with small shared buffers too: runtime-context.ts).
 */
export function setTieringBudgetForStore(dir: string, incomingBytes = 0, sustained = false): boolean {
    const storeBytes = storeDataBytes(dir);
    setWasmTiering(tieringFor(storeBytes, incomingBytes, sustained));
    return isSmallWork(storeBytes, incomingBytes);
}
