// Diagnostics as plain values with 1-based positions: what the CLI prints and tests assert.
import { compareText } from '@followup/values';

export type Severity = 'error' | 'warning' | 'info';

export interface FollowupDiagnostic {
    /** Absolute path of the file the diagnostic is in (a .followup file or a template file). */
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    severity: Severity;
    code: string;
    message: string;
    hint?: string;
    related?: { file: string; line: number; column: number; message: string }[];
}

export function compareDiagnostics(a: FollowupDiagnostic, b: FollowupDiagnostic): number {
    return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.code, b.code);
}

/** 0-based offset → 1-based line and column, for texts that are not Langium documents (template files). */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
    }
    return { line, column: offset - lineStart + 1 };
}
