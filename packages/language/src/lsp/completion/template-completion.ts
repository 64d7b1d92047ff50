// Completion inside `{{ }}` of a message part: the event's fields (and the profile's), loop
// variables of the enclosing `{{#each}}` blocks, fields after a `.`, and after a `|` the filters
// the template checker accepts for the value's type.
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import {
    checkTemplate, filterNames, parseTemplate, TemplateCodes, typeToString, type FuType, type TemplateContext, type TemplateNode, type TemplateSyntax,
} from '@followup/template';
import { fieldItem, fieldsAfterDot, segmentsBeforeDot, walkSegments, type WrittenSegment } from './typed-paths.js';

export interface TemplateCompletion {
    items: CompletionItem[];
    /** How many characters before the cursor the items replace (the name typed so far). */
    replaceLength: number;
}

/** How each filter reads, for the completion list (the checker decides which apply). */
const filterUsage: Record<string, { usage: string; doc: string }> = {
    upper: { usage: 'upper', doc: 'The text upper-cased' },
    lower: { usage: 'lower', doc: 'The text lower-cased' },
    trim: { usage: 'trim', doc: 'The text without surrounding blanks' },
    default: { usage: "default('…')", doc: 'This value when the value is missing or ""' },
    count: { usage: 'count', doc: 'The number of elements of a list' },
    truncate: { usage: 'truncate(n)', doc: 'At most n characters; when cut, `…` is added' },
    date: { usage: "date('yyyy-MM-dd')", doc: 'The date or timestamp formatted in UTC (tokens yyyy MM dd HH mm ss)' },
    money: { usage: 'money(currency)', doc: "A price in that currency (a field or a code such as 'EUR')" },
    raw: { usage: 'raw', doc: 'The value, not HTML-escaped' },
};

/** A parsed path (`items[0].name`) as written segments. */
function writtenSegments(path: TemplateSyntax.PathExpr): WrittenSegment[] {
    const written: WrittenSegment[] = [];
    for (const s of path.segments) {
        if (s.kind === 'name') written.push({ name: s.name, indexed: false });
        else if (written.length > 0) written[written.length - 1]!.indexed = true;
    }
    return written;
}

interface Loop {
    name: string;
    /** The `{{#each ...}}` tag as written, to re-open the loop in a probe template. */
    head: string;
    type: FuType | undefined;
}

/** The `{{#each}}` blocks whose body holds `offset`, outermost first. */
function enclosingLoops(nodes: readonly TemplateNode[], offset: number, out: TemplateSyntax.EachNode[] = []): TemplateSyntax.EachNode[] {
    for (const node of nodes) {
        if (node.kind === 'each') {
            const bodyEnd = node.close?.start ?? node.end;
            if (node.open.end <= offset && offset <= bodyEnd) {
                out.push(node);
                enclosingLoops(node.body, offset, out);
            }
        } else if (node.kind === 'if' && node.start <= offset && offset <= node.end) {
            enclosingLoops(node.then, offset, out);
            if (node.else) enclosingLoops(node.else, offset, out);
        }
    }
    return out;
}

class TemplateScope {
    readonly loops: Loop[] = [];
    private readonly eventType: FuType;
    private readonly profileType: FuType | undefined;

    constructor(readonly text: string, readonly ctx: TemplateContext, offset: number) {
        this.eventType = { kind: 'record', name: 'event', fields: () => ctx.fields };
        const profileFields = ctx.profileFields;
        this.profileType = profileFields ? { kind: 'record', name: 'profile', fields: () => profileFields } : undefined;
        for (const each of enclosingLoops(parseTemplate(text).ast.body, offset)) {
            if (!each.item) continue;
            const list = each.list.kind === 'path' ? this.resolve(writtenSegments(each.list)) : undefined;
            this.loops.push({
                name: each.item.name,
                head: text.slice(each.open.start, each.open.end),
                type: list?.kind === 'list' ? list.element : undefined,
            });
        }
    }

    /** Loop variables first (innermost), then `event`, `profile`, then the event's fields: the checker's order. */
    resolve(segments: readonly WrittenSegment[]): FuType | undefined {
        const [first, ...rest] = segments;
        if (!first) return undefined;
        const loop = [...this.loops].reverse().find(l => l.name === first.name);
        if (loop) return walkSegments(loop.type, rest, first.indexed);
        if (first.name === 'event') return walkSegments(this.eventType, rest, first.indexed);
        if (first.name === 'profile' && this.profileType) return walkSegments(this.profileType, rest, first.indexed);
        return walkSegments(this.eventType, segments, false);
    }

