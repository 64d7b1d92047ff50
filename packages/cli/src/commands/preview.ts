// `followup preview`: a rule's message rendered for a sample event, as the editor's preview shows it.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { styleFor } from '../output/terminal.js';
import { displayPath } from '../output/code-frame.js';
import { previewInput, sampleOptionFlags, sampleOptionsHelp } from '../preview/preview-input.js';
import { ExitCode, type Command } from './command.js';
import { summaryOf } from './registry.js';

export const previewCommand: Command = {
    name: 'preview',
    summary: summaryOf('preview'),
    usage: 'followup preview <project> [--rule <name>] [--event <id> | --sample <file.json>] [--html <file>] [--json]',
    help: `Checks the project (errors: printed, exit 1), then renders the rule's message with the
runtime's renderer — the same as the editor's "Followup: Preview message" — prints the subject (or a
push title) and the text, and writes the HTML part to a file. When the sample event does not match
the event's declaration (a field renamed since the sample was written), says which fields are missing
or unknown: their values render empty. Nothing is recorded or sent.

${sampleOptionsHelp}
  --html <file>         where to write the HTML (default <project>/.followup/preview/<rule>.html)
  --json                print {"rule","channel","subject","title","text","html","htmlFile","sample":{...}}

Exit codes: 0 rendered (also with a sample warning), 1 the project has errors, 2 usage errors
(unknown rule, unknown event id, unreadable sample).`,
    options: { ...sampleOptionFlags, html: { type: 'string' }, json: { type: 'boolean' } },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        const input = await previewInput(args, io, json);
        if (typeof input === 'number') return input;
        const { preview, ruleName, project } = input;
        let htmlFile: string | undefined;
        if (preview.html !== undefined) {
            const given = args.values['html'] as string | undefined;
            htmlFile = given ? nodePath.resolve(io.cwd, given) : nodePath.join(project.root, '.followup', 'preview', `${ruleName}.html`);
            fs.mkdirSync(nodePath.dirname(htmlFile), { recursive: true });
            fs.writeFileSync(htmlFile, preview.html);
        }
        if (json) {
            const { editFile: _e, repaired: _r, ...sample } = preview.sample;
            io.out.write(JSON.stringify({ rule: ruleName, channel: preview.channel, subject: preview.subject, title: preview.title, text: preview.text,
                html: preview.html, htmlFile, sample }) + '\n');
            return ExitCode.ok;
        }
        const style = styleFor(io.out);
        if (preview.sample.warning) io.err.write(`${styleFor(io.err).yellow('warning')}: ${preview.sample.warning}\n`);
        io.out.write(`${style.bold('Rule')}     ${ruleName} (${preview.channel})\n`);
        io.out.write(`${style.bold('Sample')}   ${preview.sample.source}\n`);
        if (preview.subject !== undefined) io.out.write(`${style.bold('Subject')}  ${preview.subject}\n`);
        if (preview.title !== undefined) io.out.write(`${style.bold('Title')}    ${preview.title}\n`);
        if (htmlFile) io.out.write(`${style.bold('HTML')}     ${displayPath(htmlFile, io.cwd)}\n`);
        if (preview.text !== undefined) io.out.write(`${style.bold('Text')}\n${preview.text.replace(/\n*$/, '')}\n`);
        return ExitCode.ok;
    },
};
