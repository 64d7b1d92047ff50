// `followup/previewMessage`: a rule's message (or a given message) rendered by the runtime's own
// renderer for a sample event. Imported from the runtime's `render` entry, not its index: the server
// bundle must not pull in the store (PGlite, pg).
import * as nodePath from 'node:path';
import { compileMessageTemplates } from '@followup/compiler';
import { AstUtils, URI } from 'langium';
import { isEvent, isMessage, templateFileDiagnostics, type Message } from '@followup/language';
import { ErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { createRenderer } from '@followup/runtime/render';
import { sampleEvent } from './sample-event.js';
import { errorSummary, findRule, projectRoot, readWorkspace, workspaceDocuments, workspaceProject, type EditorServices } from './workspace-project.js';

export interface PreviewMessageParams {
    uri: string;
    rule?: string;
    message?: { name: string; event: string; channel: string };
}

export interface PreviewMessageResult {
    channel: string;
    subject?: string;
    html?: string;
    text?: string;
    /** A push message's title. */
    title?: string;
    sample: { source: string; data: unknown };
}

function findMessage(services: EditorServices, params: PreviewMessageParams): Message {
    if (params.rule !== undefined) {
        const rule = findRule(services, params.uri, params.rule);
        const message = rule.action?.message?.ref;
        if (!message) throw new ResponseError(ErrorCodes.InvalidRequest, `Rule '${params.rule}' sends a message that does not resolve: fix it first`);
        return message;
    }
    const wanted = params.message!;
    const message = workspaceDocuments(services)
        .flatMap(d => d.parseResult.value.declarations.filter(isMessage))
        .find(m => m.name === wanted.name && m.channel === wanted.channel && m.event?.$refText === wanted.event);
    if (!message) throw new ResponseError(ErrorCodes.InvalidParams, `No message '${wanted.name}' for ${wanted.event} ${wanted.channel} in the project`);
    return message;
}

export async function previewMessage(services: EditorServices, params: PreviewMessageParams, _token?: CancellationToken): Promise<PreviewMessageResult> {
    const message = params?.message;
    if (typeof params?.uri !== 'string' || (typeof params.rule !== 'string'
        && (typeof message?.name !== 'string' || typeof message.event !== 'string' || typeof message.channel !== 'string'))) {
        throw new ResponseError(ErrorCodes.InvalidParams,
            'followup/previewMessage takes { uri: string; rule?: string; message?: { name: string; event: string; channel: string } } with a rule or a message');
    }
    return readWorkspace(services, async () => {
        const target = findMessage(services, params);
        const event = target.event?.ref;
        if (!event) throw new ResponseError(ErrorCodes.InvalidRequest, `Message '${target.name}' is for an unknown event '${target.event?.$refText}'`);

        // Only this message's errors stop its preview: its own lines and its template files.
        const document = AstUtils.getDocument(target);
        const project = await workspaceProject(services, params.uri, templateFileDiagnostics(services.shared));
        const range = target.$cstNode?.range;
        const templateFiles = new Set(target.parts.filter(p => p.file !== undefined).map(p => nodePath.resolve(nodePath.dirname(document.uri.fsPath), p.file!)));
        const own = project.diagnostics.filter(d => d.severity === 'error' && (
            (d.file === document.uri.fsPath && range && d.line - 1 >= range.start.line && d.line - 1 <= range.end.line)
            || templateFiles.has(d.file)));
        if (own.length) {
            throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot preview message '${target.name}': it has ${errorSummary(project, own)}`);
        }

        const root = projectRoot(services, URI.parse(params.uri).fsPath);
        const eventNames = new Set(workspaceDocuments(services).flatMap(d => d.parseResult.value.declarations.filter(isEvent).map(e => e.name)));
        const sample = sampleEvent({ from: nodePath.dirname(document.uri.fsPath), root, event, eventNames, profile: project.profile });
        const rendered = createRenderer(compileMessageTemplates(target, project.profile, root))(sample.data, sample.profile);
        return {
            channel: target.channel,
            ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
            ...(rendered.html !== undefined ? { html: rendered.html } : {}),
            ...(rendered.text !== undefined ? { text: rendered.text } : {}),
            ...(rendered.title !== undefined ? { title: rendered.title } : {}),
            sample: { source: sample.source, data: sample.data },
        };
    });
}