    /** What a name may be at the start of a path. */
    rootItems(): CompletionItem[] {
        const loops = [...this.loops].reverse().filter((l, i, all) => all.findIndex(o => o.name === l.name) === i);
        return [
            ...loops.map((l): CompletionItem => ({
                label: l.name, kind: CompletionItemKind.Variable, detail: l.type ? typeToString(l.type) : 'loop variable',
                documentation: `Loop variable of ${l.head}`, sortText: `0_${l.name}`,
            })),
            ...this.ctx.fields.filter(f => !loops.some(l => l.name === f.name)).map(f => fieldItem(f, 'the event')),
            { label: 'event', kind: CompletionItemKind.Module, detail: 'the event', sortText: '2_event' },
            ...(this.profileType ? [{ label: 'profile', kind: CompletionItemKind.Module, detail: 'the profile', sortText: '2_profile' }] : []),
            { label: 'count', kind: CompletionItemKind.Function, detail: 'count(list): int', sortText: '3_count' },
        ];
    }

    /**
     * The filters the checker accepts after `input`: each is tried on a probe template (the
     * enclosing loops re-opened, then `{{ input | filter }}`) and kept unless it reports FU132.
     */
    filterItems(input: string): CompletionItem[] {
        const heads = this.loops.map(l => l.head).join('');
        const closes = '{{/each}}'.repeat(this.loops.length);
        return filterNames.filter(name => {
            const before = `${heads}{{ ${input} | `;
            const probe = `${before}${name} }}${closes}`;
            const checked = checkTemplate(probe, this.ctx);
            return !checked.diagnostics.some(d => d.code === TemplateCodes.filterType && d.start === before.length);
        }).map(name => ({
            label: name, kind: CompletionItemKind.Function, detail: filterUsage[name]?.usage ?? name,
            documentation: filterUsage[name]?.doc, sortText: `0_${name}`,
        }));
    }
}

/**
 * The operand a filter applies to, inside a tag's content: what follows `#if`, the last comparison
 * or `and`/`or`/`not`, without the grouping parentheses that open it (a call's stay: `count(items)`).
 */
function operandBeforePipe(content: string): string {
    const text = content.replace(/^\s*#(?:if|each)\b/, '');
    const separators = /(==|!=|<=|>=|=|<|>|\band\b|\bor\b|\bnot\b)/g;
    let start = 0;
    for (let m = separators.exec(text); m; m = separators.exec(text)) start = m.index + m[0].length;
    return text.slice(start).replace(/^[\s(]+/, '').trim();
}

/**
 * Completion at `offset` of a template's text; undefined when the offset is not inside a tag
 * (literal text has nothing to complete).
 */
export function completeInTemplate(text: string, offset: number, ctx: TemplateContext): TemplateCompletion | undefined {
    const open = text.lastIndexOf('{{', offset - 2);
    if (open < 0 || text.slice(open, offset).includes('}}')) return undefined;
    const content = text.slice(open + 2, offset);
    const scope = new TemplateScope(text, ctx, offset);
    const partial = /[A-Za-z0-9_]*$/.exec(content)![0];
    const before = content.slice(0, content.length - partial.length);

    if (/^\s*#$/.test(before)) {
        return {
            replaceLength: partial.length,
            items: [
                { label: 'each', kind: CompletionItemKind.Keyword, detail: '{{#each list as item}} … {{/each}}' },
                { label: 'if', kind: CompletionItemKind.Keyword, detail: '{{#if condition}} … {{else}} … {{/if}}' },
            ],
        };
    }
    if (/^\s*\/$/.test(before)) {
        return { replaceLength: partial.length, items: ['each', 'if'].map(label => ({ label, kind: CompletionItemKind.Keyword })) };
    }
    if (/\bas\s+$/.test(before) && /^\s*#each\b/.test(content)) return { replaceLength: partial.length, items: [] };
    if (/\|\s*$/.test(before)) {
        const input = operandBeforePipe(before.replace(/\|\s*$/, ''));
        return { replaceLength: partial.length, items: input ? scope.filterItems(input) : [] };
    }
    const path = segmentsBeforeDot(content);
    if (path && /\.\s*$/.test(before)) {
        const owner = scope.resolve(path);
        const name = path.map(s => s.name + (s.indexed ? '[…]' : '')).join('.');
        return { replaceLength: partial.length, items: fieldsAfterDot(owner).map(f => fieldItem(f, `'${name}'`)) };
    }
    if (/(^|[\s(,=<>!])$/.test(before)) return { replaceLength: partial.length, items: scope.rootItems() };
    return { replaceLength: partial.length, items: [] };
}
