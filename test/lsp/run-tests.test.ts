// The editor's side of scenario tests, over LSP with `followup lsp --stdio`: "Run test" and "Run all
// tests" code lenses, and `followup/runTests`, which runs the editor's buffers (unsaved edits
// included) and answers failures with their ranges, for the editor to show as diagnostics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLspSession, type LspSession } from './support/lsp-session.js';

interface Lens { range: { start: { line: number } }; command?: { title: string; command: string; arguments?: unknown[] } }
interface Result {
    uri: string; passed: number; failed: number;
    tests: { name: string; uri: string; range: { start: { line: number } }; passed: boolean; failures: { uri: string; range: { start: { line: number; character: number } }; code: string; message: string; expected?: string; got?: string }[] }[];
}

let session: LspSession;
beforeAll(async () => {
    session = await startLspSession('cart-abandonment');
    await session.open('tests.followup');
});
afterAll(async () => session?.close());

describe('scenario tests in the editor', () => {
    it('completes and explains the fields of a test\'s data from the event\'s declaration', async () => {
        const text = session.text('tests.followup');
        const lines = text.split('\n');
        const line = lines.findIndex(l => l.includes('cartAbandonment bob like ana { customerId: "c2"'));
        const character = lines[line]!.indexOf('customerId');
        const hover = await session.connection.sendRequest('textDocument/hover', {
            textDocument: { uri: session.uri('tests.followup') }, position: { line, character: character + 2 },
        }) as { contents: { value: string } };
        expect(hover.contents.value).toBe('**customerId**: `string` — field of event `cartAbandonment`');
        const completion = await session.connection.sendRequest('textDocument/completion', {
            textDocument: { uri: session.uri('tests.followup') }, position: { line, character },
        }) as { items: { label: string }[] } | { label: string }[];
        const labels = (Array.isArray(completion) ? completion : completion.items).map(i => i.label);
        expect(labels).toEqual(expect.arrayContaining(['customerId', 'email', 'cartTotal', 'loyaltyMember', 'abandonedAt']));
        expect(labels).not.toContain('orderId'); // purchase's, not cartAbandonment's
    });

    it('puts "Run all tests" on the first test and "Run test" on each, with [uri, name]', async () => {
        const lenses = await session.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: session.uri('tests.followup') } }) as Lens[];
        const text = session.text('tests.followup').split('\n');
        const testLines = text.map((l, i) => (l.startsWith('test "') ? i : -1)).filter(i => i >= 0);
        const runTest = lenses.filter(l => l.command?.command === 'followup.runTest');
        expect(runTest.map(l => l.range.start.line)).toEqual(testLines);
        expect(runTest[0]!.command!.arguments).toEqual([session.uri('tests.followup'), 'an opener is spared, the others get the reminder three days later']);
        expect(runTest.every(l => l.command!.title === 'Run test')).toBe(true);
        const all = lenses.filter(l => l.command?.command === 'followup.runAllTests');
        expect(all.map(l => [l.range.start.line, l.command!.title, l.command!.arguments])).toEqual([[testLines[0], 'Run all tests', [session.uri('tests.followup')]]]);
    });

    it('runs every test of the file', async () => {
        const result = await session.connection.sendRequest('followup/runTests', { uri: session.uri('tests.followup') }) as Result;
        expect(result.failed).toBe(0);
        expect(result.passed).toBe(7);
        expect(result.tests.every(t => t.passed && t.uri === session.uri('tests.followup'))).toBe(true);
    });

    it('runs the buffer as edited, one test, and answers a failure at its line', async () => {
        const text = session.text('tests.followup').replace('expect cartReminderChase not sent for bob because capped', 'expect cartReminderChase not sent for bob because expired');
        await session.change('tests.followup', text, 2);
        const name = 'one follow-up a day: the chase is capped when the last chance goes the same day';
        const result = await session.connection.sendRequest('followup/runTests', { uri: session.uri('tests.followup'), tests: [name] }) as Result;
        expect([result.passed, result.failed]).toEqual([0, 1]);
        const line = text.split('\n').findIndex(l => l.includes('because expired'));
        expect(result.tests[0]!.failures).toEqual([{
            uri: session.uri('tests.followup'), range: { start: { line, character: 2 }, end: { line, character: 59 } }, code: 'FU190',
            message: 'cartReminderChase did not send a follow-up for bob, but not because expired',
            expected: 'not sent because expired', got: expect.stringMatching(/^not sent: capped: /),
        }]);
    });

    it('refuses a project with errors, and an unknown test name', async () => {
        await session.change('tests.followup', session.text('tests.followup').replace('cartTotal: 150', 'cartTotal: "150 EUR"'), 3);
        await expect(session.connection.sendRequest('followup/runTests', { uri: session.uri('tests.followup') }))
            .rejects.toThrow(/Cannot run the tests: the project has 1 error\(s\): tests\.followup:\d+:\d+ expected a decimal/);
        await session.change('tests.followup', session.text('tests.followup'), 4);
        await expect(session.connection.sendRequest('followup/runTests', { uri: session.uri('tests.followup'), tests: ['nope'] }))
            .rejects.toThrow(/No test "nope"/);
    });
});
