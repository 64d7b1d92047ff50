// Every diagnostic kind of docs/diagnostics.md: its code, its message and exactly the characters it underlines.
import { describe, expect, it } from 'vitest';
import { expectOne } from '../support/expect-one.js';
import { marked } from '../support/marked.js';
import { brief, check, diagnosticsOf, schema } from '../support/project.js';

describe('unknown names, with "did you mean"', () => {
    it('unknown event in a trigger', async () => {
        await expectOne('when ⟦cartAbandonmnet⟧ sent 3 days ago then send followup email', 'FU105',
            "Unknown event or rule 'cartAbandonmnet'", { hint: "Did you mean 'cartAbandonment'?" });
    });
    it('unknown event in a since condition', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and not ⟦purchse⟧ since sent then send followup email', 'FU100',
            "Unknown event 'purchse'", { hint: "Did you mean 'purchase'?" });
    });
    it('unknown event in a message declaration', async () => {
        await expectOne('message x for ⟦purchasee⟧ email { subject: "a" text: "b" }', 'FU100', "Unknown event 'purchasee'",
            { hint: "Did you mean 'purchase'?" });
    });
    it('unknown field in a condition', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and ⟦cartTotl⟧ > 100 then send followup email', 'FU101',
            "Unknown field 'cartTotl' on event 'cartAbandonment'", { hint: "Did you mean 'cartTotal'?" });
    });
    it('unknown nested field', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and items[0].⟦nme⟧ = "x" then send followup email', 'FU101',
            "Unknown field 'nme' on type 'CartItem'", { hint: "Did you mean 'name'?" });
    });
    it('unknown type', async () => {
        await expectOne('event e { email: email  items: list<⟦CartItm⟧> }', 'FU102', "Unknown type 'CartItm'",
            { hint: "Did you mean 'CartItem'?" });
    });
    it('unknown message', async () => {
        await expectOne('when cartAbandonment sent 3 days ago then send ⟦folowup⟧ email', 'FU103', "Unknown message 'folowup'",
            { hint: "Did you mean 'followup'?" });
    });
    it('unknown filter inside {{ }}', async () => {
        await expectOne('message m for cartAbandonment email { subject: "Hi {{ firstName | ⟦uper⟧ }}" text: "x" }', 'FU104',
            /Unknown filter 'uper'/, { hint: "Did you mean 'upper'?" });
    });
    it('unknown field inside {{ }}, after escapes, positioned in the .followup file', async () => {
        await expectOne('message m for cartAbandonment email { subject: "\\"Hi\\" \\u{1F600} {{ ⟦frstName⟧ }}" text: "x" }', 'FU101',
            /Unknown field 'frstName'/, { hint: "Did you mean 'firstName'?" });
    });
    it('unknown field inside a multi-line text', async () => {
        await expectOne('message m for cartAbandonment email {\n  subject: "x"\n  text: """\n    Hello\n      {{ ⟦cartUrll⟧ }}\n  """\n}', 'FU101',
            /Unknown field 'cartUrll'/);
    });
});

describe('duplicates', () => {
    it('two events with the same name, across files, with the other declaration related', async () => {
        const m = marked('event ⟦purchase⟧ { email: email }');
        const project = await check({ 'schema.followup': schema, 'rules.followup': m.text });
        const d = project.diagnostics.filter(x => x.code === 'FU110' && x.file.endsWith('rules.followup'));
        expect(d.map(brief)).toEqual([{ code: 'FU110', ...m.range }]);
        expect(d[0]!.message).toBe("Duplicate event 'purchase'");
        expect(d[0]!.related?.[0]?.file.endsWith('schema.followup')).toBe(true);
    });
    it('two short rules with the same derived name', async () => {
        const diagnostics = await diagnosticsOf('when cartAbandonment sent 3 days ago then send followup email\nwhen cartAbandonment sent 5 days ago then send followup email');
        const d = diagnostics.filter(x => x.code === 'FU110');
        expect(d.map(x => [x.line, x.column, x.message])).toEqual([
            [1, 1, "Duplicate rule 'cartAbandonment_followup_email'"],
            [2, 1, "Duplicate rule 'cartAbandonment_followup_email'"],
        ]);
        expect(d[0]!.hint).toMatch(/long form/);
    });
    it('a field declared twice', async () => {
        await expectOne('event e { email: email  total: int  ⟦total⟧: decimal }', 'FU110', "Duplicate field 'total'");
    });
    it('a message declared twice for the same event and channel', async () => {
        await expectOne('message ⟦followup⟧ for cartAbandonment sms { text: "again" }', 'FU110', "Duplicate message 'followup' for cartAbandonment sms");
    });
});

