// Diagnostics reported on a template. Offsets are into the template text; codes are stable.

export interface TemplateDiagnostic {
    code: string;
    severity: 'error' | 'warning';
    message: string;
    hint?: string;
    start: number;
    end: number;
}

export const TemplateCodes = {
    /** Unknown field (or `profile.x` on an event that does not target a profile). */
    unknownField: 'FU101',
    unknownFilter: 'FU104',
    /** Comparison between incompatible types in `#if`. */
    incompatibleComparison: 'FU130',
    /** Operator that does not fit the operand type (`firstName > 3`). */
    operatorMismatch: 'FU131',
    /** Filter (or `count(...)`) applied to a value of the wrong type. */
    filterType: 'FU132',
    /** Wrong filter arguments: count or type. */
    filterArguments: 'FU133',
    /** A list or record printed directly. */
    notPrintable: 'FU134',
    /** `#each` over, or `[i]` on, something that is not a list. */
    notAList: 'FU135',
    syntax: 'FU170',
} as const;

export function errorAt(code: string, start: number, end: number, message: string, hint?: string): TemplateDiagnostic {
    return hint === undefined
        ? { code, severity: 'error', message, start, end }
        : { code, severity: 'error', message, hint, start, end };
}

export function warningAt(code: string, start: number, end: number, message: string, hint?: string): TemplateDiagnostic {
    return { ...errorAt(code, start, end, message, hint), severity: 'warning' };
}
