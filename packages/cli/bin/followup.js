#!/usr/bin/env node
// The bundled CLI (dist/bundle, built by `npm run build`: each command loads only what it uses) when
// it is there, else the plain TypeScript output (dist/main.js).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Most commands live well under a second, and V8's optimising compiler (TurboFan, on background
// threads) spent more CPU on them than it saved: `check` of the example took 0.43 s of CPU, 0.26 s
// with a budget 20 times V8's default before a function is optimised (bench/README.md, start-up).
// Long work is as fast either way: the hot functions are still optimised, a little later.
// Set before any of our code is loaded, so that all of it runs under the same budget.
if (!process.execArgv.some((flag) => flag.startsWith('--interrupt-budget'))) setFlagsFromString('--interrupt-budget=1320000');

const bundle = new URL('../dist/bundle/followup.mjs', import.meta.url);
if (existsSync(bundle) && !process.env.FOLLOWUP_UNBUNDLED) await import(bundle.href);
else (await import('../dist/main.js')).cli(process.argv.slice(2));
