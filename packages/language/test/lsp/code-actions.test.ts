// How a quick fix guesses a new field's type from its use, and reads the checker's suggestion.
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { isPathSegment, loadSources, unloadProject } from '../../src/index.js';
import { guessFieldType, suggestions } from '../../src/lsp/code-actions.js';
import { AstUtils } from 'langium';
import { schema } from '../support/project.js';

async function guess(condition: string): Promise<string> {
    const project = await loadSources({ 'schema.followup': schema, 'rules.followup': `followup r { when cartAbandonment sent 1 day ago and ${condition} then send followup email }` });
    try {
        const rule = project.documents[1]!.parseResult.value;
        const segment = AstUtils.streamAst(rule).filter(isPathSegment).find(s => s.field?.$refText === 'newField')!;
        return guessFieldType(segment);
    } finally {
        unloadProject(project);
    }
}

describe('guessFieldType', () => {
    it('from the comparison: int, decimal, string, boolean, a list for count(), string otherwise', async () => {
        expect(await guess('newField > 3')).toBe('int');
        expect(await guess('newField >= 2.5')).toBe('decimal');
        expect(await guess('newField = "x"')).toBe('string');
        expect(await guess('newField not in ("a", "b")')).toBe('string');
        expect(await guess('newField in (1, 2)')).toBe('int');
        expect(await guess('newField = false')).toBe('boolean');
        expect(await guess('count(newField) > 2')).toBe('list<string>');
        expect(await guess('newField is empty')).toBe('string');
    });
});

describe('suggestions', () => {
    const diagnostic = (data: unknown) => ({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: '', severity: DiagnosticSeverity.Error, data });
    it('reads candidates from linking errors and the hint of template errors', () => {
        expect(suggestions(diagnostic({ candidates: ['cartTotal'] }))).toEqual(['cartTotal']);
        expect(suggestions(diagnostic({ hint: "Did you mean 'money'?" }))).toEqual(['money']);
        expect(suggestions(diagnostic({ hint: 'Filters: upper, lower' }))).toEqual([]);
        expect(suggestions(diagnostic(undefined))).toEqual([]);
    });
});
