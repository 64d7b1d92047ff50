// Every diagnostic code has a test that produces it (here, for those no other test produces), and
// codes.ts and docs/diagnostics.md list the same codes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticCode } from '../../src/check/codes.js';
import { marked } from '../support/marked.js';
import { brief, diagnosticsOf } from '../support/project.js';

/** The diagnostics of `code` in rules.followup are exactly the marked ranges. */
async function expectAt(source: string, code: string, message: string | RegExp, extraSchema = '') {
    const m = marked(source);
    const found = (await diagnosticsOf(m.text, extraSchema)).filter(d => d.code === code && d.file.endsWith('rules.followup'));
    expect(found.map(brief)).toEqual(m.ranges.map(r => ({ code, ...r })));
    for (const d of found) {
        if (typeof message === 'string') expect(d.message).toBe(message);
        else expect(d.message).toMatch(message);
    }
}

describe('codes without a test elsewhere', () => {
    it('FU002: a character that starts no token', async () => {
        await expectAt('when cartAbandonment sent 3 days ago and firstName = "x" ⟦&⟧ not opened then send followup email', 'FU002', "Unexpected character '&'");
    });
    it('FU111: a second key', async () => {
        await expectAt('event e { key a  ⟦key b⟧  a: string  b: string  email: email }', 'FU111', 'Only one key may be declared');
    });
    it('FU112: two profiles, each reported', async () => {
        await expectAt('⟦profile⟧ { key id  id: string  email: email }\n⟦profile⟧ { key id  id: string }', 'FU112', 'A project declares one profile; merge these');
    });
    it('FU113: an option given twice', async () => {
        await expectAt('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  expire 1 day\n  ⟦expire 2 days⟧\n}', 'FU113', "'expire' is given twice");
    });
    it('FU114: a message part given twice', async () => {
        await expectAt('message m for cartAbandonment email { subject: "a"  ⟦subject: "b"⟧  text: "c" }', 'FU114', "'subject' is given twice");
    });
    it('FU123: a `to` path of the wrong type', async () => {
        await expectAt('when cartAbandonment sent 3 days ago then send followup email to ⟦firstName⟧', 'FU123', 'The email channel sends to a value of type email');
    });
    it('FU125: a part the channel does not take', async () => {
        await expectAt('message m for cartAbandonment sms { ⟦subject⟧: "a"  text: "b" }', 'FU125', "A sms message has no 'subject'");
    });
    it('FU126: a template file that does not exist', async () => {
        await expectAt('message m for cartAbandonment email { subject: "a"  html: file ⟦"templates/nope.html"⟧ }', 'FU126', 'Template file not found: templates/nope.html');
    });
    it('FU151: an event targeting the profile it cannot join', async () => {
        await expectAt('event shipped ⟦targeting⟧ profile { orderId: string }', 'FU151', "Event 'shipped' targets the profile, but no profile is declared");
        await expectAt('profile { id: string  email: email }\nevent shipped ⟦targeting⟧ profile { id: string }', 'FU151', 'The profile declares no key, so events cannot be joined to it');
        await expectAt('profile { key id  id: string  email: email }\nevent ⟦shipped⟧ targeting profile { orderId: string }', 'FU151',
            "Event 'shipped' targets the profile but has no field 'id', the profile's key");
    });
    it('FU152: rules chained in a cycle, each reported', async () => {
        await expectAt('followup a { when ⟦b⟧ sent 1 day ago then send followup email }\nfollowup b { when ⟦a⟧ sent 1 day ago then send followup email }',
            'FU152', 'This rule is triggered by its own follow-ups (a cycle of chained rules)');
    });
    it('FU153: profile. on an event that does not target the profile', async () => {
        await expectAt('profile { key customerId  customerId: string  email: email  country: string }\n' +
            'when cartAbandonment sent 3 days ago and ⟦profile⟧.country = "FR" then send followup email', 'FU153',
            "Event 'cartAbandonment' does not target the profile, so 'profile' has no value here");
    });
});

describe('the list of codes', () => {
    it('codes.ts and docs/diagnostics.md list the same codes, each documented under its own heading', () => {
        const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../../../../docs/diagnostics.md'), 'utf8');
        const inTable = [...docs.matchAll(/^\| \[(FU\d{3})\]/gm)].map(m => m[1]!);
        const headings = [...docs.matchAll(/^### (FU\d{3}) — /gm)].map(m => m[1]!);
        const codes = Object.values(DiagnosticCode);
        expect(new Set(codes).size).toBe(codes.length);
        expect([...inTable].sort()).toEqual([...codes].sort());
        expect([...headings].sort()).toEqual([...codes].sort());
    });
});
