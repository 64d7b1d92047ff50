// The house style (examples/): the white space between two tokens, decided from the tokens, the
// document's structure and the line breaks the author chose. Only white space is ever decided
// here, so tokens, comments and string contents (`"""` blocks included) cannot change or move.
//
// - Indentation: two spaces per open `{`. In a rule, a line starting with `and`/`or` is indented
//   one more than its clauses (`when`, `then`, options): `  when ...` / `   and ...`; a short
//   rule's later lines count as clauses inside it. Any other continuation line gets 4 more.
// - A block that spans lines (a line break between its tokens, or a `"""` string on several lines)
//   has `{` end its line, each member or clause on its own line and `}` on its own line; a block on
//   one line stays on one line, `{ a: int  b: int }` (two spaces between members). Each top-level
//   declaration starts a line.
// - Other line breaks are the author's: kept, with at most one blank line, none after `{` or
//   before `}`, none at the start, one line break at the end, no trailing blanks.
// - On a line: one space between tokens, none before `:` `,` `)` `]` `?` `.` `[` `%` and after `(` `[`
//   `.`, `list<T>` and `count(` tight. A comment at the end of a line keeps the blanks before it
//   (aligned comments stay aligned); a comment on its own line is indented like the code after it.
import type { LayoutMarks } from './layout-marks.js';

export interface LayoutToken {
    /** The token's text as in the source. */
    image: string;
    start: number;
    /** Exclusive. */
    end: number;
    /** The lexer's token type: a keyword itself (`{`, `and`), `ID`, `STRING`, `SL_COMMENT`, ... */
    type: string;
}

const tightBefore = new Set([':', ',', ')', ']', '?', '.', '[', '%']);
const tightAfter = new Set(['(', '[', '.', '+']);
const indentUnit = 2;

const isComment = (t: LayoutToken | undefined): boolean => t?.type === 'SL_COMMENT' || t?.type === 'ML_COMMENT';

interface Block {
    open: number;
    close: number;
    multiLine: boolean;
    members: boolean;
}

/**
 * The white space to put before each token and after the last one (`gaps.length === tokens.length + 1`),
 * given the original `text`.
 */
export function layoutGaps(text: string, tokens: readonly LayoutToken[], marks: LayoutMarks): string[] {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const original = (i: number): string => text.slice(i === 0 ? 0 : tokens[i - 1]!.end, i < tokens.length ? tokens[i]!.start : text.length);
    const breaks = (i: number): number => (original(i).match(/\n/g) ?? []).length;

    // Blocks: matched braces, and whether any line break separates their tokens.
    const blockOf = new Map<number, Block>();
    const opens: number[] = [];
    tokens.forEach((t, i) => {
        if (t.type === '{') opens.push(i);
        else if (t.type === '}' && opens.length > 0) {
            const open = opens.pop()!;
            let multiLine = false;
            // A `"""` string (or a comment) on several lines makes the block span lines too.
            for (let g = open + 1; g <= i && !multiLine; g++) multiLine = breaks(g) > 0 || (g < i && tokens[g]!.image.includes('\n'));
            const block = { open, close: i, multiLine, members: marks.memberBlocks.has(tokens[open]!.start) };
            blockOf.set(open, block);
            blockOf.set(i, block);
        }
    });

    const ruleAt = (offset: number) => marks.rules.find(r => r.start <= offset && offset < r.end);
    const depths: number[] = [];
    const innermost: (Block | undefined)[] = [];
    const stack: Block[] = [];
    tokens.forEach((t, i) => {
        if (t.type === '}' && stack[stack.length - 1] === blockOf.get(i)) stack.pop();
        depths.push(stack.length);
        innermost.push(t.type === '}' ? blockOf.get(i) : stack[stack.length - 1]);
        if (t.type === '{' && blockOf.has(i)) stack.push(blockOf.get(i)!);
    });

    const startsStatement = (t: LayoutToken): boolean => marks.memberStarts.has(t.start) || marks.clauseStarts.has(t.start);

    /** The indentation of a line whose first token is tokens[i]. */
    const indentation = (i: number): number => {
        const t = tokens[i]!;
        if (isComment(t)) {
            let j = i + 1;
            while (j < tokens.length && isComment(tokens[j])) j++;
            if (j === tokens.length) return 0;
            // Before a `}`, a comment belongs to the block's inside.
            return tokens[j]!.type === '}' ? (depths[j]! + 1) * indentUnit : indentation(j);
        }
        const depth = depths[i]!;
        if (marks.declarationStarts.has(t.start) || t.type === '}') return depth * indentUnit;
        const rule = ruleAt(t.start);
        const clauseIndent = rule && !rule.long ? indentUnit : depth * indentUnit;
        if (startsStatement(t)) return clauseIndent;
        if (rule && (t.type === 'and' || t.type === 'or')) return clauseIndent + 1;
        return (rule ? clauseIndent : depth * indentUnit) + 4;
    };

    const lineBreaks = (i: number): number => {
        const t = tokens[i]!;
        const previous = tokens[i - 1]!;
        const block = innermost[i];
        let wanted = breaks(i);
        const forced = previous.type === 'SL_COMMENT'
            || marks.declarationStarts.has(t.start)
            || (block?.multiLine === true && (
                t.type === '}' && blockOf.get(i) === block
                || (previous.type === '{' && blockOf.get(i - 1) === block && !(isComment(t) && wanted === 0))
                || startsStatement(t)));
        if (forced) wanted = Math.max(wanted, 1);
        const maxBreaks = previous.type === '{' || t.type === '}' ? 1 : 2;
        return Math.min(wanted, maxBreaks);
    };

    const spaceBetween = (i: number): string => {
        const t = tokens[i]!;
        const previous = tokens[i - 1]!;
        if (isComment(t)) {
            const endsLine = i + 1 === tokens.length || breaks(i + 1) > 0;
            const kept = original(i);
            return endsLine && kept.length > 0 && /^[ \t]+$/.test(kept) ? kept : ' ';
        }
        if (isComment(previous)) return ' ';
        if (previous.type === '{' && t.type === '}') return '';
        if (t.type === '[' && previous.type === ':') return ' '; // a test's data: `items: [ ... ]`
        if (tightBefore.has(t.type) || tightAfter.has(previous.type)) return '';
        if (marks.typeAngles.has(t.start) || (previous.type === '<' && marks.typeAngles.has(previous.start))) return '';
        if (t.type === '(' && previous.type === 'count') return '';
        const block = innermost[i];
        if (block?.members && !block.multiLine && marks.memberStarts.has(t.start) && previous.type !== '{' && previous.type !== ',') return '  ';
        return ' ';
    };

    const gaps: string[] = [];
    for (let i = 0; i <= tokens.length; i++) {
        if (i === 0) gaps.push(tokens.length > 0 ? ' '.repeat(indentation(0)) : original(0));
        else if (i === tokens.length) gaps.push(eol);
        else {
            const n = lineBreaks(i);
            gaps.push(n > 0 ? eol.repeat(n) + ' '.repeat(indentation(i)) : spaceBetween(i));
        }
    }
    return gaps;
}
