import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as readline from 'node:readline';
import type { RenderPlan } from '@followup/compiler';
import {
    formatProblem, ImportRejectedError, importHistory, refreshPlannerStatistics, TransactionAbortedError,
    type ImportProgress, type ImportResult, type ImportSchemas, type Store,
} from '@followup/runtime';
import { displayPath } from '../output/code-frame.js';
import { compiledProject } from '../project-plans.js';
import { styleFor } from '../output/terminal.js';
import { createIndexes, isServerUrl, openCliStore, projectConfig, resolveDbTarget } from '../runtime-context.js';
import { ExitCode, UsageError, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

export const importCommand: Command = {
    name: 'import',
    summary: summaryOf('import'),
    usage: 'followup import <file.jsonl|-> [--project <dir> | --no-validate] [--db <target>] [--json]',
    help: `Reads a history file, one JSON record a line ("-" reads standard input), and writes it into the
store in one transaction: one bad line rejects the whole file, and nothing is written.

Records (instants are ISO-8601 with a time zone; "id" is optional on tracking records):
  {"kind":"event","id":"e1","type":"cartAbandonment","at":"2026-11-20T10:00:00Z","data":{...}}
  {"kind":"delivery","id":"d1","event":"e1","message":"transactional","channel":"email","to":"ana@example.com","at":"..."}
      optional "status":"failed" (never sent); channel is email, sms or push
  {"kind":"delivered"|"open"|"complaint","delivery":"d1","at":"..."}   open may say "machine":true
  {"kind":"click","delivery":"d1","at":"...","url":"https://shop.example/cart"}   optional "link":"checkout"
  {"kind":"bounce","delivery":"d1","at":"...","hard":true}    a hard bounce suppresses the recipient
  {"kind":"unsubscribe","channel":"email","to":"ana@example.com","at":"..."}
  {"kind":"profile","key":"c1","data":{...},"at":"..."}    a version of the profile, valid from "at"
A complaint suppresses the recipient as an unsubscribe does. A delivery's event and a tracking
record's delivery must be in the file (anywhere) or already in the store.

Checked against a project, it then creates the indexes the project's rules need (as run does first,
reported on stderr) and refreshes the planner's statistics of the tables it filled, so that the next
run starts at once; a failure there keeps what was imported (the next run tries again).

Re-importing records already stored is a no-op: events and deliveries by id, tracking records by
their id (else kind, delivery, time and URL), suppressions by channel, address and reason.

  --project <dir>   check event types and data (and profiles) against the project's declarations:
                    every required field present, the right types, no undeclared fields; without it,
                    the current folder when it is a project (.followup files or a followup.config.json in it)
  --no-validate     import without a project: data is not checked (an event missing a field the
                    messages read would later render without it)
  --db <target>     the store: a folder (embedded PostgreSQL) or postgres://... (else FOLLOWUP_DB,
                    the project's followup.config.json, <project>/.followup/db, or ./.followup/db)
  --json            print the result (or the rejection) as one JSON document

Exit codes: 0 imported, 1 the file (or the project) has errors, 2 usage or environment errors
(no such file or project, no project and no --no-validate, database unreachable).`,
    options: { project: { type: 'string' }, 'no-validate': { type: 'boolean' }, db: { type: 'string' }, json: { type: 'boolean' } },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        if (args.positionals.length !== 1) throw new UsageError('import takes one file (or - for standard input)');
        const given = args.positionals[0]!;
        const fromStdin = given === '-';
        const name = fromStdin ? '<stdin>' : given;
        const path = fromStdin ? undefined : nodePath.resolve(io.cwd, given);
        if (path !== undefined) {
            const problem = unreadable(path);
            if (problem) {
                io.err.write(`followup import: cannot read ${given}: ${problem}\n`);
                return ExitCode.usage;
            }
        }

        let schemas: ImportSchemas | undefined;
        const noValidate = Boolean(args.values['no-validate']);
        let projectDir = args.values['project'] as string | undefined;
        if (projectDir !== undefined && noValidate) throw new UsageError('--project and --no-validate say opposite things: give one');
        // Data is checked unless the user says not to: against --project, else the project in this folder.
        if (projectDir === undefined && !noValidate) {
            if (!hasFollowupFiles(io.cwd)) {
                throw new UsageError('no project to check the data against: give --project <dir> (or --no-validate to import it unchecked)');
            }
            projectDir = io.cwd;
        }
        let root: string | undefined;
        let rules: RenderPlan[] | undefined;
        if (projectDir !== undefined) {
            const compiled = await compiledProject([projectDir], io.env, async (project) => {
                if (project.errorCount === 0) return;
                const { printDiagnostics } = await import('./check.js');
                printDiagnostics(project, json, io, io.err);
            });
            if (compiled === undefined) return ExitCode.inputErrors;
            root = compiled.root;
            rules = compiled.rules;
            const phoneRegion = projectConfig(root).phoneRegion;
            schemas = { ...compiled.schemas, ...(phoneRegion !== undefined ? { phoneRegion } : {}) };
        }

        const target = resolveDbTarget(args, io, root, root !== undefined ? projectConfig(root) : undefined);
        // What the import brings decides, with the store's size, how the embedded store's code is compiled.
        const store = await openCliStore(target, { incomingBytes: fromStdin ? Number.POSITIVE_INFINITY : fs.statSync(path!).size });
        const input = fromStdin ? process.stdin : fs.createReadStream(path!);
        const progress = new Progress(io, name, json, input, path);
        const started = performance.now();
        let result: ImportResult;
        let seconds: number;
        try {
            try {
                result = await importHistory(store, readLines(input), { schemas, onProgress: p => progress.update(p) });
                seconds = (performance.now() - started) / 1000; // the records' import, without readying the store below
            } catch (error) {
                progress.clear();
                if (error instanceof ImportRejectedError) return reportRejection(error, name, json, io);
                if (error instanceof TransactionAbortedError || isSystemOrDatabaseError(error)) {
                    io.err.write(`followup import: ${(error as Error).message}; nothing was imported.\n`);
                    return ExitCode.usage;
                }
                throw error;
            } finally {
                progress.clear();
                if (!fromStdin) (input as fs.ReadStream).destroy();
            }
            await readyForRuns(store, rules, io);
        } finally {
            await store.close();
        }
        if (json) {
            io.out.write(JSON.stringify({ file: name, db: describeTarget(target, io.cwd), imported: true, ...result, seconds: round(seconds) }) + '\n');
        } else {
            const style = styleFor(io.out);
            const n = (count: number, what: string, plural = `${what}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? what : plural}`;
            io.out.write(
                `${style.bold('Imported')} ${name} into ${describeTarget(target, io.cwd)}: ` +
                    `${n(result.events, 'event')}, ${n(result.deliveries, 'delivery', 'deliveries')}, ${n(result.tracking, 'tracking record')}, ` +
                    `${n(result.suppressions, 'suppression')}, ${n(result.profiles, 'profile')}; ` +
                    `${n(result.skippedDuplicates, 'duplicate')} skipped (${n(result.records, 'record')} in ${round(seconds)} s).\n`,
            );
        }
        return ExitCode.ok;
    },
};

/**
 * After the import has committed, what the next run would otherwise do first: the indexes the rules
 * need (when checked against a project) and the planner's statistics of the tables it filled. A failure
 * here loses nothing: the import stands, and the next run tries again.
 */
async function readyForRuns(store: Store, rules: RenderPlan[] | undefined, io: Io): Promise<void> {
    try {
        if (rules) await createIndexes(store, rules, io);
        await refreshPlannerStatistics(store);
    } catch (error) {
        io.err.write(`followup import: imported, but ${(error as Error).message}; the next run tries again\n`);
    }
}

/** The current folder is a project when it holds .followup files itself, or a followup.config.json. */
function hasFollowupFiles(dir: string): boolean {
    try {
        return fs.readdirSync(dir).some(name => name.endsWith('.followup') || name === 'followup.config.json');
    } catch {
        return false;
    }
}

function reportRejection(error: ImportRejectedError, name: string, json: boolean, io: Io): number {
    const count = `${error.errorCount.toLocaleString('en-US')} ${error.errorCount === 1 ? 'error' : 'errors'}`;
    if (json) {
        io.out.write(JSON.stringify({ file: name, imported: false, errorCount: error.errorCount, errors: error.errors }) + '\n');
        return ExitCode.inputErrors;
    }
    const style = styleFor(io.err);
    for (const problem of error.errors) io.err.write(`${style.cyan(name)}:${formatProblem(problem)}\n`);
    const more = error.errorCount - error.errors.length;
    if (more > 0) io.err.write(`... and ${more.toLocaleString('en-US')} more.\n`);
    io.err.write(`${style.red('Rejected')} ${name}: ${count}; nothing was imported.\n`);
    return ExitCode.inputErrors;
}

/** Why `path` cannot be read as a history file, or undefined. */
function unreadable(path: string): string | undefined {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(path);
    } catch (error) {
        return (error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    }
    if (stat.isDirectory()) return 'it is a folder, not a file';
    try {
        fs.accessSync(path, fs.constants.R_OK);
    } catch (error) {
        return (error as Error).message;
    }
    return undefined;
}

/** The lines of a stream, one at a time; a read error of the stream ends the iteration with that error. */
async function* readLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
    let failure: Error | undefined;
    input.on('error', (error: Error) => (failure = error));
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    input.on('error', () => lines.close());
    try {
        for await (const line of lines) {
            if (failure) break;
            yield line;
        }
    } finally {
        lines.close();
    }
    if (failure) throw failure;
}

