// Langium and what it is built on (Chevrotain, vscode-languageserver and its protocol types) as the
// bundled CLI loads them: each import of one of these packages in the bundle resolves to a module that
// takes its exports from here (scripts/bundle.mjs), and this runs the bundle's CommonJS copy of all of
// them (`language.cjs`, beside the entry) from its V8 code cache (code-cache.ts), as pglite-bundle.ts
// does PGlite. Parsing and compiling their ~1.1 MB of JavaScript was most of what `check` spent
// before it read a file (bench/README.md, "Langium from V8's code cache").
// One CommonJS file for all of them, so that the bundle holds one copy of each (the language server's
// connection, Langium's and the template parser's Chevrotain). FOLLOWUP_CODE_CACHE: loadBundledScript.
import type * as Chevrotain from 'chevrotain';
import type * as Langium from 'langium';
import type * as LangiumLsp from 'langium/lsp';
import type * as LangiumNode from 'langium/node';
import type * as LanguageServer from 'vscode-languageserver/node.js';
import type * as LanguageServerTypes from 'vscode-languageserver-types';
import { fileURLToPath } from 'node:url';
import { loadBundledScript } from './code-cache.js';
import { setWasmTiering, wasmTiering } from './wasm-tiering.js';

/** What `language.cjs` exports: one namespace for each package the workspace imports. */
export interface LanguageStack {
    langium: typeof Langium;
    langiumLsp: typeof LangiumLsp;
    langiumNode: typeof LangiumNode;
    chevrotain: typeof Chevrotain;
    languageServer: typeof LanguageServer;
    languageServerTypes: typeof LanguageServerTypes;
}

/** Set by the bundle's entry: the URL of `language.cjs`. */
const LANGUAGE_BUNDLE = Symbol.for('followup.language');

let stack: LanguageStack | undefined;

export function loadLanguageBundle(env: NodeJS.ProcessEnv = process.env): LanguageStack {
    if (stack) return stack;
    const url = (globalThis as Record<symbol, unknown>)[LANGUAGE_BUNDLE];
    if (!(url instanceof URL)) throw new Error('the bundle\'s entry did not say where language.cjs is');
    const tieringAtLoad = wasmTiering();
    stack = loadBundledScript(fileURLToPath(url), 'Langium', env, () => setWasmTiering(tieringAtLoad)) as LanguageStack;
    return stack;
}
