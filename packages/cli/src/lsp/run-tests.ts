// `followup/runTests`: the editor's "Run test" / "Run all tests" code lenses. The project is taken
// from the editor's buffers (unsaved edits included), compiled under the workspace lock, then its
// tests run outside it (a run takes seconds; edits go on meanwhile) on the server's test store, one
// request at a time. Failures come back with their ranges, for the editor to show as diagnostics.
//
// `followup lsp` runs them in its own process (commands/lsp.ts passes the runner of
// testing/in-process-runner.ts). A server without the runtime — the VS Code extension's bundle, which
// leaves out the store (PGlite: WebAssembly and data files) to stay small — runs the project's own
// `followup test --json` instead: node_modules/.bin/followup in the project or a folder above it, else
// `followup` on the PATH; that one reads the files on disk (the extension saves the file first).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { compilePlans, lowerTests, type RenderPlan, type ScenarioIR } from '@followup/compiler';
import { templateFileDiagnostics } from '@followup/language';
import { URI } from 'langium';
import { ErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { Range } from 'vscode-languageserver-types';
import type { ImportSchemas } from '@followup/runtime';
import { projectSchemas } from '../project-schemas.js';
import { errorSummary, readWorkspace, workspaceProject, type EditorServices } from './workspace-project.js';

export interface RunTestsParams {
    /** The file whose tests run (all of them, or those named). */
    uri: string;
    tests?: string[];
}

export interface TestFailure {
    uri: string;
    range: Range;
    code: string;
    message: string;
    expected?: string;
    got?: string;
}

export interface TestOutcome {
    name: string;
    uri: string;
    /** Where the test's name is written. */
    range: Range;
    passed: boolean;
    durationMs: number;
    failures: TestFailure[];
}

export interface RunTestsResult {
    /** The file the tests were asked for: its old results are replaced by these. */
    uri: string;
    passed: number;
    failed: number;
    tests: TestOutcome[];
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs scenarios in this process (testing/in-process-runner.ts). */
export type TestRunner = (plans: RenderPlan[], scenarios: ScenarioIR[], schemas: ImportSchemas, token?: CancellationToken) => Promise<TestOutcome[]>;

export async function runTests(services: EditorServices, params: RunTestsParams, token?: CancellationToken, runner?: TestRunner): Promise<RunTestsResult> {
    if (typeof params?.uri !== 'string' || (params.tests !== undefined && !Array.isArray(params.tests))) {
        throw new ResponseError(ErrorCodes.InvalidParams, 'followup/runTests takes { uri: string; tests?: string[] }');
    }
    const file = URI.parse(params.uri).fsPath;
    const prepared = await readWorkspace(services, async () => {
        const project = await workspaceProject(services, params.uri, templateFileDiagnostics(services.shared));
        if (project.errorCount > 0) {
            throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot run the tests: the project has ${errorSummary(project)}`);
        }
        const scenarios = lowerTests(project).filter(s => s.source.file === file && (!params.tests || params.tests.includes(s.name)));
        return { root: project.root, plans: compilePlans(project), scenarios, schemas: projectSchemas(project, phoneRegionOf(project.root)) };
    });
    if (params.tests) {
        const missing = params.tests.filter(name => !prepared.scenarios.some(s => s.name === name));
        if (missing.length) throw new ResponseError(ErrorCodes.InvalidParams, `No test ${missing.map(n => JSON.stringify(n)).join(', ')} in ${file}`);
    }
    // One run at a time: the tests share the server's store, emptied before each.
    const run = queue.then(() => runner
        ? runner(prepared.plans, prepared.scenarios, prepared.schemas, token)
        : runWithCli(prepared.root, prepared.scenarios.map(s => s.name)));
    queue = run.catch(() => undefined);
    const tests = await run;
    const failed = tests.filter(t => !t.passed).length;
    return { uri: params.uri, passed: tests.length - failed, failed, tests };
}

/** The project's `followup` command: node_modules/.bin/followup in the project or above, else the PATH's. */
export function projectCli(root: string): string {
    for (let dir = root; ; dir = nodePath.dirname(dir)) {
        const bin = nodePath.join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'followup.cmd' : 'followup');
        if (fs.existsSync(bin)) return bin;
        if (nodePath.dirname(dir) === dir) return 'followup';
    }
}

interface CliReport {
    tests: { name: string; file: string; line: number; passed: boolean; durationMs: number;
        failures: { file: string; line: number; column: number; endLine: number; endColumn: number; code: string; message: string; expected?: string; got?: string }[] }[];
}

/** `followup test <root> --json --test ...` in a process of its own. */
async function runWithCli(root: string, names: string[]): Promise<TestOutcome[]> {
    if (names.length === 0) return [];
    const bin = projectCli(root);
    const args = ['test', root, '--json', ...names.flatMap(n => ['--test', n])];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(bin, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' }, shell: process.platform === 'win32' });
        let out = '';
        let err = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (err += d));
        child.on('error', error => reject(new ResponseError(ErrorCodes.InternalError,
            `Running tests needs the followup command: install it in the project (npm i -D @followup-lang/cli) or put it on the PATH (${error.message})`)));
        child.on('close', exit => resolve({ code: exit, stdout: out, stderr: err }));
    });
    let report: CliReport;
    try {
        report = JSON.parse(stdout) as CliReport;
        if (!Array.isArray(report.tests)) throw new Error('no tests');
    } catch {
        throw new ResponseError(ErrorCodes.InternalError, `${bin} test exited ${code}: ${(stderr || stdout).trim().split('\n').slice(0, 5).join(' ')}`);
    }
    const full = (file: string) => URI.file(nodePath.resolve(root, file)).toString();
    return report.tests.map(t => ({
        name: t.name, uri: full(t.file), range: rangeOf({ line: t.line, column: 1, endLine: t.line, endColumn: 1 }), passed: t.passed, durationMs: t.durationMs,
        failures: t.failures.map(f => ({
            uri: full(f.file), range: rangeOf(f), code: f.code, message: f.message,
            ...(f.expected !== undefined ? { expected: f.expected } : {}), ...(f.got !== undefined ? { got: f.got } : {}),
        })),
    }));
}

export function rangeOf(source: { line: number; column: number; endLine: number; endColumn: number }): Range {
    return { start: { line: source.line - 1, character: source.column - 1 }, end: { line: source.endLine - 1, character: source.endColumn - 1 } };
}

/**
 * followup.config.json's phoneRegion, read here rather than with the runtime's loadConfig, which this
 * bundle leaves out (a broken config file is reported by the commands, not here).
 */
function phoneRegionOf(root: string): string | undefined {
    try {
        const region = (JSON.parse(fs.readFileSync(nodePath.join(root, 'followup.config.json'), 'utf8')) as { phoneRegion?: unknown }).phoneRegion;
        return typeof region === 'string' ? region : undefined;
    } catch {
        return undefined;
    }
}
