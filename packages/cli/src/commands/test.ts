// `followup test`: the project's scenario tests (`test "..." { ... }`, docs/testing.md), each on a
// fresh embedded store, through the real executor; failures as diagnostics at their expectation.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { loadProject } from '@followup/language';
import type { ScenarioResult } from '@followup/runtime';
import { formatDiagnostic, displayPath, sourceReader } from '../output/code-frame.js';
import { styleFor, type Style } from '../output/terminal.js';
import { closeTestStore, failureDiagnostic, runProjectTests } from '../testing/project-tests.js';
import { setWasmTiering, tieringForTests } from '../wasm-tiering.js';
import { printDiagnostics } from './check.js';
import { ExitCode, UsageError, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const testCommand: Command = {
    name: 'test',
    summary: summaryOf('test'),
    usage: 'followup test <project> [--test <name>] [--json] [--watch]',
    help: `Checks the project (errors: printed, exit 1), then runs each of its scenario tests
(test "..." { ... } in any .followup file): the test's events, deliveries, opens, clicks, bounces and
unsubscribes are imported as \`followup import --project\` would, each \`run\` runs the rules and delivers
as \`followup run --now <the step's instant>\` would (into memory: nothing is sent anywhere), and each
expectation is checked against what the last run sent, and why it did not (the reasons of
\`followup explain\`). Each test runs alone on an empty embedded store.

Prints each test's result, each failed expectation as a diagnostic at its line (with what was expected
and what happened), then "N passed, M failed".
  --test <name>   run only the test with this name (repeatable)
  --json          one JSON document: {"passed","failed","tests":[{"name","file","line","passed",
                  "durationMs","failures":[{file,line,column,endLine,endColumn,code,message,expected,got}]}]}
  --watch         run again whenever a .followup or template file of the project changes (Ctrl-C stops)

Exit codes: 0 every test passed (or there are none), 1 the project has errors or a test failed,
2 usage or environment errors.`,
    options: { json: { type: 'boolean' }, watch: { type: 'boolean' }, test: { type: 'string', multiple: true } },
    async run(args, io) {
        if (args.positionals.length !== 1) throw new UsageError('test takes one project folder');
        const json = Boolean(args.values['json']);
        const names = args.values['test'] as string[] | undefined;
        if (args.values['watch']) {
            if (json) throw new UsageError('--watch prints for people: it does not take --json');
            return watch(args.positionals[0]!, names, io);
        }
        try {
            return await testOnce(args.positionals[0]!, names, json, io);
        } finally {
            await closeTestStore();
        }
    },
};

async function testOnce(folder: string, names: string[] | undefined, json: boolean, io: Io): Promise<number> {
    const project = await loadProject([folder]);
    if (project.errorCount > 0) {
        printDiagnostics(project, json, io, json ? io.out : io.err);
        return ExitCode.inputErrors;
    }
    if (project.warningCount > 0 && !json) printDiagnostics(project, false, io, io.err);
    const style = styleFor(io.out);
    const started = performance.now();
    const results = await runProjectTests(project, {
        ...(names ? { names } : {}),
        // Before PGlite is loaded: V8 reads the tiering flags when it compiles the WebAssembly.
        beforeStore: (scenarios) => setWasmTiering(tieringForTests(scenarios)),
        ...(json ? {} : { onResult: (r: ScenarioResult) => io.out.write(resultLine(r, style) + '\n') }),
    });
    const unknown = (names ?? []).filter(n => !results.some(r => r.name === n));
    if (unknown.length > 0) throw new UsageError(`no test named ${unknown.map(n => JSON.stringify(n)).join(', ')}`);
    const failed = results.filter(r => !r.passed).length;
    if (json) {
        io.out.write(JSON.stringify(jsonReport(results)) + '\n');
    } else {
        if (results.length === 0) io.out.write(`No tests in ${displayPath(project.root, io.cwd)} (declare them with test "..." { ... }: see docs/testing.md).\n`);
        printFailures(results, io, style);
        io.out.write(summaryLine(results, performance.now() - started, style) + '\n');
    }
    return failed > 0 ? ExitCode.inputErrors : ExitCode.ok;
}

function resultLine(r: ScenarioResult, style: Style): string {
    const mark = r.passed ? style.cyan('✓') : style.red('✗');
    return `${mark} ${r.name} ${style.dim(`(${displayPath(r.source.file)}:${r.source.line}, ${Math.round(r.durationMs)} ms)`)}`;
}

function printFailures(results: ScenarioResult[], io: Io, style: Style): void {
    const read = sourceReader();
    for (const result of results) {
        for (const failure of result.failures) {
            const d = failureDiagnostic(failure, result.name);
            const lines = [formatDiagnostic(d, style, read)];
            if (d.expected !== undefined) lines.push(`  ${style.dim('expected:')} ${d.expected}`);
            if (d.got !== undefined) lines.push(`  ${style.dim('got:')}      ${d.got}`);
            lines.push(`  ${style.dim(`in test "${result.name}"`)}`);
            io.out.write('\n' + lines.join('\n') + '\n');
        }
    }
    if (results.some(r => !r.passed)) io.out.write('\n');
}

function summaryLine(results: ScenarioResult[], ms: number, style: Style): string {
    const failed = results.filter(r => !r.passed).length;
    const passed = results.length - failed;
    const text = `${passed} passed, ${failed} failed`;
    return `${failed > 0 ? style.red(text) : style.bold(text)} ${style.dim(`(${results.length} test${results.length === 1 ? '' : 's'}, ${(ms / 1000).toFixed(2)} s)`)}`;
}

export function jsonReport(results: ScenarioResult[]) {
    const failed = results.filter(r => !r.passed).length;
    return {
        passed: results.length - failed,
        failed,
        tests: results.map(r => ({
            name: r.name,
            file: displayPath(r.source.file),
            line: r.source.line,
            passed: r.passed,
            durationMs: Math.round(r.durationMs),
            failures: r.failures.map(f => {
                const { test: _test, severity: _severity, ...d } = failureDiagnostic(f, r.name);
                return { ...d, file: displayPath(d.file) };
            }),
        })),
    };
}

/** Runs the tests, then again after each change of a .followup or template file; resolves on SIGINT. */
async function watch(folder: string, names: string[] | undefined, io: Io): Promise<number> {
    const root = nodePath.resolve(io.cwd, folder);
    let running = false;
    let again = false;
    const style = styleFor(io.out);
    const once = async () => {
        if (running) {
            again = true;
            return;
        }
        running = true;
        try {
            do {
                again = false;
                io.out.write(style.dim(`\n[${new Date().toLocaleTimeString()}] running the tests of ${displayPath(root, io.cwd)}\n`));
                try {
                    await testOnce(root, names, false, io);
                } catch (error) {
                    io.err.write(`followup test: ${(error as Error).message}\n`);
                }
            } while (again);
        } finally {
            running = false;
        }
        io.out.write(style.dim('Watching for changes (Ctrl-C to stop).\n'));
    };
    let timer: NodeJS.Timeout | undefined;
    const watcher = fs.watch(root, { recursive: true }, (_event, file) => {
        const name = String(file ?? '');
        if (name.split(nodePath.sep).some(part => part.startsWith('.') || part === 'node_modules')) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void once(), 150);
    });
    await once();
    return new Promise<number>(resolve => {
        process.once('SIGINT', () => {
            watcher.close();
            if (timer) clearTimeout(timer);
            void closeTestStore().then(() => resolve(ExitCode.ok));
        });
    });
}
