import { ExitCode, type Command } from './command.js';

// Placeholder: being written (see the runtime issue).
export const runCommand: Command = {
    name: 'run',
    summary: '(not available yet)',
    usage: 'followup run',
    help: 'Not available yet.',
    options: {},
    async run(_args, io) {
        io.err.write('followup run: not available yet in this version.\n');
        return ExitCode.usage;
    },
};
