import { loadProject, type LoadedProject } from '@followup/language';
import { formatDiagnostic, jsonDiagnostics, sourceReader, summary } from '../output/code-frame.js';
import { styleFor } from '../output/terminal.js';
import { ExitCode, type Command, type Io } from './command.js';
import { summaryOf } from './registry.js';

/** Prints a project's diagnostics (human or JSON); true when there are errors. */
export function printDiagnostics(project: LoadedProject, json: boolean, io: Io, stream: NodeJS.WriteStream): boolean {
    if (json) {
        stream.write(JSON.stringify(jsonDiagnostics(project.diagnostics)) + '\n');
    } else {
        const style = styleFor(stream);
        const read = sourceReader();
        for (const d of project.diagnostics) stream.write(formatDiagnostic(d, style, read) + '\n\n');
        const files = new Set(project.diagnostics.map(d => d.file)).size || project.files.length;
        stream.write(summary(project.errorCount, project.warningCount, files, style) + '\n');
    }
    void io;
    return project.errorCount > 0;
}

export const checkCommand: Command = {
    name: 'check',
    summary: summaryOf('check'),
    usage: 'followup check <project|files...> [--json]',
    help: `Parses and type-checks every .followup file of a project folder (or the files given),
and the template files their messages use.

Prints each problem as  path:line:col - error FU123: message  with the source line, then a summary.
  --json   print [{file,line,column,endLine,endColumn,severity,code,message,hint}] instead

Exit codes: 0 no errors (warnings allowed), 1 errors, 2 usage or environment errors.`,
    options: { json: { type: 'boolean' } },
    async run(args, io) {
        const project = await loadProject(args.positionals);
        const hasErrors = printDiagnostics(project, Boolean(args.values['json']), io, io.out);
        return hasErrors ? ExitCode.inputErrors : ExitCode.ok;
    },
};
