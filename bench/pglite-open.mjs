// The floor under `followup run` and `followup import` on the embedded store: a process that only opens
// an existing PGlite store (argv[2]), runs `SELECT 1` and closes it, with the WebAssembly flags the CLI
// gives a command on that store (the tiering budget and lazy validation, packages/cli/src/wasm-tiering.ts;
// `--default-tiering` leaves V8's defaults). bench/startup.mjs reports its CPU beside the commands', as a ratio to `node -e 0`.
import { PGlite } from '@electric-sql/pglite';
import { setShortCommandWasmFlags, setTieringBudgetForStore } from '../packages/cli/dist/wasm-tiering.js';

if (!process.argv.includes('--default-tiering')) {
    setShortCommandWasmFlags();
    setTieringBudgetForStore(process.argv[2]);
}
const db = await PGlite.create(process.argv[2]);
await db.query('SELECT 1');
await db.close();
