// The floor under `followup run` and `followup import` on the embedded store: a process that only opens
// an existing PGlite store (argv[2]), runs `SELECT 1` and closes it, with the WebAssembly flags and the
// shared buffers the CLI gives a command on that store (the tiering budget and lazy validation,
// packages/cli/src/wasm-tiering.ts; `--default-tiering` leaves V8's defaults and PGlite's 128MB). bench/startup.mjs reports its CPU beside the commands', as a ratio to `node -e 0`.
import { PGlite } from '@electric-sql/pglite';
import { SMALL_STORE_SHARED_BUFFERS } from '../packages/runtime/dist/store/open.js';
import { EMBEDDED_STORE_SETTINGS, pgliteStartParams } from '../packages/runtime/dist/store/pglite.js';
import { setShortCommandWasmFlags, setTieringBudgetForStore } from '../packages/cli/dist/wasm-tiering.js';

let small = false;
if (!process.argv.includes('--default-tiering')) {
    setShortCommandWasmFlags();
    small = setTieringBudgetForStore(process.argv[2]);
}
// As the CLI opens a store: its session's settings, and for a small store its shared buffers
// (packages/runtime/src/store/pglite.ts, packages/cli/src/runtime-context.ts).
const db = await PGlite.create(process.argv[2], { startParams: pgliteStartParams({ settings: EMBEDDED_STORE_SETTINGS, sharedBuffers: small ? SMALL_STORE_SHARED_BUFFERS : undefined }) });
await db.query('SELECT 1');
await db.close();
