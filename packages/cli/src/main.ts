import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Io } from './commands/command.js';
import { commandRegistry } from './commands/registry.js';
import { setShortCommandWasmFlags } from './wasm-tiering.js';

const commands = commandRegistry;

const planned: Record<string, string> = {};

function usage(): string {
    const width = Math.max(...[...commands.map(c => c.name), ...Object.keys(planned)].map(n => n.length));
    return [
        'followup — follow-up messages as code',
        '',
        'Usage: followup <command> [options]',
        '',
        'Commands:',
        ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
        ...Object.entries(planned).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary} (not available yet)`),
        '',
        'Every command takes --help. Exit codes: 0 ok, 1 errors in the input, 2 usage or environment errors.',
    ].join('\n');
}

function commandHelp(c: { usage: string; summary: string; help: string }): string {
    return `Usage: ${c.usage}\n\n${c.summary}.\n\n${c.help}\n`;
}

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr, cwd: process.cwd(), env: process.env }): Promise<number> {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h' || name === 'help') {
        io.out.write(usage() + '\n');
        return name ? ExitCode.ok : ExitCode.usage;
    }
    if (name === '--version') {
        io.out.write('followup 0.1.0\n');
        return ExitCode.ok;
    }
    const entry = commands.find(c => c.name === name);
    if (!entry) {
        io.err.write(planned[name]
            ? `followup ${name}: not available yet in this version.\n`
            : `followup: unknown command '${name}'.\n\n${usage()}\n`);
        return ExitCode.usage;
    }
    const command = await entry.load();
    try {
        const parsed = parseArgs({
            args: rest,
            allowPositionals: true,
            strict: true,
            options: { ...command.options, help: { type: 'boolean', short: 'h' }, now: { type: 'string' } },
        });
        if (parsed.values['help']) {
            io.out.write(commandHelp(command));
            return ExitCode.ok;
        }
        return await command.run({ positionals: parsed.positionals, values: parsed.values as ParsedValues }, io);
    } catch (error) {
        // Bad flags (node's parseArgs) and UsageErrors: the message and the command's usage line.
        if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
            io.err.write(`followup ${name}: ${(error as Error).message}\nUsage: ${command.usage}  (see followup ${name} --help)\n`);
            return ExitCode.usage;
        }
        // Every error meant for the user says which kind of mistake it is (FollowupError of
        // @followup/values, loaded here rather than at start: `--version` and `--help` need none of it).
        const { FollowupError } = await import('@followup/values');
        if (error instanceof FollowupError) {
            io.err.write(`followup ${name}: ${error.message}\n`);
            return error.kind === 'input' ? ExitCode.inputErrors : ExitCode.usage;
        }
        // Anything else (the database refused a statement, a bug): one readable line, never a stack
        // trace, the SQL or the parameters a database error carries.
        io.err.write(`followup ${name}: ${describeUnexpected(error)}\n`);
        return ExitCode.usage;
    }
}

/** One line about an error nobody expected: its message's first line, shortened, and its code. */
export function describeUnexpected(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const line = (message.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
    const short = line.length > 300 ? `${line.slice(0, 297)}...` : line;
    const code = (error as { code?: unknown } | null)?.code;
    return `${short}${typeof code === 'string' && code !== '' ? ` (${code})` : ''}; nothing was done past that point`;
}

type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/** The `followup` executable: runs `main` and sets the exit code. */
export function cli(argv: string[]): void {
    // Whatever escapes a command (a background task of serve failing, a bug) is one line on standard
    // error, never a stack trace with source code, SQL or its parameters.
    const fail = (error: unknown) => {
        process.stderr.write(`followup: ${describeUnexpected(error)}\n`);
        process.exit(2);
    };
    // A reader that goes away (`followup check . | head`) is not an error of ours: stop quietly.
    for (const stream of [process.stdout, process.stderr]) {
        stream.on('error', (error: NodeJS.ErrnoException) => {
            if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
            fail(error);
        });
    }
    process.on('uncaughtException', fail);
    process.on('unhandledRejection', fail);
    // The embedded store is PostgreSQL compiled to WebAssembly: V8 compiles its hot functions again
    // with its optimising compiler, in background threads, which costs a short command about 0.2 s of
    // CPU for nothing (measured: opening a store, 0.54 s of CPU against 0.35 s). A larger budget keeps a
    // command's start on the baseline code; what runs long (serve) keeps V8's default. A command on a
    // small store raises it further when it opens the store (wasm-tiering.ts), and validates PGlite's
    // functions at their first call (wasm-tiering.ts, setShortCommandWasmFlags).
    if (argv[0] !== 'serve') setShortCommandWasmFlags();
    main(argv).then((code) => {
        process.exitCode = code;
    }, fail);
}
