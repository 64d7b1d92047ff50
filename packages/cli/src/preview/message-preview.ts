// A message rendered for a sample event by the runtime's own renderer: what the editor's preview and
// `followup preview` show. Imported from the runtime's `render` and `validate` entries, not its
// index: the language server's bundle must not pull in the store (PGlite, pg).
import * as nodePath from 'node:path';
import { compileMessageTemplates } from '@followup/compiler';
import { AstUtils } from 'langium';
import { isEvent, type LoadedProject, type Message } from '@followup/language';
import { createRenderer } from '@followup/runtime/render';
import { checkSample, repairedSample, sampleEvent, sampleWarning, type SampleEvent, type SampleFit, type SampleOptions } from './sample-event.js';

export interface MessagePreview {
    channel: string;
    subject?: string;
    html?: string;
    text?: string;
    /** A push message's title. */
    title?: string;
    sample: {
        source: string;
        /** How to ask for this sample again (`samples/x.json`, `history.jsonl#<id>`, `schema`). */
        ref: string;
        data: unknown;
        /** The event the message is for. */
        event: string;
        /** Set when the sample does not match the event's declaration: what to tell the user. */
        warning?: string;
        missing: string[];
        unknown: string[];
        problems: string[];
        /** Where an edited sample of this event goes (`<root>/samples/<event>.json`), and what it starts from. */
        editFile: string;
        repaired: Record<string, unknown>;
    };
}

/** Where samples are looked for when previewing `message` in `project` (rooted at `root`). */
export function sampleOptions(project: LoadedProject, message: Message, root: string): SampleOptions {
    const event = message.event?.ref;
    if (!event) throw new Error(`Message '${message.name}' is for an unknown event '${message.event?.$refText}'`);
    const document = AstUtils.getDocument(message);
    const eventNames = new Set(project.documents.flatMap(d => d.parseResult.value.declarations.filter(isEvent).map(e => e.name)));
    return { from: nodePath.dirname(document.uri.fsPath), root, event, eventNames, profile: project.profile };
}

/** Renders `message` for `sample` (default: the one `sampleEvent` picks). */
export function renderMessagePreview(project: LoadedProject, message: Message, root: string, sample?: SampleEvent | string): MessagePreview {
    const options = sampleOptions(project, message, root);
    const chosen = typeof sample === 'object' ? sample : sampleEvent(options, sample);
    const fit: SampleFit = checkSample(options.event, chosen.data);
    const rendered = createRenderer(compileMessageTemplates(message, project.profile, root))(chosen.data, chosen.profile);
    const warning = sampleWarning(options.event, chosen, fit);
    return {
        channel: message.channel,
        ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
        ...(rendered.html !== undefined ? { html: rendered.html } : {}),
        ...(rendered.text !== undefined ? { text: rendered.text } : {}),
        ...(rendered.title !== undefined ? { title: rendered.title } : {}),
        sample: {
            source: chosen.source,
            ref: chosen.ref,
            data: chosen.data,
            event: options.event.name,
            ...(warning ? { warning } : {}),
            missing: fit.missing,
            unknown: fit.unknown,
            problems: fit.problems,
            editFile: nodePath.join(root, 'samples', `${options.event.name}.json`),
            repaired: repairedSample(options.event, chosen.data),
        },
    };
}
