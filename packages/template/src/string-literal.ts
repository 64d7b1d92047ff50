// Decoding of string literal tokens (`"..."`, `'...'`, `"""..."""`) into their values, keeping for
// every character of the value the offset of the source character that produced it, so that a
// diagnostic found inside the value (a template error, say) can be positioned in the source file.

export interface DecodedString {
    readonly value: string;
    /**
     * `offsets[i]` is the offset in the token text of the source character that produced `value[i]`
     * (for an escape sequence: its backslash). One extra final entry is the offset of the closing
     * quote, so that the end of a range maps too: `offsets.length === value.length + 1`.
     */
    readonly offsets: number[];
}

/**
 * Decodes the source text of a string literal token.
 *
 * - `"..."` and `'...'` understand `\"`, `\'`, `\\`, `\n`, `\t` and `\u{hex}`; any other escaped
 *   character stands for itself (`\q` is `q`).
 * - `"""..."""` is multi-line text without escapes (a backslash is literal): a line break (after
 *   optional blanks) right after the opening quotes is dropped, so is the last line break when only
 *   blanks follow it before the closing quotes; then the indentation common to the non-blank lines is
 *   removed. Line breaks (`\r\n`, `\r`, `\n`) become `\n`.
 *
 * Never throws: text that is not a complete literal is decoded as far as it goes.
 */
export function decodeStringLiteral(sourceText: string): DecodedString {
    if (sourceText.startsWith('"""')) return decodeTripleQuoted(sourceText);
    const quote = sourceText[0];
    if (quote === '"' || quote === "'") return decodeQuoted(sourceText, quote);
    // Not a literal at all: the text stands for itself.
    return { value: sourceText, offsets: [...Array(sourceText.length + 1).keys()] };
}

function decodeQuoted(text: string, quote: string): DecodedString {
    const closed = text.length >= 2 && text.endsWith(quote) && !endsWithEscape(text);
    const end = closed ? text.length - 1 : text.length;
    let value = '';
    const offsets: number[] = [];
    const push = (chars: string, offset: number): void => {
        value += chars;
        for (let k = 0; k < chars.length; k++) offsets.push(offset);
    };
    let i = 1;
    while (i < end) {
        const c = text[i]!;
        if (c !== '\\' || i + 1 >= end) {
            push(c, i);
            i++;
            continue;
        }
        const next = text[i + 1]!;
        switch (next) {
            case 'n': push('\n', i); i += 2; break;
            case 't': push('\t', i); i += 2; break;
            case 'u': {
                const m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i + 2, end));
                const code = m ? parseInt(m[1]!, 16) : NaN;
                if (m && code <= 0x10ffff) {
                    push(String.fromCodePoint(code), i);
                    i += 2 + m[0].length;
                } else {
                    push('u', i);
                    i += 2;
                }
                break;
            }
            default: {
                // `\"`, `\'`, `\\` and unknown escapes: the escaped character itself (a whole code point).
                const cp = String.fromCodePoint(text.codePointAt(i + 1)!);
                push(cp, i);
                i += 1 + cp.length;
            }
        }
    }
    offsets.push(end);
    return { value, offsets };
}

/** True when the final quote is itself escaped (`"abc\"`), i.e. the literal is not closed. */
function endsWithEscape(text: string): boolean {
    let backslashes = 0;
    for (let i = text.length - 2; i >= 1 && text[i] === '\\'; i--) backslashes++;
    return backslashes % 2 === 1;
}

interface Line {
    text: string;
    /** Offset of the line's first character in the token text. */
    start: number;
    /** Offset of the line break that ends the line (or of the closing quotes for the last line). */
    breakAt: number;
}

function decodeTripleQuoted(text: string): DecodedString {
    const closed = text.length >= 6 && text.endsWith('"""');
    const bodyEnd = closed ? text.length - 3 : text.length;
    const lines = splitLines(text, 3, bodyEnd);
    const multiLine = lines.length > 1;

    if (lines.length > 1 && isBlank(lines[0]!.text)) lines.shift();
    if (lines.length > 1 && isBlank(lines[lines.length - 1]!.text)) {
        lines.pop();
        lines[lines.length - 1]!.breakAt = bodyEnd; // its line break is dropped with it
    }

    // Dedent only text that really spans several lines: `"""  x"""` keeps its blanks.
    const indent = multiLine ? commonIndent(lines) : '';
    let value = '';
    const offsets: number[] = [];
    lines.forEach((line, index) => {
        const cut = isBlank(line.text) ? Math.min(indent.length, line.text.length) : indent.length;
        for (let k = cut; k < line.text.length; k++) {
            value += line.text[k];
            offsets.push(line.start + k);
        }
        if (index < lines.length - 1) {
            value += '\n';
            offsets.push(line.breakAt);
        }
    });
    offsets.push(bodyEnd);
    return { value, offsets };
}

function splitLines(text: string, from: number, to: number): Line[] {
    const lines: Line[] = [];
    let start = from;
    let i = from;
    while (i < to) {
        const c = text[i];
        if (c === '\n' || c === '\r') {
            lines.push({ text: text.slice(start, i), start, breakAt: i });
            i += c === '\r' && text[i + 1] === '\n' && i + 1 < to ? 2 : 1;
            start = i;
        } else {
            i++;
        }
    }
    lines.push({ text: text.slice(start, to), start, breakAt: to });
    return lines;
}

function isBlank(s: string): boolean {
    return /^[ \t]*$/.test(s);
}

/** The longest run of leading blanks shared by every non-blank line. */
function commonIndent(lines: readonly Line[]): string {
    let indent: string | undefined;
    for (const line of lines) {
        if (isBlank(line.text)) continue;
        const own = /^[ \t]*/.exec(line.text)![0];
        if (indent === undefined) {
            indent = own;
            continue;
        }
        let k = 0;
        while (k < indent.length && k < own.length && indent[k] === own[k]) k++;
        indent = indent.slice(0, k);
    }
    return indent ?? '';
}
