import { FollowupError } from '@followup/values';
import type { ParseArgsConfig } from 'node:util';

export interface Io {
    out: NodeJS.WriteStream;
    err: NodeJS.WriteStream;
    cwd: string;
    env: NodeJS.ProcessEnv;
}

export interface ParsedArgs {
    positionals: string[];
    values: Record<string, string | boolean | string[] | undefined>;
}

export interface Command {
    name: string;
    summary: string;
    usage: string;
    /** Longer help: what it does, its options, examples. */
    help: string;
    options: NonNullable<ParseArgsConfig['options']>;
    run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Bad flags, missing arguments: exit 2, with the command's usage line. */
export class UsageError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

export const ExitCode = { ok: 0, inputErrors: 1, usage: 2 } as const;
