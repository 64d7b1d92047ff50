import * as vscode from 'vscode';

/** The server answers a rule it cannot compile (errors in the file, unknown name) with an error response. */
export function showRequestError(what: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`${what}: ${reason}`);
}
