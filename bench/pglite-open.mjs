// The floor under `followup run` and `followup import` on the embedded store: a process that only opens
// an existing PGlite store (argv[2]), runs `SELECT 1` and closes it. bench/startup.mjs reports its CPU
// beside the commands', as a ratio to `node -e 0` like theirs.
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create(process.argv[2]);
await db.query('SELECT 1');
await db.close();
