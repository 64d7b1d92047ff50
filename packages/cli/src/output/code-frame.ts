// Diagnostics the way tsc prints them: location, code and message, the source line, a caret underline.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { FollowupDiagnostic } from '@followup/language';
import type { Style } from './terminal.js';

export function displayPath(file: string, cwd = process.cwd()): string {
    const relative = nodePath.relative(cwd, file);
    return (relative.startsWith('..') ? file : relative).split(nodePath.sep).join('/');
}

export function formatDiagnostic(d: FollowupDiagnostic, style: Style, readSource: (file: string) => string[] | undefined): string {
    const severity = d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.cyan('info');
    const lines = [`${style.cyan(displayPath(d.file))}:${style.yellow(String(d.line))}:${style.yellow(String(d.column))} - ${severity} ${style.dim(d.code + ':')} ${d.message}`];
    const source = readSource(d.file);
    const text = source?.[d.line - 1];
    if (text !== undefined) {
        const gutter = String(d.line);
        const end = d.endLine === d.line ? d.endColumn : text.length + 1;
        const width = Math.max(1, end - d.column);
        lines.push('', `${style.dim(gutter)} ${text.replace(/\t/g, ' ')}`, `${' '.repeat(gutter.length)} ${' '.repeat(Math.max(0, d.column - 1))}${(d.severity === 'error' ? style.red : style.yellow)('~'.repeat(width))}`);
    }
    if (d.hint) lines.push(`${' '.repeat(2)}${style.dim('hint:')} ${d.hint}`);
    for (const r of d.related ?? []) lines.push(`  ${style.dim(`${displayPath(r.file)}:${r.line}:${r.column}:`)} ${r.message}`);
    return lines.join('\n');
}

export function sourceReader(): (file: string) => string[] | undefined {
    const cache = new Map<string, string[] | undefined>();
    return file => {
        if (!cache.has(file)) {
            try {
                cache.set(file, fs.readFileSync(file, 'utf8').split(/\r?\n/));
            } catch {
                cache.set(file, undefined);
            }
        }
        return cache.get(file);
    };
}

export function summary(errors: number, warnings: number, files: number, style: Style): string {
    if (errors === 0 && warnings === 0) return `No problems in ${files} file${files === 1 ? '' : 's'}.`;
    const parts = [];
    if (errors) parts.push(style.red(`${errors} error${errors === 1 ? '' : 's'}`));
    if (warnings) parts.push(style.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`));
    return `Found ${parts.join(' and ')} in ${files} file${files === 1 ? '' : 's'}.`;
}

export function jsonDiagnostics(diagnostics: FollowupDiagnostic[]) {
    return diagnostics.map(d => ({
        file: displayPath(d.file), line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn,
        severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
    }));
}
