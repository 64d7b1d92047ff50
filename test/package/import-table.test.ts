// docs/architecture.md's table "Packages and what they may import" is the rule, and this test holds
// the code to it: every `@followup/...` import, export-from and import() in packages/*/src/**/*.ts,
// found with TypeScript's own parser (multi-line imports, `import type`, inline `type` specifiers),
// must be one its package's row allows, as a value import or, in "may import types from", as a type.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');

interface Allowed {
    /** Packages (any entry point) and entry points (that one only) it may import values from. */
    values: string[];
    /** The same, for `import type` only. */
    types: string[];
}

/** The backticked `@followup/...` names of a cell; "none of ours" is none. */
function specifiersIn(cell: string): string[] {
    return [...cell.matchAll(/`(@followup\/[a-z]+(?:\/[a-z]+)?)`/g)].map(m => m[1]!);
}

/** The table of docs/architecture.md's section "Packages and what they may import", by package name. */
function importTable(): Map<string, Allowed> {
    const doc = fs.readFileSync(path.join(repo, 'docs/architecture.md'), 'utf8');
    const start = doc.indexOf('## Packages and what they may import');
    expect(start, 'docs/architecture.md has the section "Packages and what they may import"').toBeGreaterThanOrEqual(0);
    const section = doc.slice(start, doc.indexOf('\n## ', start + 3));
    const rows = section.split('\n').filter(line => line.startsWith('|')).map(line => line.split('|').slice(1, -1).map(c => c.trim()));
    const header = rows[0] ?? [];
    const column = (name: string) => {
        const i = header.indexOf(name);
        expect(i, `the table has a column "${name}"`).toBeGreaterThanOrEqual(0);
        return i;
    };
    const [pkg, values, types] = [column('package'), column('may import'), column('may import types from')];
    const table = new Map<string, Allowed>();
    for (const row of rows.slice(2)) {
        const [name] = specifiersIn(row[pkg]!);
        expect(name, `a row of the table names its package: ${row.join(' | ')}`).toBeDefined();
        table.set(name!, { values: specifiersIn(row[values]!), types: specifiersIn(row[types]!) });
    }
    return table;
}

interface FoundImport {
    file: string;
    line: number;
    specifier: string;
    typeOnly: boolean;
}

/** Every `@followup/...` module specifier of `file`, and whether only types come through it. */
function followupImports(file: string): FoundImport[] {
    const text = fs.readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const found: FoundImport[] = [];
    const add = (node: ts.Node, literal: ts.Expression | undefined, typeOnly: boolean) => {
        if (!literal || !ts.isStringLiteral(literal) || !literal.text.startsWith('@followup/')) return;
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push({ file: path.relative(repo, file), line, specifier: literal.text, typeOnly });
    };
    const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node)) {
            const clause = node.importClause;
            // `import type {...}`, or `import { type A, type B }` (elided all the same); a bare
            // `import '...'` runs the module.
            const bindings = clause?.namedBindings;
            const allInlineTypes = !!clause && !clause.name && !!bindings && ts.isNamedImports(bindings)
                && bindings.elements.length > 0 && bindings.elements.every(e => e.isTypeOnly);
            add(node, node.moduleSpecifier, !!clause && (clause.isTypeOnly || allInlineTypes));
        } else if (ts.isExportDeclaration(node)) {
            const clause = node.exportClause;
            const allInlineTypes = !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every(e => e.isTypeOnly);
            add(node, node.moduleSpecifier, node.isTypeOnly || allInlineTypes);
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
            add(node, node.arguments[0], false);
        } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
            add(node, node.argument.literal as ts.Expression, true);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(e => e.isFile() && e.name.endsWith('.ts'))
        .map(e => path.join(e.parentPath, e.name))
        .sort();
}

/** Whether `specifier` is `allowed`: the package itself (any entry point), or exactly that entry point. */
const permits = (allowed: readonly string[], specifier: string) =>
    allowed.some(a => a === specifier || (a.split('/').length === 2 && specifier.startsWith(`${a}/`)));

const packages = fs.readdirSync(path.join(repo, 'packages'))
    .filter(dir => fs.existsSync(path.join(repo, 'packages', dir, 'package.json')))
    .map(dir => ({ dir, name: (JSON.parse(fs.readFileSync(path.join(repo, 'packages', dir, 'package.json'), 'utf8')) as { name: string }).name }));

describe('docs/architecture.md\'s import table', () => {
    let table: Map<string, Allowed>;
    let imports: Map<string, FoundImport[]>;
    beforeAll(() => {
        table = importTable();
        imports = new Map(packages.map(p => [p.name, sourceFiles(path.join(repo, 'packages', p.dir, 'src')).flatMap(followupImports)]));
    });

    it('has a row for every package', () => {
        expect([...table.keys()].sort()).toEqual(packages.map(p => p.name).sort());
    });

    it('sees the imports it checks (multi-line, type-only, entry points)', () => {
        const of = (pkg: string) => imports.get(pkg)!.map(i => `${i.typeOnly ? 'type ' : ''}${i.specifier}`);
        expect(of('@followup/runtime')).toContain('@followup/template/runtime');
        expect(of('@followup/runtime')).toContain('type @followup/compiler');
        expect(of('@followup/compiler')).toContain('@followup/language');
        expect(of('@followup/server')).toContain('@followup/runtime');
        expect(of('@followup/cli')).toContain('@followup/runtime');
        expect(of('@followup/cli')).toContain('@followup/server');
    });

    it('allows every @followup import in packages/*/src', () => {
        const violations: string[] = [];
        for (const [pkg, found] of imports) {
            const allowed = table.get(pkg);
            for (const i of found) {
                if (allowed && (permits(allowed.values, i.specifier) || (i.typeOnly && permits(allowed.types, i.specifier)))) continue;
                const rule = allowed
                    ? `${pkg} may import ${allowed.values.join(', ') || 'none of ours'}; types from ${allowed.types.join(', ') || 'none of ours'}`
                    : `${pkg} has no row`;
                violations.push(`${i.file}:${i.line} imports ${i.typeOnly ? 'types from ' : ''}'${i.specifier}' (${rule})`);
            }
        }
        expect(violations, `imports that docs/architecture.md's table does not allow:\n  ${violations.join('\n  ')}\n`).toEqual([]);
    });
});