describe('messages and recipients', () => {
    it('a message missing for the rule\'s event and channel', async () => {
        await expectOne('when cartAbandonment sent 3 days ago then send ⟦lastChance⟧ sms', 'FU120',
            "No message 'lastChance' for event 'cartAbandonment' on channel sms (there is one for cartAbandonment email)",
            { hint: 'Declare it: message lastChance for cartAbandonment sms { ... }' });
    });
    it('a message missing its subject', async () => {
        await expectOne('message ⟦m⟧ for cartAbandonment email { text: "x" }', 'FU124', "The email message 'm' needs 'subject'");
    });
    it('a channel with no recipient field', async () => {
        await expectOne('event signup { name: string }\nmessage hello for signup email { subject: "x" text: "y" }\nwhen signup sent 1 day ago then send hello ⟦email⟧', 'FU121',
            "The email channel needs a recipient: event 'signup' has no field of type email");
    });
    it('an ambiguous recipient', async () => {
        await expectOne('event invoice { billingEmail: email  shippingEmail: email }\nmessage reminder for invoice email { subject: "x" text: "y" }\nwhen invoice sent 1 day ago then send reminder ⟦email⟧', 'FU122',
            "The email recipient is ambiguous: event 'invoice' has 'billingEmail' and 'shippingEmail' of type email",
            { hint: 'Say which: send reminder email to billingEmail' });
    });
    it('an ambiguous recipient made explicit is fine', async () => {
        const diagnostics = await diagnosticsOf('event invoice { billingEmail: email  shippingEmail: email }\nmessage reminder for invoice email { subject: "x" text: "y" }\nwhen invoice sent 1 day ago then send reminder email to billingEmail');
        expect(diagnostics).toEqual([]);
    });
});

describe('types of comparisons and filters', () => {
    it('incompatible comparison', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and cartTotal = ⟦"abc"⟧ then send followup email', 'FU130',
            `Cannot compare 'cartTotal' (decimal) with the text "abc"`, { hint: "'cartTotal' expects a number" });
    });
    it('an operator that does not fit the type', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and firstName ⟦>⟧ 3 then send followup email', 'FU131',
            "Operator '>' does not fit: 'firstName' is string");
    });
    it('a filter applied to the wrong type', async () => {
        await expectOne('message m for cartAbandonment email { subject: "{{ cartTotal | ⟦upper⟧ }}" text: "x" }', 'FU132', /upper.*decimal|decimal.*upper/);
    });
});

describe('durations, times and time zones', () => {
    it('a duration of zero', async () => {
        await expectOne('when cartAbandonment sent ⟦0 days⟧ ago then send followup email', 'FU140', 'A duration of zero');
    });
    it('a bad time of day', async () => {
        await expectOne('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day at ⟦25:00⟧\n}', 'FU141',
            "'25:00' is not a time of day", { hint: 'Write HH:MM between 00:00 and 23:59' });
    });
    it('an unknown time zone', async () => {
        await expectOne('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day at 09:00 in ⟦"Europe/Pariss"⟧\n}', 'FU142',
            'Unknown time zone "Europe/Pariss"', { hint: 'Did you mean "Europe/Paris"?' });
    });
    it('time zones: any IANA name Intl knows, canonical or not, and UTC', async () => {
        const rule = (zone: string) => `followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day at 09:00 in "${zone}"\n}`;
        // Asia/Kolkata and Europe/Kyiv are the IANA database's names, not the ones Node's ICU lists.
        for (const zone of ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Europe/Kyiv', 'US/Eastern', 'UTC']) {
            expect((await diagnosticsOf(rule(zone))).filter((d) => d.code === 'FU142'), zone).toEqual([]);
        }
        await expectOne(rule('Asia/Kolkatta').replace('"Asia/Kolkatta"', '⟦"Asia/Kolkatta"⟧'), 'FU142', 'Unknown time zone "Asia/Kolkatta"');
    });
});

