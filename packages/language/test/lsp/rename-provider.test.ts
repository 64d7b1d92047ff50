// Rename's edits computed on in-memory sources (the LSP round trip is test/lsp/navigation.test.ts):
// derived names of chained short rules, `event.x` kept, escaped names, and which new names are refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeFileSystem } from 'langium/node';
import { afterEach, describe, expect, it } from 'vitest';
import type { TextEdit } from 'vscode-languageserver-types';
import { createFollowupServices, isEvent, isField, isMessage, isRule, loadSources, unloadProject, type LoadedProject } from '../../src/index.js';
import { newNameProblem } from '../../src/lsp/navigation/new-names.js';
import type { FollowupRenameProvider } from '../../src/lsp/rename-provider.js';
import { schema } from '../support/project.js';

const { Followup } = createFollowupServices(NodeFileSystem);
let project: LoadedProject | undefined;

afterEach(() => {
    if (project) unloadProject(project);
    project = undefined;
});

async function load(rules: string): Promise<LoadedProject> {
    project = await loadSources({ 'schema.followup': schema, 'rules.followup': rules }, { services: Followup });
    expect(project.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    return project;
}

function declarations(p: LoadedProject) {
    return p.documents.flatMap(d => d.parseResult.value.declarations);
}

/** The text of each file after the edit. */
function apply(p: LoadedProject, changes: Record<string, TextEdit[]>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const document of p.documents) {
        const edits = changes[document.uri.toString()] ?? [];
        const text = document.textDocument;
        out[document.uri.path.split('/').pop()!] = [...edits]
            .sort((a, b) => text.offsetAt(b.range.start) - text.offsetAt(a.range.start))
            .reduce((t, e) => t.slice(0, text.offsetAt(e.range.start)) + e.newText + t.slice(text.offsetAt(e.range.end)), text.getText());
    }
    return out;
}

const renamer = () => Followup.lsp.RenameProvider as FollowupRenameProvider;

describe('rename edits', () => {
    it('follows a chain of short rules: each derived name is made of the one before', async () => {
        const p = await load([
            'when cartAbandonment sent 3 days ago then send followup email',
            'when cartAbandonment_followup_email sent 2 days ago then send lastChance email',
            'when cartAbandonment_followup_email_lastChance_email sent 1 day ago then send followup sms',
        ].join('\n'));
        const event = declarations(p).filter(isEvent).find(e => e.name === 'cartAbandonment')!;
        const after = apply(p, renamer().renameEdit(event, 'cart').changes!);
        expect(after['rules.followup']).toBe([
            'when cart sent 3 days ago then send followup email',
            'when cart_followup_email sent 2 days ago then send lastChance email',
            'when cart_followup_email_lastChance_email sent 1 day ago then send followup sms',
        ].join('\n'));
        // The renamed project checks clean.
        unloadProject(p);
        project = await loadSources({ 'schema.followup': after['schema.followup']!, 'rules.followup': after['rules.followup']! }, { services: Followup });
        expect(project.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    });

    it('keeps the word `event` of `event.x` and renames an escaped name without its backticks', async () => {
        const p = await load('followup r { when cartAbandonment sent 1 day ago and event.cartTotal > 1 and `cartTotal` < 9 then send followup email }');
        const field = declarations(p).filter(isEvent).find(e => e.name === 'cartAbandonment')!.members.filter(isField).find(f => f.name === 'cartTotal')!;
        expect(apply(p, renamer().renameEdit(field, 'total').changes!)['rules.followup'])
            .toBe('followup r { when cartAbandonment sent 1 day ago and event.total > 1 and total < 9 then send followup email }');
        const event = declarations(p).filter(isEvent).find(e => e.name === 'cartAbandonment')!;
        expect(apply(p, renamer().renameEdit(event, 'cart').changes!)['rules.followup'])
            .toBe('followup r { when cart sent 1 day ago and event.cartTotal > 1 and `cartTotal` < 9 then send followup email }');
    });

    it('renaming one of two same-named messages leaves the other channel\'s sends alone', async () => {
        const p = await load('when cartAbandonment sent 3 days ago then send followup email\nwhen cartAbandonment sent 4 days ago then send followup sms');
        const sms = declarations(p).filter(isMessage).find(m => m.name === 'followup' && m.channel === 'sms')!;
        const after = apply(p, renamer().renameEdit(sms, 'text').changes!);
        expect(after['rules.followup']).toBe('when cartAbandonment sent 3 days ago then send followup email\nwhen cartAbandonment sent 4 days ago then send text sms');
        expect(after['schema.followup']).toContain('message text for cartAbandonment sms');
        expect(after['schema.followup']).toContain('message followup for cartAbandonment email');
    });
});

describe('a template file shared by messages of two events', () => {
    it('refuses renaming a field one `{{ name }}` also means for the other event', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-rename-'));
        fs.mkdirSync(path.join(dir, 'templates'));
        fs.writeFileSync(path.join(dir, 'templates/shared.html'), '<p>{{ total }}</p>');
        try {
            project = await loadSources({
                'all.followup': [
                    'event a { email: email  total: decimal }',
                    'event b { email: email  total: decimal }',
                    'message m for a email { subject: "s" html: file "templates/shared.html" }',
                    'message m for b email { subject: "s" html: file "templates/shared.html" }',
                ].join('\n'),
            }, { baseDir: dir, services: Followup });
            expect(project.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
            const total = declarations(project).filter(isEvent)[0]!.members.filter(isField).find(f => f.name === 'total')!;
            expect(() => renamer().renameEdit(total, 'sum')).toThrow(
                "templates/shared.html is also used by message 'm' for b, where 'total' is that event's own field: renaming this one would break that message");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('new names', () => {
    it('accepts soft keywords where the grammar reads them as names, refuses the rest', async () => {
        const p = await load('followup r { when cartAbandonment sent 1 day ago then send followup email }');
        const field = declarations(p).filter(isEvent)[0]!.members.filter(isField)[0]!;
        const type = declarations(p).find(d => d.$type === 'RecordType')!;
        const rule = declarations(p).filter(isRule)[0]!;
        expect(newNameProblem(Followup, field, 'count')).toBeUndefined();
        expect(newNameProblem(Followup, field, 'and')).toBe("'and' is a keyword of the language");
        expect(newNameProblem(Followup, type, 'count')).toBe("'count' is a keyword and cannot name a type");
        expect(newNameProblem(Followup, field, 'a-b')).toMatch(/not a name/);
        expect(newNameProblem(Followup, rule, 'purchase')).toBe("'purchase' already names an event or a rule");
        expect(newNameProblem(Followup, rule, 'r')).toBeUndefined();
        expect(newNameProblem(Followup, rule, 'r2')).toBeUndefined();
    });
});
