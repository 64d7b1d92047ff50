// Diagnostics tests mark the expected ranges in the source itself: ⟦ and ⟧ around the characters
// that must be underlined (after Malloy's markSource). Several ranges may be marked.
export interface MarkedRange {
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
}

export interface MarkedSource {
    text: string;
    /** The first marked range. */
    range: MarkedRange;
    /** Every marked range, in order. */
    ranges: MarkedRange[];
}

export function marked(source: string): MarkedSource {
    // Offsets of each marked range in the text without the markers.
    const spans: { start: number; end: number }[] = [];
    let text = '';
    let open: number | undefined;
    for (const ch of source) {
        if (ch === '⟦') {
            if (open !== undefined) throw new Error('marked(): ⟦ inside ⟦...⟧');
            open = text.length;
        } else if (ch === '⟧') {
            if (open === undefined) throw new Error('marked(): ⟧ without ⟦');
            spans.push({ start: open, end: text.length });
            open = undefined;
        } else text += ch;
    }
    if (open !== undefined || spans.length === 0) throw new Error('marked(): put ⟦...⟧ around the expected range');
    const at = (offset: number) => {
        const before = text.slice(0, offset).split('\n');
        return { line: before.length, column: before[before.length - 1]!.length + 1 };
    };
    const ranges = spans.map(({ start, end }) => {
        const s = at(start);
        const e = at(end);
        return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
    });
    return { text, range: ranges[0]!, ranges };
}
