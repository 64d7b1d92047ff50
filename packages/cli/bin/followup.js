#!/usr/bin/env node
// The bundled CLI (dist/bundle, built by `npm run build`: each command loads only what it uses) when
// it is there, else the plain TypeScript output (dist/main.js).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/followup.mjs', import.meta.url);
if (existsSync(bundle) && !process.env.FOLLOWUP_UNBUNDLED) await import(bundle.href);
else (await import('../dist/main.js')).cli(process.argv.slice(2));
