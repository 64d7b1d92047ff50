// What `followup preview` and `followup send-test` share: the project checked, the rule's message,
// and the sample event (`--event <id>` from history.jsonl or the store, `--sample <file.json>`, else
// the one the editor's preview would use), rendered by the same code as the editor's preview.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { derivedRuleName, isRule, loadProject, type LoadedProject, type Message, type Rule } from '@followup/language';
import { printDiagnostics } from '../commands/check.js';
import { ExitCode, UsageError, type Io, type ParsedArgs } from '../commands/command.js';
import { isServerUrl, openCliStore, projectConfig, resolveDbTarget } from '../runtime-context.js';
import { renderMessagePreview, sampleOptions, type MessagePreview } from './message-preview.js';
import { historySampleById, type SampleEvent } from './sample-event.js';

export const sampleOptionsHelp = `  --rule <name>         the rule whose message to render (required when the project has several)
  --event <id>          render for this event: from the project's history.jsonl, else from the store (--db)
  --sample <file.json>  render for this event data (the data itself, { "<event>": {...} } or an import record)
  --db <target>         the store --event looks in (default <project>/.followup/db)
Without --event and --sample: the first samples/*.json for the event, else its first event in
history.jsonl, else one made up from the schema — the editor's preview does the same.`;

export const sampleOptionFlags = {
    rule: { type: 'string' },
    event: { type: 'string' },
    sample: { type: 'string' },
    db: { type: 'string' },
} as const;

export interface PreviewInput {
    project: LoadedProject;
    rule: Rule;
    ruleName: string;
    message: Message;
    preview: MessagePreview;
}

function pickRule(project: LoadedProject, wanted: string | undefined): { rule: Rule; name: string } {
    const rules = project.documents.flatMap(d => d.parseResult.value.declarations.filter(isRule)).map(r => ({ rule: r, name: r.name ?? derivedRuleName(r) }));
    const known = rules.map(r => r.name).sort().join(', ') || 'no rules';
    if (wanted === undefined) {
        if (rules.length === 1) return rules[0]!;
        throw new UsageError(`say which rule with --rule <name> (the project has: ${known})`);
    }
    const found = rules.find(r => r.name === wanted);
    if (!found) throw new UsageError(`no rule named '${wanted}' (the project has: ${known})`);
    return found;
}

async function storeEvent(args: ParsedArgs, io: Io, project: LoadedProject, id: string, type: string): Promise<SampleEvent | undefined> {
    const target = resolveDbTarget(args, io, project.root, projectConfig(project.root));
    // No store yet (nothing imported): nothing to look in, and nothing to create.
    if (!isServerUrl(target) && !fs.existsSync(target)) return undefined;
    const store = await openCliStore(target);
    try {
        const { rows } = await store.query<{ type: string; payload: Record<string, unknown> }>('SELECT type, payload FROM events WHERE id = $1', [id]);
        const row = rows[0];
        if (!row) return undefined;
        if (row.type !== type) throw new UsageError(`event '${id}' is a ${row.type} event, and the rule's message is for ${type}`);
        return { source: `the store (event ${id})`, ref: `store#${id}`, data: row.payload, profile: null };
    } finally {
        await store.close();
    }
}

/** Checks the project and renders the rule's message; `undefined` when the project has errors (printed: exit 1). */
export async function previewInput(args: ParsedArgs, io: Io, json: boolean): Promise<PreviewInput | number> {
    if (args.positionals.length !== 1) throw new UsageError('takes one project folder');
    const eventId = args.values['event'] as string | undefined;
    const sampleFile = args.values['sample'] as string | undefined;
    if (eventId !== undefined && sampleFile !== undefined) throw new UsageError('give --event or --sample, not both');
    const project = await loadProject(args.positionals);
    if (project.errorCount > 0) {
        printDiagnostics(project, json, io, json ? io.out : io.err);
        return ExitCode.inputErrors;
    }
    const { rule, name } = pickRule(project, args.values['rule'] as string | undefined);
    const message = rule.action?.message?.ref;
    if (!message) throw new UsageError(`rule '${name}' sends a message that does not resolve`);
    const options = sampleOptions(project, message, project.root);
    let sample: SampleEvent | string | undefined;
    if (eventId !== undefined) {
        sample = historySampleById(options, eventId) ?? await storeEvent(args, io, project, eventId, options.event.name);
        if (!sample) throw new UsageError(`no '${options.event.name}' event '${eventId}' in the project's history.jsonl or in the store`);
    } else if (sampleFile !== undefined) {
        const file = nodePath.resolve(io.cwd, sampleFile);
        if (!fs.existsSync(file)) throw new UsageError(`no file ${sampleFile}`);
        sample = nodePath.relative(project.root, file);
    }
    // A sample that cannot be read is a SampleError (a FollowupError of kind 'usage': exit 2).
    return { project, rule, ruleName: name, message, preview: renderMessagePreview(project, message, project.root, sample) };
}