describe('relations between events', () => {
    it('since between events with no shared key or address', async () => {
        await expectOne('event pageView { url: url }\nwhen cartAbandonment sent 3 days ago and not ⟦pageView⟧ since sent then send followup email', 'FU150',
            "'pageView' cannot be related to 'cartAbandonment': they share no key and no single email address field");
    });
});

describe('contradictions and conditions that never hold (warnings)', () => {
    it('opened and not opened', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and opened and ⟦not opened⟧ then send followup email', 'FU160',
            "Contradiction: 'opened' and 'not opened' can never both hold", { severity: 'warning' });
    });
    it('clicked and not opened', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and clicked and ⟦not opened⟧ then send followup email', 'FU161',
            /a click counts as an open/, { severity: 'warning' });
    });
    it('bounds that leave nothing', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and cartTotal > 100 and ⟦cartTotal < 50⟧ then send followup email', 'FU161',
            "Never holds: no value of 'cartTotal' satisfies all of its conditions", { severity: 'warning' });
    });
});

describe('syntax errors', () => {
    it('say what was expected, where, and recovery keeps later errors', async () => {
        const diagnostics = await diagnosticsOf('when cartAbandonment sent 3 days ago thn send followup email\nwhen cartAbandonment sent 0 days ago then send followup sms');
        const syntax = diagnostics.filter(d => d.code === 'FU001');
        expect(syntax.length).toBeGreaterThan(0);
        expect(syntax[0]!.line).toBe(1);
        expect(syntax[0]!.column).toBe(38);
        expect(syntax[0]!.message).toMatch(/then|thn/);
    });
});

describe('more checks', () => {
    it('a rule named like an event clashes (a trigger may name either)', async () => {
        await expectOne('followup ⟦purchase⟧ { when cartAbandonment sent 3 days ago then send followup email }', 'FU110', "Duplicate rule 'purchase'");
    });
    it('a limit of zero messages', async () => {
        await expectOne('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  limit ⟦0⟧ per recipient per 1 day\n}', 'FU143',
            'A limit is a whole number of messages, at least 1, not 0');
    });
    it("'link' after an engagement that is not a click", async () => {
        await expectOne('when cartAbandonment sent 3 days ago and opened link ⟦"checkout"⟧ then send followup email', 'FU131',
            "'link' applies to clicks only, not to 'opened'", { hint: 'Write: clicked link "checkout"' });
    });
    it('a timestamp literal without its zone', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and abandonedAt < ⟦"2026-11-01T10:00"⟧ then send followup email', 'FU130',
            /Cannot compare 'abandonedAt' \(timestamp\)/, { hint: /with its zone/ });
        expect(await diagnosticsOf('when cartAbandonment sent 3 days ago and abandonedAt < "2026-11-01T10:00:00Z" and abandonedAt > "2026-10-01" then send followup email')).toEqual([]);
    });
    it('a syntax error in a condition says what may come, in one sentence', async () => {
        const m = marked('when cartAbandonment sent 3 days ago and ⟦loyaltyMember⟧ then send followup email');
        const d = (await diagnosticsOf(m.text)).filter(x => x.code === 'FU001');
        expect(d.map(brief)).toEqual([{ code: 'FU001', ...m.range }]);
        expect(d[0]!.message).toMatch(/^Unexpected 'loyaltyMember': expected '\(', 'delivered', 'opened', 'clicked', 'bounced', a name followed by 'with', 'since', .*'='/);
        expect(d[0]!.message.length).toBeLessThan(300);
    });
});