/** A folder as a path relative to the current folder; a server URL without its credentials. */
function describeTarget(target: string, cwd: string): string {
    if (!isServerUrl(target)) return displayPath(target, cwd);
    try {
        const url = new URL(target);
        return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
        return 'the PostgreSQL server';
    }
}

function isSystemOrDatabaseError(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code !== '';
}

function round(seconds: number): number {
    return Math.round(seconds * 100) / 100;
}

/** A one-line progress report on a terminal (standard error), for files that take more than a moment. */
class Progress {
    private readonly enabled: boolean;
    private readonly total: number | undefined;
    private readonly started = Date.now();
    private lastDraw = 0;
    private drawn = false;

    constructor(
        private readonly io: Io,
        private readonly name: string,
        json: boolean,
        private readonly input: NodeJS.ReadableStream,
        path: string | undefined,
    ) {
        this.enabled = Boolean(io.err.isTTY) && !json;
        this.total = path !== undefined && this.enabled ? fs.statSync(path).size : undefined;
    }

    update(progress: ImportProgress): void {
        if (!this.enabled || progress.phase === 'done') return;
        const now = Date.now();
        if (progress.phase === 'reading' && (now - this.started < 500 || now - this.lastDraw < 100)) return;
        this.lastDraw = now;
        const read = (this.input as Partial<fs.ReadStream>).bytesRead;
        const percent = this.total && read !== undefined ? ` (${Math.min(100, Math.floor((read / this.total) * 100))}%)` : '';
        const what = progress.phase === 'reading'
            ? `${progress.lines.toLocaleString('en-US')} lines read${percent}`
            : `${progress.lines.toLocaleString('en-US')} lines read; checking references and writing`;
        this.io.err.write(`\r\u001b[K${styleFor(this.io.err).dim(`importing ${this.name}: ${what}`)}`);
        this.drawn = true;
    }

    clear(): void {
        if (this.drawn) this.io.err.write('\r\u001b[K');
        this.drawn = false;
    }
}

