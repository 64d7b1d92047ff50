#!/usr/bin/env node
// The bundled CLI (dist/bundle, built by `npm run build`: each command loads only what it uses) when
// it is there, else the plain TypeScript output (dist/main.js).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Most commands live well under a second, and V8's optimising compiler (TurboFan, on background
// threads) spent more CPU on them than it saved: `check` of the example took 0.43 s of CPU, 0.26 s
// with a budget 20 times V8's default before a function is optimised (bench/README.md, start-up).
// After the first second V8's default budget is back: long work (a run sending thousands of
// messages, serve) measured 10-40% slower per message under the large budget.
// Set before any of our code is loaded, so that all of it starts under the same budget.
const STARTUP_BUDGET = '--interrupt-budget=1320000';
const DEFAULT_BUDGET = '--interrupt-budget=67584'; // V8 11.3's (Node 20), `node --v8-options`
if (!process.execArgv.some((flag) => flag.startsWith('--interrupt-budget'))) {
    setFlagsFromString(STARTUP_BUDGET);
    // The build writes PGlite's code cache at the end of a command (scripts/bundle.mjs), under the
    // flags the command started with: V8 refuses a cache written under other flags.
    if (process.env.FOLLOWUP_CODE_CACHE !== 'write') setTimeout(() => setFlagsFromString(DEFAULT_BUDGET), 1000).unref();
}

const bundle = new URL('../dist/bundle/followup.mjs', import.meta.url);
if (existsSync(bundle) && !process.env.FOLLOWUP_UNBUNDLED) await import(bundle.href);
else (await import('../dist/main.js')).cli(process.argv.slice(2));
