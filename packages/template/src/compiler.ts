// Checked template -> template program (program.ts): plain data that the runtime validates and
// renders with closures of its own, so that nothing in a template, or in a plan file, becomes code.
//
// What the program no longer needs from the source is settled here: which outputs are HTML-escaped
// (html parts, unless `| raw` anywhere in the chain, which is then dropped), which enclosing loop a
// name refers to, and how each comparison compares (the checker's verdict).

import type { CompareCond, Condition, EachNode, Expr, IfNode, Operand, PathExpr, TemplateNode } from './ast.js';
import type { CheckedTemplate, TemplateResolution } from './checker.js';
import { isFilterName } from './filter-types.js';
import {
    programFilterNames, type ProgramCondition, type ProgramExpr, type ProgramFilterName, type ProgramKey, type ProgramNode,
    type ProgramOperand, type ProgramPath, type TemplateProgram,
} from './program.js';

/** Compiles an error-free checked template. Throws if the template has errors. */
export function compileTemplate(checked: CheckedTemplate, mode: 'html' | 'text'): TemplateProgram {
    const error = checked.diagnostics.find(d => d.severity === 'error');
    if (error) {
        throw new Error(`Cannot compile a template with errors: ${error.code} ${error.message} (at offset ${error.start})`);
    }
    return new Compiler(checked.resolution, mode).nodes(checked.ast.body);
}

// A list index no array can have (arrays stop at 2^32 - 2): what an index too large for a number
// (`items[1e400 written out]`) reads, as it did when it was Infinity.
const beyondAnyIndex = 2 ** 32;

class Compiler {
    /** The checker's identifier of each enclosing loop's variable, outermost first. */
    private readonly loops: string[] = [];

    constructor(private readonly resolution: TemplateResolution, private readonly mode: 'html' | 'text') {}

    nodes(nodes: readonly TemplateNode[]): ProgramNode[] {
        return nodes.flatMap(node => this.node(node));
    }

    private node(node: TemplateNode): ProgramNode[] {
        switch (node.kind) {
            case 'text':
                return node.value === '' ? [] : [{ kind: 'text', value: node.value }];
            case 'output': {
                if (node.expr.kind === 'invalid') throw internal('invalid output');
                return [{ kind: 'output', escape: this.mode === 'html' && !isRaw(node.expr), expr: this.expr(node.expr) }];
            }
            case 'each':
                return [this.each(node)];
            case 'if':
                return [this.if(node)];
        }
    }

    private each(node: EachNode): ProgramNode {
        const id = this.resolution.loops.get(node);
        if (node.list.kind === 'invalid' || !id) throw internal('invalid #each');
        const list = this.path(node.list);
        this.loops.push(id);
        const body = this.nodes(node.body);
        this.loops.pop();
        return { kind: 'each', list, body };
    }

    private if(node: IfNode): ProgramNode {
        if (node.condition.kind === 'invalid') throw internal('invalid #if');
        const otherwise = node.else ? this.nodes(node.else) : [];
        return {
            kind: 'if', condition: this.condition(node.condition), then: this.nodes(node.then),
            ...(otherwise.length > 0 ? { else: otherwise } : {}),
        };
    }

    private condition(cond: Condition): ProgramCondition {
        switch (cond.kind) {
            case 'and':
            case 'or': return { kind: cond.kind, left: this.condition(cond.left), right: this.condition(cond.right) };
            case 'not': return { kind: 'not', operand: this.condition(cond.operand) };
            case 'truthy': return { kind: 'truthy', expr: this.expr(cond.expr) };
            case 'compare': return this.compare(cond);
        }
    }

    private compare(cond: CompareCond): ProgramCondition {
        const as = this.resolution.compares.get(cond);
        if (!as) throw internal('unchecked comparison');
        return { kind: 'compare', op: cond.op, as, left: this.expr(cond.left), right: this.expr(cond.right) };
    }

    private expr(expr: Expr): ProgramExpr {
        if (expr.kind !== 'filter') return this.operand(expr);
        const input = this.expr(expr.input);
        if (expr.name === 'raw') return input;
        if (!isFilterName(expr.name) || !programFilterNames.includes(expr.name as ProgramFilterName)) throw internal(`unknown filter ${expr.name}`);
        return { kind: 'filter', name: expr.name as ProgramFilterName, input, args: expr.args.map(a => this.operand(a)) };
    }

    private operand(expr: Operand): ProgramOperand {
        switch (expr.kind) {
            case 'path': return this.path(expr);
            case 'string': return { kind: 'string', value: expr.value };
            case 'number':
                // Digits beyond a double's range: JSON has no Infinity, and the program must survive a plan file.
                if (!Number.isFinite(expr.value)) throw new Error(`The number ${expr.raw.slice(0, 20)}… in a template is too large (at offset ${expr.start})`);
                return { kind: 'number', value: expr.value };
            case 'boolean': return { kind: 'boolean', value: expr.value };
            case 'count': return { kind: 'count', arg: this.path(expr.arg) };
        }
    }

    private path(expr: PathExpr): ProgramPath {
        const resolved = this.resolution.paths.get(expr);
        if (!resolved) throw internal('unresolved path');
        const keys: ProgramKey[] = resolved.keys.map(k => (typeof k === 'number' && !Number.isSafeInteger(k) ? beyondAnyIndex : k));
        const { base } = resolved;
        if (base.kind !== 'loop') return { kind: 'path', base: base.kind, keys };
        const loop = this.loops.lastIndexOf(base.id);
        if (loop < 0) throw internal('loop variable outside its loop');
        return { kind: 'path', base: 'loop', loop, keys };
    }
}

/** `| raw` anywhere in the chain makes the output unescaped. */
function isRaw(expr: Expr): boolean {
    return expr.kind === 'filter' && (expr.name === 'raw' || isRaw(expr.input));
}

function internal(what: string): Error {
    return new Error(`Template compiler: ${what} (the template was not checked)`);
}
