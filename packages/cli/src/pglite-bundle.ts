// PGlite as the bundled CLI loads it: `@electric-sql/pglite` resolves to a module of the bundle that
// calls this (scripts/bundle.mjs), which runs the bundle's CommonJS copy of PGlite (`pglite.cjs`,
// beside the entry) from its V8 code cache (code-cache.ts). Parsing and compiling PGlite's ~650 KB of
// JavaScript was ~40 ms of CPU at every start of a command on the embedded store (bench/README.md).
// FOLLOWUP_CODE_CACHE: code-cache.ts's loadBundledScript.
import type * as Pglite from '@electric-sql/pglite';
import { fileURLToPath } from 'node:url';
import { loadBundledScript } from './code-cache.js';
import { setWasmTiering, wasmTiering } from './wasm-tiering.js';

/** Set by the bundle's entry: the URL of `pglite.cjs`. */
const PGLITE_BUNDLE = Symbol.for('followup.pglite');

export function loadPgliteBundle(env: NodeJS.ProcessEnv = process.env): typeof Pglite {
    const url = (globalThis as Record<symbol, unknown>)[PGLITE_BUNDLE];
    if (!(url instanceof URL)) throw new Error('the bundle\'s entry did not say where pglite.cjs is');
    const tieringAtLoad = wasmTiering();
    return loadBundledScript(fileURLToPath(url), 'PGlite', env, () => setWasmTiering(tieringAtLoad)) as typeof Pglite;
}
