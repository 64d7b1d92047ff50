// Semantic tokens, decoded back to the text they cover and the legend's names.
import { describe, expect, it } from 'vitest';
import { schema } from '../support/project.js';
import { Followup, withDocuments } from './documents.js';

async function highlighted(files: Record<string, string>, file: string): Promise<string[]> {
    return withDocuments(files, async () => {
        const document = Followup.shared.workspace.LangiumDocuments.all.find(d => d.uri.path.endsWith(file))!;
        const provider = Followup.lsp.SemanticTokenProvider!;
        const { data } = await provider.semanticHighlight(document, { textDocument: { uri: document.uri.toString() } });
        const { tokenTypes, tokenModifiers } = provider.semanticTokensOptions.legend;
        const lines = document.textDocument.getText().split('\n');
        const out: string[] = [];
        let line = 0;
        let char = 0;
        for (let i = 0; i < data.length; i += 5) {
            line += data[i]!;
            char = data[i]! === 0 ? char + data[i + 1]! : data[i + 1]!;
            const text = lines[line]!.slice(char, char + data[i + 2]!);
            const modifiers = tokenModifiers.filter((_, bit) => (data[i + 4]! & (1 << bit)) !== 0);
            out.push(`${text}:${tokenTypes[data[i + 3]!]}${modifiers.length ? `.${modifiers.join('.')}` : ''}`);
        }
        return out;
    });
}

describe('semantic tokens', () => {
    it('tell events, types, fields, messages, rules, channels, durations and keywords apart', async () => {
        const rules = [
            'followup chase {',
            '  when cartAbandonment email sent 3 days ago and not opened and items[0].price > 10',
            '  then send followup email',
            '  schedule every day at 09:00 in "Europe/Paris"',
            '}',
            'when chase sent 2 days ago and not purchase since sent then send lastChance email',
        ].join('\n');
        const tokens = await highlighted({ 'schema.followup': schema, 'rules.followup': rules }, 'rules.followup');
        expect(tokens).toEqual([
            'followup:keyword', 'chase:method.declaration', 'when:keyword', 'cartAbandonment:class', 'email:enumMember', 'sent:keyword',
            '3:number', 'days:number', 'ago:keyword', 'and:keyword', 'not:keyword', 'opened:keyword', 'and:keyword',
            'items:property', '0:number', 'price:property', '10:number',
            'then:keyword', 'send:keyword', 'followup:function', 'email:enumMember',
            'schedule:keyword', 'every:keyword', 'day:number', 'at:keyword', '09:00:number', 'in:keyword',
            'when:keyword', 'chase:method', 'sent:keyword', '2:number', 'days:number', 'ago:keyword', 'and:keyword', 'not:keyword',
            'purchase:class', 'since:keyword', 'sent:keyword', 'then:keyword', 'send:keyword', 'lastChance:function', 'email:enumMember',
        ]);
    });

    it('highlight declarations, field types and the {{ }} inside message strings', async () => {
        const messages = [
            'event shipped { key id  id: string  type: string  lines: list<Line> }',
            'type Line { sku: string }',
            'message note for shipped email {',
            '  subject: "Hi {{ type | upper }}"',
            '  text: """',
            '    {{#each lines as line}}{{ line.sku }}{{/each}}',
            '  """',
            '}',
        ].join('\n');
        const tokens = await highlighted({ 'messages.followup': messages }, 'messages.followup');
        expect(tokens).toEqual([
            'event:keyword', 'shipped:class.declaration', 'key:keyword', 'id:property', 'id:property.declaration', 'string:type.defaultLibrary',
            // A field named like a keyword is a field.
            'type:property.declaration', 'string:type.defaultLibrary', 'lines:property.declaration', 'list:keyword', 'Line:struct',
            'type:keyword', 'Line:struct.declaration', 'sku:property.declaration', 'string:type.defaultLibrary',
            'message:keyword', 'note:function.declaration', 'for:keyword', 'shipped:class', 'email:enumMember',
            'subject:property', '{{:macro', 'type:property', 'upper:function.defaultLibrary', '}}:macro',
            'text:property',
            '{{:macro', '#:macro', 'each:keyword', 'lines:property', 'as:keyword', 'line:variable.declaration', '}}:macro',
            '{{:macro', 'line:variable', 'sku:property', '}}:macro', '{{:macro', '/:macro', 'each:keyword', '}}:macro',
        ]);
    });
});
