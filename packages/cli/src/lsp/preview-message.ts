// `followup/previewMessage`: a rule's message (or a given message) rendered by the runtime's own
// renderer for a sample event. Imported from the runtime's `render` entry, not its index: the server
// bundle must not pull in the store (PGlite, pg).
import * as nodePath from 'node:path';
import { AstUtils, URI } from 'langium';
import { isMessage, templateFileDiagnostics, type Message } from '@followup/language';
import { ErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { renderMessagePreview, sampleOptions, type MessagePreview } from '../preview/message-preview.js';
import { listSamples, SampleError, type SampleChoice } from '../preview/sample-event.js';
import { errorSummary, findRule, projectRoot, readWorkspace, workspaceDocuments, workspaceProject, type EditorServices } from './workspace-project.js';

export interface PreviewMessageParams {
    uri: string;
    rule?: string;
    message?: { name: string; event: string; channel: string };
    /** A sample's ref (from `followup/listSamples`); default: the nearest samples/*.json, else history.jsonl, else the schema's. */
    sample?: string;
}

export type PreviewMessageResult = MessagePreview;

export interface ListSamplesResult { event: string; samples: SampleChoice[] }

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

function checkParams(params: PreviewMessageParams, method: string): void {
    const message = params?.message;
    if (typeof params?.uri !== 'string' || (typeof params.rule !== 'string'
        && (typeof message?.name !== 'string' || typeof message.event !== 'string' || typeof message.channel !== 'string'))
        || (params.sample !== undefined && typeof params.sample !== 'string')) {
        throw new ResponseError(ErrorCodes.InvalidParams,
            `${method} takes { uri: string; rule?: string; message?: { name: string; event: string; channel: string }; sample?: string } with a rule or a message`);
    }
}

export async function previewMessage(services: EditorServices, params: PreviewMessageParams, _token?: CancellationToken): Promise<PreviewMessageResult> {
    checkParams(params, 'followup/previewMessage');
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
        try {
            return renderMessagePreview(project, target, root, params.sample);
        } catch (error) {
            if (error instanceof SampleError) throw new ResponseError(ErrorCodes.InvalidParams, error.message);
            throw error;
        }
    });
}

/** `followup/listSamples`: the samples a preview of this rule or message could use (the sample picker). */
export async function listPreviewSamples(services: EditorServices, params: PreviewMessageParams, _token?: CancellationToken): Promise<ListSamplesResult> {
    checkParams(params, 'followup/listSamples');
    return readWorkspace(services, async () => {
        const target = findMessage(services, params);
        if (!target.event?.ref) throw new ResponseError(ErrorCodes.InvalidRequest, `Message '${target.name}' is for an unknown event '${target.event?.$refText}'`);
        const project = await workspaceProject(services, params.uri, new Map());
        const root = projectRoot(services, URI.parse(params.uri).fsPath);
        return { event: target.event.ref.name, samples: listSamples(sampleOptions(project, target, root)) };
    });
}
