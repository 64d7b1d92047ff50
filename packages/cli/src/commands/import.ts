import { ExitCode, type Command } from './command.js';

// Placeholder: being written (see the runtime issue).
export const importCommand: Command = {
    name: 'import',
    summary: '(not available yet)',
    usage: 'followup import',
    help: 'Not available yet.',
    options: {},
    async run(_args, io) {
        io.err.write('followup import: not available yet in this version.\n');
        return ExitCode.usage;
    },
};
