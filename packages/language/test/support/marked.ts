// Diagnostics tests mark the expected range in the source itself: ⟦ and ⟧ around the characters
// that must be underlined (after Malloy's markSource).
export interface MarkedSource {
    text: string;
    range: { line: number; column: number; endLine: number; endColumn: number };
}

export function marked(source: string): MarkedSource {
    const start = source.indexOf('⟦');
    const end = source.indexOf('⟧');
    if (start < 0 || end < start) throw new Error('marked(): put ⟦...⟧ around the expected range');
    const text = source.slice(0, start) + source.slice(start + 1, end) + source.slice(end + 1);
    const at = (offset: number) => {
        const before = text.slice(0, offset).split('\n');
        return { line: before.length, column: before[before.length - 1]!.length + 1 };
    };
    const s = at(start);
    const e = at(end - 1);
    return { text, range: { line: s.line, column: s.column, endLine: e.line, endColumn: e.column } };
}
