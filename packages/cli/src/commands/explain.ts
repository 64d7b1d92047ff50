import { ExitCode, type Command } from './command.js';

// Placeholder: being written (see the runtime issue).
export const explainCommand: Command = {
    name: 'explain',
    summary: '(not available yet)',
    usage: 'followup explain',
    help: 'Not available yet.',
    options: {},
    async run(_args, io) {
        io.err.write('followup explain: not available yet in this version.\n');
        return ExitCode.usage;
    },
};
