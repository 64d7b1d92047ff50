// Template files (`html: file "templates/x.html"`) are not .followup documents: Langium must not try
// to parse them when the editor opens, edits or saves one. Their changes are announced instead, so
// that their diagnostics are recomputed.
import { URI, type TextDocument } from 'langium';
import { DefaultDocumentUpdateHandler } from 'langium/lsp';
import { Emitter, type DidChangeWatchedFilesParams, type Event, type TextDocumentChangeEvent } from 'vscode-languageserver';

export class FollowupDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    private readonly templateChanges = new Emitter<URI[]>();

    /** A file that is not a .followup document (a template file) changed in the editor or on disk. */
    get onTemplateFileChange(): Event<URI[]> {
        return this.templateChanges.event;
    }

    private isFollowup(uri: URI): boolean {
        return this.serviceRegistry.hasServices(uri);
    }

    override didChangeContent(change: TextDocumentChangeEvent<TextDocument>): void {
        const uri = URI.parse(change.document.uri);
        if (this.isFollowup(uri)) super.didChangeContent(change);
        else this.templateChanges.fire([uri]);
    }

    /** A closed template file is read from disk again. (Langium does nothing when a .followup file closes.) */
    didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
        const uri = URI.parse(event.document.uri);
        if (!this.isFollowup(uri)) this.templateChanges.fire([uri]);
    }

    override didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
        // A path without an extension may be a folder holding .followup files: Langium looks into it.
        const ours = (uri: string) => this.isFollowup(URI.parse(uri)) || !/\.[^/]+$/.test(URI.parse(uri).path);
        const templates = params.changes.filter(c => !ours(c.uri));
        super.didChangeWatchedFiles({ changes: params.changes.filter(c => ours(c.uri)) });
        if (templates.length) this.templateChanges.fire(templates.map(c => URI.parse(c.uri)));
    }
}
