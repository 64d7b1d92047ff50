// Loads a CommonJS file of the bundle with V8's code cache: the compiled code V8 kept of an earlier
// process (vm.Script's cachedData), so that this one neither parses nor compiles what is in it. Node 20
// has no code cache for ES modules (module.enableCompileCache is Node 22's), which is why PGlite, the
// largest script every command on an embedded store loads, is repackaged as CommonJS by the bundle
// (scripts/bundle.mjs) and loaded through here (pglite-bundle.ts).
//
// The cache is `<file>.v8cache`, written at build time by a real command (bundle.mjs). V8 refuses a
// cache made by another V8 version, for another source, or under other V8 flags (the flags a command
// sets before loading PGlite: bin/followup.js, wasm-tiering.ts), and then compiles as it would have:
// a refused or missing cache costs nothing but the saving.
import * as fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import * as nodePath from 'node:path';
import * as vm from 'node:vm';

/** What became of the cache: used, refused by V8, not there, or not asked for. */
export type CodeCacheOutcome = 'accepted' | 'rejected' | 'absent' | 'off';

export interface LoadedCommonJs {
    exports: unknown;
    outcome: CodeCacheOutcome;
    /** The compiled script: `writeCodeCache` keeps what it compiled so far. */
    script: vm.Script;
}

/** Where the code cache of `file` is kept. */
export function codeCachePath(file: string): string {
    return `${file}.v8cache`;
}

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/**
 * Runs the CommonJS `file` as `require` would (its own `require`, `module`, `__filename`,
 * `__dirname`), compiled from its code cache when `useCache` and V8 accepts it.
 */
export function loadCommonJs(file: string, useCache = true): LoadedCommonJs {
    const source = fs.readFileSync(file, 'utf8');
    let cachedData: Buffer | undefined;
    if (useCache) {
        try {
            cachedData = fs.readFileSync(codeCachePath(file));
        } catch {
            cachedData = undefined;
        }
    }
    const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
    const outcome: CodeCacheOutcome = !useCache ? 'off' : cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
    const module = { exports: {} as unknown };
    const wrapper = script.runInThisContext() as CommonJsWrapper;
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, nodePath.dirname(file));
    return { exports: module.exports, outcome, script };
}

/**
 * Writes the code V8 compiled of `script` so far (its top level, and every function it has run) as
 * the code cache of `file`, whole or not at all. Returns its size in bytes.
 */
export function writeCodeCache(file: string, script: vm.Script): number {
    const data = script.createCachedData();
    const path = codeCachePath(file);
    const temp = `${path}.${process.pid}.tmp`;
    try {
        fs.writeFileSync(temp, data);
        fs.renameSync(temp, path);
    } finally {
        fs.rmSync(temp, { force: true });
    }
    return data.length;
}

/**
 * What FOLLOWUP_CODE_CACHE asks of a bundled script: `off` compiles it without its cache (to compare);
 * for the build and the tests, `write` writes the cache at the end of the command and `report` prints
 * what became of it. `beforeWrite` puts back the V8 flags the script was compiled under, which V8
 * compares with a later command's (wasm-tiering.ts).
 */
export function loadBundledScript(file: string, label: string, env: NodeJS.ProcessEnv, beforeWrite?: () => void): unknown {
    const mode = env['FOLLOWUP_CODE_CACHE'];
    const loaded = loadCommonJs(file, mode !== 'off' && mode !== 'write');
    if (mode === 'write') {
        process.once('exit', () => {
            beforeWrite?.();
            writeCodeCache(file, loaded.script);
        });
    } else if (mode === 'report') {
        process.once('exit', () => process.stderr.write(`followup: ${label}'s code cache: ${loaded.outcome}\n`));
    }
    return loaded.exports;
}