describe('caps, quiet hours and opens by a person (docs/language.md §6)', () => {
    const rule = (options: string, condition = '') =>
        `followup r {\n  when cartAbandonment sent 3 days ago${condition} then send followup email\n${options}\n}`;
    it('a policy block and rule options that are all fine', async () => {
        const source = `${rule('  limit 1 per recipient per 1 day\n  limit 3 per recipient per 7 days\n  quiet hours 21:00 to 8:00 in "Europe/Paris"', ' and not opened by a person')}
policy {
  limit 2 per recipient per 1 day on email
  limit 5 per recipient per 1 week
  quiet hours 22:00 to 07:30 in "UTC" on sms
}`;
        expect(await diagnosticsOf(source)).toEqual([]);
    });
    it("a rule's option naming a channel belongs in a policy", async () => {
        await expectOne(rule('  limit 1 per recipient per 1 day on ⟦email⟧'), 'FU127',
            "A rule's limit applies to its own channel (email): 'on email' belongs in a policy block",
            { hint: "Remove 'on email', or move the line into `policy { ... }` to apply it to every rule on email" });
    });
    it('two limits over the same period (however written), in a rule and in a policy', async () => {
        await expectOne(rule('  limit 1 per recipient per 7 days\n  ⟦limit 2 per recipient per 1 week⟧'), 'FU113', 'A limit per 1 week is given twice');
        await expectOne('policy {\n  quiet hours 21:00 to 08:00 in "UTC" on sms\n  ⟦quiet hours 22:00 to 07:00 in "UTC" on sms⟧\n}', 'FU113',
            'The policy gives quiet hours on sms twice');
    });
    it('quiet hours that end when they start', async () => {
        await expectOne(rule('  quiet hours 21:00 to ⟦21:00⟧ in "Europe/Paris"'), 'FU144', 'Quiet hours from 21:00 to 21:00 are empty');
    });
    it('quiet hours with a malformed time: one syntax error saying what a time looks like, nothing else', async () => {
        const m = marked(rule('  quiet hours 21:00 to ⟦9⟧ in "Europe/Paris"'));
        const diagnostics = await diagnosticsOf(m.text);
        expect(diagnostics.map(brief)).toEqual([{ code: 'FU001', ...m.range }]);
        expect(diagnostics[0]!.message).toBe("Unexpected '9': expected a time of day (HH:MM, e.g. 08:00)");
    });
    it("'by a person' applies to opens only", async () => {
        await expectOne('when cartAbandonment sent 3 days ago and clicked ⟦by⟧ a person then send followup email', 'FU131',
            "'by a person' applies to opens only, not to 'clicked'", { hint: /clicks always count/ });
    });
    it('opens by a person: contradictions and conditions that never hold', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and opened by a person and ⟦not opened by a person⟧ then send followup email', 'FU160',
            "Contradiction: 'opened by a person' and 'not opened by a person' can never both hold", { severity: 'warning' });
        await expectOne('when cartAbandonment sent 3 days ago and clicked and ⟦not opened by a person⟧ then send followup email', 'FU161',
            "Never holds: a click counts as an open, so 'clicked and not opened by a person' selects nobody", { severity: 'warning' });
        await expectOne('when cartAbandonment sent 3 days ago and opened by a person and ⟦not opened⟧ then send followup email', 'FU161',
            "Never holds: an open by a person is an open, so 'opened by a person and not opened' selects nobody", { severity: 'warning' });
        // A machine open alone satisfies this: not a contradiction.
        expect(await diagnosticsOf('when cartAbandonment sent 3 days ago and opened and not opened by a person then send followup email')).toEqual([]);
    });
    it('the new words stay usable as names', async () => {
        const source = 'event words { email: email  a: string  by: string  person: string  policy: string  on: boolean }\n' +
            'message m for words email { subject: "{{ a }} {{ by }}" text: "{{ person }} {{ policy }}" }\n' +
            'when words sent 1 day ago and a = "x" and person != "y" and on = true then send m email';
        expect(await diagnosticsOf(source)).toEqual([]);
    });
});

