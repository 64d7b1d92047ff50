import * as nodePath from 'node:path';
import { compileOutput, dialectNames, lowerProject, writeCompiled } from '@followup/compiler';
import { writeEventSchemas } from './event-schemas.js';
import { loadProject } from '@followup/language';
import { printDiagnostics } from './check.js';
import { ExitCode, UsageError, type Command } from './command.js';
import { displayPath } from '../output/code-frame.js';
import { summaryOf } from './registry.js';

export const compileCommand: Command = {
    name: 'compile',
    summary: summaryOf('compile'),
    usage: 'followup compile <project|files...> --out <dir> [--dialect postgres] [--emit ir] [--json]',
    help: `Checks the project first: with errors, prints them, writes nothing and exits 1.
Otherwise writes, for each rule, <rule>.sql (the formatted selection query) and <rule>.plan.json
(the render plan the runtime executes), plus indexes.sql (the indexes the rules' queries need beyond
the store's own: followup run and serve create the missing ones when they start), ingestion.json (what
serve validates and sends when events arrive), manifest.json (the format, the compiler's version, the
sources' hash, and every file's SHA-256), and schemas/<event>.json: each event's JSON Schema
(draft-07), as followup serve's GET /v1/events/<type>/schema serves it, for the shop's developers.
Compiling twice gives byte-identical files. The folder is what followup run, serve and explain
--plans <dir> execute, without the sources or the compiler; a changed file is refused.

Environment: FOLLOWUP_PLAN_KEY signs the manifest (HMAC-SHA256); run, serve and explain --plans
given the same key refuse a folder not signed with it.

  --out <dir>        where to write (required unless --emit ir)
  --dialect <name>   SQL dialect: ${dialectNames.join(', ')} (default postgres)
  --emit ir          print the intermediate representation (JSON) of every rule instead
  --json             print the result (or the diagnostics) as JSON`,
    options: { out: { type: 'string' }, dialect: { type: 'string' }, emit: { type: 'string' }, json: { type: 'boolean' } },
    async run(args, io) {
        const json = Boolean(args.values['json']);
        const out = args.values['out'] as string | undefined;
        const emit = args.values['emit'] as string | undefined;
        const dialect = (args.values['dialect'] as string | undefined) ?? 'postgres';
        if (emit !== undefined && emit !== 'ir') throw new UsageError(`--emit takes 'ir', not '${emit}'`);
        if (!out && !emit) throw new UsageError('compile needs --out <dir> (or --emit ir)');
        if (!dialectNames.includes(dialect)) throw new UsageError(`Unknown dialect '${dialect}' (known: ${dialectNames.join(', ')})`);
        const project = await loadProject(args.positionals);
        if (project.errorCount > 0 || (!json && project.warningCount > 0)) {
            printDiagnostics(project, json, io, project.errorCount > 0 && !json ? io.err : io.out);
            if (project.errorCount > 0) return ExitCode.inputErrors;
        }
        if (emit === 'ir') {
            io.out.write(JSON.stringify(lowerProject(project), null, 2) + '\n');
            return ExitCode.ok;
        }
        const output = compileOutput(project, { dialect });
        const { rules } = output;
        const outDir = nodePath.resolve(io.cwd, out!);
        const signingKey = io.env['FOLLOWUP_PLAN_KEY'] || undefined;
        const files = [...writeCompiled(outDir, output, dialect, signingKey ? { signingKey } : {}), ...writeEventSchemas(project, outDir)];
        if (json) {
            io.out.write(JSON.stringify({ out: displayPath(outDir), rules: rules.map(r => r.name), files }) + '\n');
        } else {
            for (const rule of rules) io.out.write(`  ${rule.name}  ${rule.plan.source.file}:${rule.plan.source.line}  →  ${rule.name}.sql, ${rule.name}.plan.json\n`);
            io.out.write(`Compiled ${rules.length} rule${rules.length === 1 ? '' : 's'} into ${displayPath(outDir)}/ (with manifest.json, indexes.sql, ingestion.json, and the events' JSON Schemas in schemas/).\n`);
        }
        return ExitCode.ok;
    },
};
