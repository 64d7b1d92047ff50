// The commands, by name, with the one line `followup --help` shows for each. A command's module (and
// what it imports: Langium, PGlite, pg, fastify, nodemailer, ...) is loaded only when that command runs,
// so that `followup --version` or `followup check` do not pay for the others.
import type { Command } from './command.js';

interface CommandEntry {
    name: string;
    summary: string;
    load(): Promise<Command>;
}

export const commandRegistry: readonly CommandEntry[] = [
    { name: 'init', summary: 'Create a project to start from: events, a message with an HTML template, a rule, sample history', load: async () => (await import('./init.js')).initCommand },
    { name: 'check', summary: 'Parse and type-check a project', load: async () => (await import('./check.js')).checkCommand },
    { name: 'compile', summary: 'Check, then write each rule\'s SQL and render plan', load: async () => (await import('./compile.js')).compileCommand },
    { name: 'import', summary: 'Load history (events, deliveries, engagement, suppressions) into the store, all or nothing', load: async () => (await import('./import.js')).importCommand },
    { name: 'run', summary: 'Run the rules once, as of now, and deliver the follow-ups they select', load: async () => (await import('./run.js')).runCommand },
    { name: 'test', summary: "Run the project's scenario tests", load: async () => (await import('./test.js')).testCommand },
    { name: 'simulate', summary: 'What the rules would have done over the stored history, per rule and per day', load: async () => (await import('./simulate.js')).simulateCommand },
    { name: 'preview', summary: "Render a rule's message for a sample event: subject and text printed, HTML to a file", load: async () => (await import('./preview.js')).previewCommand },
    { name: 'send-test', summary: "Send one rule's follow-up to an address of yours, marked as a test", load: async () => (await import('./send-test.js')).sendTestCommand },
    { name: 'explain', summary: 'Tell, for an event or an address, which rule would send now and why the others would not', load: async () => (await import('./explain.js')).explainCommand },
    { name: 'prune', summary: 'Delete the history older than an instant that no rule or explain still reads', load: async () => (await import('./prune.js')).pruneCommand },
    { name: 'report', summary: 'Did the follow-ups work? Per rule: sends, engagement, conversions, and the lift over the holdout', load: async () => (await import('./report.js')).reportCommand },
    { name: 'lsp', summary: 'The language server for editors (LSP over stdio)', load: async () => (await import('./lsp.js')).lspCommand },
    { name: 'serve', summary: 'The long-running runtime: events in over HTTP, transactional sends, tracking, rules on their schedule', load: async () => (await import('./serve.js')).serveCommand },
];

export function summaryOf(name: string): string {
    const entry = commandRegistry.find((c) => c.name === name);
    if (!entry) throw new Error(`no command named ${name}`);
    return entry.summary;
}
