// The editor on goals and holdouts (docs/measuring.md): completion, hover and quick fixes, asked of the
// services directly (the same the language server uses).
import { URI } from 'langium';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { describe, expect, it } from 'vitest';
import { schema } from '../support/project.js';
import { completionAt, Followup, labels, shared, withDetails, withDocuments } from './documents.js';

const rule = (options: string) => `followup nudge {
  when cartAbandonment sent 2 days ago
  then send followup email
  ${options}
}
`;

const complete = (text: string) => completionAt({ 'schema.followup': schema, 'rules.followup': text });

describe('completion', () => {
    it('offers goal and holdout among a rule\'s options, holdout with a share', async () => {
        const items = await complete(rule('‸'));
        expect(labels(items)).toEqual(expect.arrayContaining(['goal', 'holdout 10%', 'schedule', 'limit']));
        expect(items.find(i => i.label === 'holdout 10%')?.detail).toMatch(/share of the people the rule would send to is held out/);
    });
    it('after goal: the events, as conversions', async () => {
        expect(withDetails(await complete(rule('goal ‸')))).toEqual(['cartAbandonment: event: a conversion', 'purchase: event: a conversion']);
    });
    it('after value: only the goal event\'s numbers', async () => {
        expect(withDetails(await complete(rule('goal purchase within 7 days value ‸')))).toEqual(['total: decimal']);
    });
    it('after with same: the fields of the rule\'s event', async () => {
        expect(labels(await complete(rule('goal purchase with same ‸')))).toEqual(expect.arrayContaining(['customerId', 'email', 'cartTotal']));
    });
});

async function hoverAt(files: Record<string, string>): Promise<string> {
    return withDocuments(files, async (document, offset) => {
        const hover = await Followup.lsp.HoverProvider!.getHoverContent(document, {
            textDocument: { uri: document.uri.toString() }, position: document.textDocument.positionAt(offset),
        });
        return (hover?.contents as { value: string } | undefined)?.value ?? '';
    });
}

describe('hover', () => {
    it('on goal: what counts as a conversion, in words', async () => {
        const text = await hoverAt({ 'schema.followup': schema, 'rules.followup': rule('g‸oal purchase within 7 days value total') });
        expect(text).toBe('**goal** (this rule): a follow-up converted when a `purchase` of the same person (matched as `since` matches: the shared key, else the address) ' +
            'happened within 7 days after it was sent (for the people held out: after it would have been); revenue is the sum of its `total`. ' +
            '`followup report` gives each group\'s conversion rate and the lift.');
    });
    it('on holdout: who is held out and what it counts toward', async () => {
        const text = await hoverAt({ 'schema.followup': schema, 'rules.followup': rule('hold‸out 10%\n  goal purchase within 7 days') });
        expect(text).toMatch(/^\*\*holdout 10%\*\*: of the people this rule would send to \(after caps\), 10% are held out/);
        expect(text).toMatch(/count toward no cap and trigger no chained rule/);
    });
    it('on a rule: its goal (the policy\'s default) and its holdout', async () => {
        const text = await hoverAt({
            'schema.followup': schema,
            'rules.followup': `followup nu‸dge {\n  when cartAbandonment sent 2 days ago\n  then send followup email\n  holdout 10%\n}\npolicy { goal purchase within 3 days for cartAbandonment }\n`,
        });
        expect(text).toContain('Project policy, goal: a follow-up converted when a `purchase` of the same person');
        expect(text).toContain('Holdout: 10% of the people it would send to are held out and measured against the goal.');
    });
});

/** The quick fixes offered for the file's diagnostics of `code`, each applied to the file's text. */
async function fixes(rules: string, code: string): Promise<{ title: string; result: string }[]> {
    const documents = shared.workspace.LangiumDocuments;
    const built = Object.entries({ 'schema.followup': schema, 'rules.followup': rules }).map(([name, text]) => {
        const document = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(`/memory-fixes/${name}`));
        documents.addDocument(document);
        return document;
    });
    try {
        await shared.workspace.DocumentBuilder.build(built, { validation: true });
        const document = built[1]!;
        const diagnostics = (document.diagnostics ?? []).filter(d => d.code === code) as Diagnostic[];
        expect(diagnostics.length).toBe(1);
        const actions = (await Followup.lsp.CodeActionProvider!.getCodeActions(document, {
            textDocument: { uri: document.uri.toString() }, range: diagnostics[0]!.range, context: { diagnostics },
        })) as CodeAction[];
        return actions.map(a => {
            const edits = a.edit!.changes![document.uri.toString()]!;
            return { title: a.title, result: TextDocument.applyEdits(TextDocument.create('x', 'followup', 1, rules), edits) };
        });
    } finally {
        for (const document of built) documents.deleteDocument(document.uri);
    }
}

describe('quick fixes', () => {
    it('a value that is not a number: change to one of the goal event\'s numbers', async () => {
        expect(await fixes(rule('goal purchase within 7 days value email'), 'FU200')).toEqual([
            { title: "Change to 'total'", result: rule('goal purchase within 7 days value total') },
        ]);
    });
    it("a rule's goal with 'for <event>': remove it", async () => {
        expect(await fixes(rule('goal purchase within 7 days for cartAbandonment'), 'FU202')).toEqual([
            { title: "Remove 'for cartAbandonment'", result: rule('goal purchase within 7 days') },
        ]);
    });
    it("a policy goal without 'for <event>': add the event of the project's rules", async () => {
        const source = (goal: string) => `${rule('holdout 10%')}policy { ${goal} }\n`;
        expect(await fixes(source('goal purchase within 7 days value total'), 'FU202')).toEqual([
            { title: "Add 'for cartAbandonment'", result: source('goal purchase within 7 days value total for cartAbandonment') },
        ]);
    });
    it('a holdout share out of range: 10%', async () => {
        expect(await fixes(rule('holdout 150%\n  goal purchase within 7 days'), 'FU201')).toEqual([
            { title: 'Change to 10%', result: rule('holdout 10%\n  goal purchase within 7 days') },
        ]);
    });
});
