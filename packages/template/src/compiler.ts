// Checked template -> Eta template source.
//
// Contract with the runtime: render with
//   new Eta({ autoEscape: false, autoTrim: false, useWith: false, varName: 'it' })
// and data `{ d: eventData, p: profileData ?? {}, f: templateFilters }`.
//
// The emitted source is made only of Eta tags whose content this module writes: literal text goes
// out as JSON strings in `<%~ "..." %>` (with `<`, `>` and `%` as \u escapes, so no tag delimiter
// can appear in them), data is read only through `it.f.get` with JSON-encoded keys, and only the
// filters of the language are called. Nothing the template author writes becomes code.

import type { CompareCond, Condition, EachNode, Expr, IfNode, PathExpr, TemplateNode } from './ast.js';
import type { CheckedTemplate, TemplateResolution } from './checker.js';
import { isFilterName } from './filter-types.js';

/** A JavaScript string literal that is also inert in Eta source. */
export function jsString(value: string): string {
    return JSON.stringify(value).replace(/[<>%\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Compiles an error-free checked template. Throws if the template has errors. */
export function compileTemplate(checked: CheckedTemplate, mode: 'html' | 'text'): string {
    const error = checked.diagnostics.find(d => d.severity === 'error');
    if (error) {
        throw new Error(`Cannot compile a template with errors: ${error.code} ${error.message} (at offset ${error.start})`);
    }
    return new Compiler(checked.resolution, mode).nodes(checked.ast.body);
}

class Compiler {
    constructor(private readonly resolution: TemplateResolution, private readonly mode: 'html' | 'text') {}

    nodes(nodes: readonly TemplateNode[]): string {
        return nodes.map(node => this.node(node)).join('');
    }

    private node(node: TemplateNode): string {
        switch (node.kind) {
            case 'text':
                return node.value === '' ? '' : `<%~ ${jsString(node.value)} %>`;
            case 'output': {
                if (node.expr.kind === 'invalid') throw internal('invalid output');
                const escaped = this.mode === 'html' && !isRaw(node.expr);
                return `<%~ it.f.${escaped ? 'escape' : 'text'}(${this.expr(node.expr)}) %>`;
            }
            case 'each':
                return this.each(node);
            case 'if':
                return this.if(node);
        }
    }

    private each(node: EachNode): string {
        const id = this.resolution.loops.get(node);
        if (node.list.kind === 'invalid' || !id) throw internal('invalid #each');
        return `<% for (const ${id} of it.f.list(${this.path(node.list)})) { %>${this.nodes(node.body)}<% } %>`;
    }

    private if(node: IfNode): string {
        if (node.condition.kind === 'invalid') throw internal('invalid #if');
        const otherwise = node.else && node.else.length > 0 ? `<% } else { %>${this.nodes(node.else)}` : '';
        return `<% if (${this.condition(node.condition)}) { %>${this.nodes(node.then)}${otherwise}<% } %>`;
    }

    private condition(cond: Condition): string {
        switch (cond.kind) {
            case 'and': return `(${this.condition(cond.left)} && ${this.condition(cond.right)})`;
            case 'or': return `(${this.condition(cond.left)} || ${this.condition(cond.right)})`;
            case 'not': return `!${this.condition(cond.operand)}`;
            case 'truthy': return `it.f.truthy(${this.expr(cond.expr)})`;
            case 'compare': return this.compare(cond);
        }
    }

    private compare(cond: CompareCond): string {
        const kind = this.resolution.compares.get(cond);
        if (!kind) throw internal('unchecked comparison');
        return `it.f.compare(${this.expr(cond.left)}, ${jsString(cond.op)}, ${this.expr(cond.right)}, ${jsString(kind)})`;
    }

    private expr(expr: Expr): string {
        switch (expr.kind) {
            case 'path': return this.path(expr);
            case 'string': return jsString(expr.value);
            case 'number': return `(${JSON.stringify(expr.value)})`;
            case 'boolean': return expr.value ? 'true' : 'false';
            case 'count': return `it.f.count(${this.path(expr.arg)})`;
            case 'filter': {
                const input = this.expr(expr.input);
                if (expr.name === 'raw') return input;
                if (!isFilterName(expr.name) || !/^[a-z]+$/.test(expr.name)) throw internal(`unknown filter ${expr.name}`);
                const args = expr.args.map(a => `, ${this.expr(a)}`).join('');
                return `it.f.${expr.name}(${input}${args})`;
            }
        }
    }

    private path(expr: PathExpr): string {
        const resolved = this.resolution.paths.get(expr);
        if (!resolved) throw internal('unresolved path');
        const { base, keys } = resolved;
        const from = base.kind === 'event' ? 'it.d' : base.kind === 'profile' ? 'it.p' : base.id;
        if (base.kind === 'loop' && !/^_v[0-9]+$/.test(base.id)) throw internal('bad loop variable');
        if (keys.length === 0) return from;
        const list = keys.map(k => (typeof k === 'number' ? String(k) : jsString(k))).join(', ');
        return `it.f.get(${from}, [${list}])`;
    }
}

/** `| raw` anywhere in the chain makes the output unescaped. */
function isRaw(expr: Expr): boolean {
    return expr.kind === 'filter' && (expr.name === 'raw' || isRaw(expr.input));
}

function internal(what: string): Error {
    return new Error(`Template compiler: ${what} (the template was not checked)`);
}
