// PGlite as the bundled CLI loads it: `@electric-sql/pglite` resolves to a module of the bundle that
// calls this (scripts/bundle.mjs), which runs the bundle's CommonJS copy of PGlite (`pglite.cjs`,
// beside the entry) from its V8 code cache (code-cache.ts). Parsing and compiling PGlite's ~650 KB of
// JavaScript was ~40 ms of CPU at every start of a command on the embedded store (bench/README.md).
//
// FOLLOWUP_CODE_CACHE: `off` compiles without the cache (to compare); for the build and the tests,
// `write` writes the cache at the end of the command, `report` prints what became of it.
import type * as Pglite from '@electric-sql/pglite';
import { fileURLToPath } from 'node:url';
import { loadCommonJs, writeCodeCache } from './code-cache.js';
import { setWasmTiering, wasmTiering } from './wasm-tiering.js';

/** Set by the bundle's entry: the URL of `pglite.cjs`. */
const PGLITE_BUNDLE = Symbol.for('followup.pglite');

export function loadPgliteBundle(env: NodeJS.ProcessEnv = process.env): typeof Pglite {
    const url = (globalThis as Record<symbol, unknown>)[PGLITE_BUNDLE];
    if (!(url instanceof URL)) throw new Error('the bundle\'s entry did not say where pglite.cjs is');
    const file = fileURLToPath(url);
    const mode = env['FOLLOWUP_CODE_CACHE'];
    const tieringAtLoad = wasmTiering();
    const loaded = loadCommonJs(file, mode !== 'off' && mode !== 'write');
    if (mode === 'write') {
        // Under the flags PGlite was compiled with, which a later command's V8 compares with its own.
        process.once('exit', () => {
            setWasmTiering(tieringAtLoad);
            writeCodeCache(file, loaded.script);
        });
    } else if (mode === 'report') {
        process.once('exit', () => process.stderr.write(`followup: PGlite's code cache: ${loaded.outcome}\n`));
    }
    return loaded.exports as typeof Pglite;
}
