// "Followup: Preview message": renders a rule's message (or a message declaration) for a sample
// event on the server and shows it in one webview beside the editor, reused between previews.
// When the sample does not match the event's declaration (a field renamed since history.jsonl was
// written), the preview says which fields are missing or unknown, and offers to pick another sample
// ("Followup: Pick preview sample") or to edit one (`samples/<event>.json`, which previews then use).
// The preview is rendered again when a .followup file or a sample file is saved.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { previewTarget, type PreviewTarget } from './command-target.js';
import { previewPage } from './preview-page.js';
import { commandIds, listSamplesRequest, previewMessageRequest, type PreviewMessageResult } from './protocol.js';
import { showRequestError } from './request-error.js';

const pickSampleAction = 'Pick another sample';
const editSampleAction = 'Edit sample';

export class MessagePreviews implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    /** What the panel shows: rendered again on save, or with another sample. */
    private current: { target: PreviewTarget; title: string; result: PreviewMessageResult } | undefined;
    /** The sample chosen per event (a sample ref), for the rest of the session. */
    private readonly chosenSamples = new Map<string, string>();
    private readonly subscriptions: vscode.Disposable[] = [];

    constructor(private readonly client: LanguageClient, private readonly log: vscode.LogOutputChannel) {
        this.subscriptions.push(
            vscode.commands.registerCommand(commandIds.previewMessage, (...args: unknown[]) => this.preview(args)),
            vscode.commands.registerCommand(commandIds.pickSample, () => this.pickSample()),
            vscode.commands.registerCommand(commandIds.editSample, () => this.editSample()),
            vscode.workspace.onDidSaveTextDocument(document => {
                const path = document.uri.path;
                if (this.current && (document.languageId === 'followup' || /\/samples\/[^/]+\.json$/.test(path) || path.endsWith('.html') || path.endsWith('history.jsonl'))) {
                    void this.render(this.current.target, this.current.title, { quiet: true });
                }
            }),
        );
    }

    private previewPanel(): vscode.WebviewPanel {
        if (this.panel) { this.panel.reveal(vscode.ViewColumn.Beside, true); return this.panel; }
        const panel = vscode.window.createWebviewPanel('followup.preview', 'Message preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
            enableScripts: false,
            enableForms: false,
            // Only the page's own two links ("pick another sample", "edit sample") are command links.
            enableCommandUris: [commandIds.pickSample, commandIds.editSample],
            localResourceRoots: [],
        });
        panel.onDidDispose(() => { this.panel = undefined; this.current = undefined; });
        this.panel = panel;
        return panel;
    }

    private async preview(args: unknown[]): Promise<void> {
        const target = await previewTarget(args);
        if (!target) return;
        const title = 'rule' in target ? `Preview: ${target.rule}` : `Preview: ${target.message.name} (${target.message.event}, ${target.message.channel})`;
        await this.render(target, title, { quiet: false });
    }

    private async render(target: PreviewTarget, title: string, options: { quiet: boolean }): Promise<void> {
        const what = title.slice('Preview: '.length);
        const event = this.current?.target === target ? this.current.result.sample.event : 'message' in target ? target.message.event : undefined;
        const sample = event ? this.chosenSamples.get(event) : undefined;
        try {
            let result = await this.client.sendRequest(previewMessageRequest, { ...target, ...(sample ? { sample } : {}) });
            if (!result) { void vscode.window.showWarningMessage(`Nothing to preview for ${what}.`); return; }
            // The chosen sample is per event: a rule's event is known once the server answered.
            const chosen = result.sample.event ? this.chosenSamples.get(result.sample.event) : undefined;
            if (chosen && chosen !== result.sample.ref && !sample) result = await this.client.sendRequest(previewMessageRequest, { ...target, sample: chosen }) ?? result;
            const view = this.previewPanel();
            this.current = { target, title, result };
            view.title = title;
            view.webview.html = previewPage(title, result);
            this.log.info(`preview of ${what} with ${result.sample.source}`);
            if (result.sample.warning) {
                this.log.warn(result.sample.warning);
                if (!options.quiet) void this.offerFix(result.sample.warning);
            }
        } catch (error) {
            // A chosen sample that went away: forget it and preview with the default one.
            if (sample && event && this.chosenSamples.delete(event)) return this.render(target, title, options);
            if (!options.quiet) showRequestError(`Could not preview ${what}`, error);
            else this.log.warn(`preview of ${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    private async offerFix(warning: string): Promise<void> {
        const action = await vscode.window.showWarningMessage(warning, pickSampleAction, editSampleAction);
        if (action === pickSampleAction) await this.pickSample();
        if (action === editSampleAction) await this.editSample();
    }

    /** "Followup: Pick preview sample": the sample files, the history's events of the message's event, or the schema's. */
    async pickSample(): Promise<void> {
        const current = this.current;
        if (!current) { void vscode.window.showInformationMessage('Preview a message first (Followup: Preview message).'); return; }
        try {
            const { event, samples } = await this.client.sendRequest(listSamplesRequest, current.target);
            const items = samples.map(s => ({ label: s.label, description: s.description, ref: s.ref, picked: s.ref === current.result.sample.ref }));
            const picked = await vscode.window.showQuickPick(items, { placeHolder: `Preview with which '${event}' event?`, matchOnDescription: true });
            if (!picked) return;
            this.chosenSamples.set(event, picked.ref);
            await this.render(current.target, current.title, { quiet: false });
        } catch (error) {
            showRequestError('Could not list the samples', error);
        }
    }

    /**
     * "Followup: Edit preview sample": opens `samples/<event>.json`, created from the current sample
     * with its missing fields filled in and its unknown fields left out; previews use it from then on.
     */
    async editSample(): Promise<void> {
        const current = this.current;
        const sample = current?.result.sample;
        if (!current || !sample?.editFile || !sample.event) { void vscode.window.showInformationMessage('Preview a message first (Followup: Preview message).'); return; }
        const file = vscode.Uri.file(sample.editFile);
        let exists = true;
        try { await vscode.workspace.fs.stat(file); } catch { exists = false; }
        if (!exists) {
            const content = JSON.stringify(sample.repaired ?? sample.data, null, 2) + '\n';
            await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(content));
            this.log.info(`wrote ${file.fsPath} from ${sample.source}`);
        }
        this.chosenSamples.set(sample.event, `samples/${sample.event}.json`);
        await vscode.window.showTextDocument(file, { viewColumn: vscode.ViewColumn.One, preview: false });
        await this.render(current.target, current.title, { quiet: true });
    }

    dispose(): void {
        for (const s of this.subscriptions) s.dispose();
        this.panel?.dispose();
    }
}