describe('exact semantics: with same, renames, weekdays, and hints for common slips', () => {
    const review = 'event review { key customerId  customerId: string  cartUrl: url  cartTotal: string  items: list<CartItem> }\n';
    it('`with same` relates the events on fields both have, of comparable types; no key is needed then', async () => {
        expect(await diagnosticsOf('event pageView { cartUrl: string }\nwhen cartAbandonment sent 3 days ago and not pageView with same cartUrl since sent then send followup email')).toEqual([]);
        await expectOne(`${review}when cartAbandonment sent 3 days ago and not review with same ⟦firstName⟧ since sent then send followup email`, 'FU154',
            "'review' has no field 'firstName' to compare with 'cartAbandonment's");
        await expectOne(`${review}when cartAbandonment sent 3 days ago and not review with same ⟦cartTotal⟧ since sent then send followup email`, 'FU130',
            "'cartTotal' is decimal in 'cartAbandonment' but string in 'review': they cannot be the same");
        await expectOne(`${review}when cartAbandonment sent 3 days ago and not review with same ⟦items⟧ since sent then send followup email`, 'FU131',
            "'items' is list<CartItem>: 'with same' compares single values");
        await expectOne('when cartAbandonment sent 3 days ago and not purchase with same ⟦cartTotl⟧ since sent then send followup email', 'FU101',
            "Unknown field 'cartTotl' on event 'cartAbandonment'", { hint: "Did you mean 'cartTotal'?" });
        await expectOne('event pageView { url: url }\nwhen cartAbandonment sent 3 days ago and not ⟦pageView⟧ since sent then send followup email', 'FU150',
            /they share no key/, { hint: 'Declare the same key in both (e.g. `key customerId`), or relate them on a field both have: pageView with same <field> since sent' });
    });
    it('`was` names a rule that is gone, not this one nor another of the project', async () => {
        expect(await diagnosticsOf('followup reminder was cartAbandonment_followup_email { when cartAbandonment sent 3 days ago then send followup email }')).toEqual([]);
        await expectOne('followup reminder was ⟦reminder⟧ { when cartAbandonment sent 3 days ago then send followup email }', 'FU128', "'reminder' is this rule's own name");
        await expectOne('followup other { when cartAbandonment sent 4 days ago then send lastChance email }\n' +
            'followup reminder was ⟦other⟧ { when cartAbandonment sent 3 days ago then send followup email }', 'FU128',
            "'other' is still a rule of the project: a rule can only take over the decisions of one that is gone");
        expect(await diagnosticsOf('followup reminder is new { when cartAbandonment sent 3 days ago then send followup email }')).toEqual([]);
    });
    it('`schedule every week on <weekday>`; a weekday needs weeks', async () => {
        expect(await diagnosticsOf('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every 2 weeks on friday at 09:00 in "Europe/Paris"\n}')).toEqual([]);
        await expectOne('followup r {\n  when cartAbandonment sent 3 days ago then send followup email\n  schedule every day on ⟦friday⟧\n}', 'FU141',
            "'on friday' needs a schedule of weeks, not day", { hint: 'Write: schedule every week on friday' });
    });
    it('hints: == for =, `opened = true`, options after a one-line rule, months', async () => {
        await expectOne('when cartAbandonment sent 3 days ago and cartTotal =⟦=⟧ 3 then send followup email', 'FU001',
            "Unexpected '==': a comparison takes one '='", { hint: "Write a single '=' (it compares; nothing is assigned)" });
        await expectOne('when cartAbandonment sent 3 days ago and ⟦opened⟧ = true then send followup email', 'FU101',
            "Unknown field 'opened' on event 'cartAbandonment'", { hint: "'opened' is a condition of its own: write `and opened` (or `and not opened`), without a comparison" });
        await expectOne('when cartAbandonment sent 3 days ago then send followup email\n⟦schedule⟧ every day at 09:00', 'FU001',
            "Unexpected 'schedule': options belong inside a rule's long form, not after a one-line rule",
            { hint: 'Write: followup <name> { when ... then send ... schedule ... }' });
        await expectOne('when cartAbandonment sent 1 ⟦month⟧ ago then send followup email', 'FU001', /^Unexpected 'month'/,
            { hint: 'Months and years vary in length: write days or weeks (30 days or 4 weeks)' });
    });
});
