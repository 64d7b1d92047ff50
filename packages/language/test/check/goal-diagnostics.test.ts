// Goals and holdouts (docs/measuring.md): each diagnostic's code, message and exactly the characters it underlines.
import { describe, expect, it } from 'vitest';
import { expectOne as expectOneIn, type ExpectOneOptions } from '../support/expect-one.js';
import { diagnosticsOf } from '../support/project.js';

const extra = `
event review { key reviewId  reviewId: string  email: email  orderId: string  stars: int }
event newsletter { topic: string  sentTo: email  copyTo: email }
`;

const expectOne = (source: string, code: string, message: RegExp | string, opts: ExpectOneOptions = {}) =>
    expectOneIn(source, code, message, { ...opts, extraSchema: extra });

const rule = (options: string) => `followup nudge {
  when cartAbandonment sent 2 days ago
  then send followup email
  ${options}
}`;

describe('goals and holdouts that check', () => {
    it('a goal of the same person (the shared key), with a value, and a holdout', async () => {
        expect(await diagnosticsOf(rule('holdout 10%\n  goal purchase within 7 days value total'), extra)).toEqual([]);
    });
    it('a goal about the same thing: with same <field>', async () => {
        expect(await diagnosticsOf(rule('goal review with same email within 14 days'), extra)).toEqual([]);
    });
    it('a project-wide default goal for an event, and a holdout measured against it', async () => {
        expect(await diagnosticsOf(`${rule('holdout 2.5%')}\npolicy { goal purchase within 7 days value total for cartAbandonment }`, extra)).toEqual([]);
    });
    it('goal, within, value and holdout stay usable as field names', async () => {
        const names = 'event scored { key id  id: string  email: email  goal: string  within: int  value: decimal  holdout: boolean }\n';
        const source = `${names}message m for scored email { subject: "{{ goal }}" text: "{{ value }}" }
followup s { when scored sent 1 day ago and value > 2 and holdout = true then send m email  goal scored within 1 day value value }`;
        expect(await diagnosticsOf(source, extra)).toEqual([]);
    });
});

describe('goal diagnostics', () => {
    it('unknown goal event, with "did you mean"', async () => {
        await expectOne(rule('goal ⟦purchse⟧ within 7 days'), 'FU100', "Unknown event 'purchse'", { hint: "Did you mean 'purchase'?" });
    });
    it('unknown value field of the goal event', async () => {
        await expectOne(rule('goal purchase within 7 days value ⟦totl⟧'), 'FU101', "Unknown field 'totl' on event 'purchase'", { hint: "Did you mean 'total'?" });
    });
    it('a value that is not a number, with the numbers it could be', async () => {
        await expectOne(rule('goal purchase within 7 days value ⟦email⟧'), 'FU200', "A goal's value is a number: 'email' of 'purchase' is email",
            { hint: "Did you mean 'total'? (purchase's numbers: total)" });
    });
    it('a goal event with no shared key and no single address field', async () => {
        await expectOne(rule('goal ⟦newsletter⟧ within 7 days'), 'FU150',
            "'newsletter' cannot be related to 'cartAbandonment': they share no key and no single email address field",
            { hint: /goal newsletter with same <field> within/ });
    });
    it('with same: a field the goal event lacks', async () => {
        await expectOne(rule('goal review with same ⟦customerId⟧ within 7 days'), 'FU154', "'review' has no field 'customerId' to compare with 'cartAbandonment's");
    });
    it('with same: a field of the measured event unknown', async () => {
        await expectOne(rule('goal review with same ⟦orderId⟧ within 7 days'), 'FU101', "Unknown field 'orderId' on event 'cartAbandonment'");
    });
    it("'for <event>' in a rule's goal", async () => {
        await expectOne(rule('goal purchase within 7 days for ⟦cartAbandonment⟧'), 'FU202',
            "A rule's goal measures the rule's own follow-ups: 'for cartAbandonment' belongs in a policy goal");
    });
    it("a policy goal without 'for <event>'", async () => {
        await expectOne(`${rule('schedule every day')}\npolicy { ⟦goal purchase within 7 days⟧ }`, 'FU202',
            "A policy's goal says which event's rules it measures", { hint: "Add 'for <event>': goal purchase within ... for cartAbandonment" });
    });
    it('two policy goals for the same event', async () => {
        await expectOne(`${rule('schedule every day')}\npolicy { goal purchase within 7 days for cartAbandonment }\npolicy { ⟦goal review with same email within 3 days for cartAbandonment⟧ }`,
            'FU113', 'The policy gives a goal for cartAbandonment twice');
    });
    it('a goal twice in a rule', async () => {
        await expectOne(rule('goal purchase within 7 days\n  ⟦goal purchase within 3 days⟧'), 'FU113', "'goal' is given twice");
    });
    it('a goal window of zero', async () => {
        await expectOne(rule('goal purchase within ⟦0 days⟧'), 'FU140', 'A duration of zero');
    });
});

describe('holdout diagnostics', () => {
    it('a share of 0% or 100% or more', async () => {
        await expectOne(rule('holdout ⟦0⟧%\n  goal purchase within 7 days'), 'FU201', 'A holdout is a share of the people between 0% and 100% (both excluded), not 0%');
        await expectOne(rule('holdout ⟦100⟧%\n  goal purchase within 7 days'), 'FU201', /not 100%/);
    });
    it('a holdout without a goal measures nothing: a warning', async () => {
        await expectOne(rule('⟦holdout 10%⟧'), 'FU203', /A holdout without a goal measures nothing/,
            { severity: 'warning', hint: 'Add a goal: goal <event> within 7 days (or a policy line: goal <event> within 7 days for cartAbandonment)' });
    });
    it('a holdout twice', async () => {
        await expectOne(rule('holdout 10%\n  ⟦holdout 5%⟧\n  goal purchase within 7 days'), 'FU113', "'holdout' is given twice");
    });
});
