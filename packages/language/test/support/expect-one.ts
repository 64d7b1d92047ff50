import { expect } from 'vitest';
import type { FollowupDiagnostic } from '../../src/index.js';
import { marked } from './marked.js';
import { brief, diagnosticsOf } from './project.js';

export interface ExpectOneOptions {
    hint?: RegExp | string;
    /** Declarations added to the shared schema for this source. */
    extraSchema?: string;
    severity?: string;
}

/**
 * Checks `source` (the project's rules.followup, with ⟦ ⟧ around what the diagnostic must underline):
 * exactly one diagnostic of `code` there, over exactly the marked characters, with this message (and
 * hint, and severity: error unless said). Returns every diagnostic of the project.
 */
export async function expectOne(source: string, code: string, message: RegExp | string, opts: ExpectOneOptions = {}): Promise<FollowupDiagnostic[]> {
    const m = marked(source);
    const diagnostics = await diagnosticsOf(m.text, opts.extraSchema);
    const found = diagnostics.filter(d => d.code === code && d.file.endsWith('rules.followup'));
    expect(found.map(brief), JSON.stringify(diagnostics, null, 1)).toEqual([{ code, ...m.range }]);
    const d = found[0]!;
    if (typeof message === 'string') expect(d.message).toBe(message); else expect(d.message).toMatch(message);
    if (opts.hint !== undefined) {
        if (typeof opts.hint === 'string') expect(d.hint).toBe(opts.hint); else expect(d.hint).toMatch(opts.hint);
    }
    expect(d.severity).toBe(opts.severity ?? 'error');
    return diagnostics;
}
