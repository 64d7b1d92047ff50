// Every template of the workspace's messages, with its text as the editor sees it: a template file
// open in the editor is read from its unsaved buffer, any other from disk.
import { TextDocument, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { isMessage, type Message, type Model, type Profile } from '../../generated/ast.js';
import { partTemplate, readTemplateFile, templateFilePath, type PartTemplate } from '../../model/message-templates.js';
import type { FollowupScopeProvider } from '../../services/scope-provider.js';

export interface WorkspaceTemplate {
    message: Message;
    template: PartTemplate;
    /** The document holding the template's text: the .followup file (inline) or the template file. */
    uri: string;
    /** The template file's text (file templates only), for positions in it. */
    fileDocument?: TextDocument;
    /** Source offset in `uri` of template offset i. */
    sourceOffset(i: number): number;
}

export function isFollowupUri(shared: LangiumSharedServices, uri: string): boolean {
    return shared.ServiceRegistry.hasServices(URI.parse(uri));
}

/** A template file's text: the editor's buffer when open, else the file on disk. */
export function templateFileText(shared: LangiumSharedServices, path: string): string | undefined {
    const open = shared.workspace.TextDocuments?.get(URI.file(path).toString());
    return open ? open.getText() : readTemplateFile(path);
}

function followupDocuments(shared: LangiumSharedServices): LangiumDocument<Model>[] {
    return shared.workspace.LangiumDocuments.all
        .filter(d => d.parseResult?.value?.$type === 'Model')
        .toArray() as LangiumDocument<Model>[];
}

function profileOf(shared: LangiumSharedServices): Profile | undefined {
    const services = shared.ServiceRegistry.all[0];
    return (services?.references.ScopeProvider as FollowupScopeProvider | undefined)?.profile();
}

/** Which templates to read: a filter on the message, the part and the URI of the template's text. */
export type TemplateFilter = (message: Message, uri: string) => boolean;

/** The templates of every message part in the workspace whose event resolved (and that `where` keeps). */
export function workspaceTemplates(shared: LangiumSharedServices, options: { filesOnly?: boolean; where?: TemplateFilter } = {}): WorkspaceTemplate[] {
    const profile = profileOf(shared);
    const out: WorkspaceTemplate[] = [];
    for (const document of followupDocuments(shared)) {
        for (const message of document.parseResult.value.declarations.filter(isMessage)) {
            if (!message.event?.ref) continue;
            for (const part of message.parts) {
                if (options.filesOnly && part.file === undefined) continue;
                const path = templateFilePath(part);
                const uri = path === undefined ? document.uri.toString() : URI.file(path).toString();
                if (options.where && !options.where(message, uri)) continue;
                const template = partTemplate(part, profile);
                if (!template) continue;
                if (template.source.kind === 'inline') {
                    out.push({ message, template, uri, sourceOffset: template.source.sourceOffset });
                    continue;
                }
                const text = templateFileText(shared, template.source.path);
                if (text === undefined) continue;
                out.push({
                    message, uri,
                    template: { ...template, source: { ...template.source, text } },
                    fileDocument: TextDocument.create(uri, 'html', 0, text),
                    sourceOffset: i => i,
                });
            }
        }
    }
    return out;
}
