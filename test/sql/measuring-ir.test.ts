// What the plan carries of goals and holdouts (docs/measuring.md): the goal (the rule's own, else the
// policy's for its event) with how the goal event is related, and the holdout's share, person and seed;
// the report queries bind every value.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../support/run-query.js';

const sources = {
    'events.followup': `
profile { key customerId  customerId: string  email: email }
event cart { key customerId  customerId: string  email: email  phone: phone }
event purchase { key customerId  customerId: string  email: email  total: decimal }
event shipped targeting profile { customerId: string  orderId: string }
event review { orderId: string  email: email  stars: int }
event signup { email: email }
event login { address: email }
message m for cart email { subject: "s" text: "t" }
message m for cart sms { text: "t" }
message m for shipped email { subject: "s" text: "t" }
message m for signup email { subject: "s" text: "t" }
`,
    'rules.followup': `
followup own was older, oldest {
  when cart sent 1 day ago then send m email
  holdout 12.5%
  goal purchase within 7 days value total
}
followup bySms { when cart sent 1 day ago then send m sms  holdout 10% }
followup reviewed { when shipped sent 3 days ago then send m email  holdout 5%  goal review with same orderId within 2 weeks }
followup welcome { when signup sent 1 day ago then send m email  holdout 10%  goal login within 1 day }
when signup sent 2 days ago then send m email
`,
    'policy.followup': `policy { goal purchase within 3 days for cart }`,
};

describe('goals and holdouts in the plan', () => {
    it("the rule's own goal: the goal event related on the shared key, its window and value; the holdout's seed is the rule's first name", async () => {
        const { rules } = await compileSources(sources);
        const own = rules.get('own')!.plan;
        expect(own.goal).toEqual({
            event: 'purchase', match: { kind: 'key', on: [{ field: 'customerId', otherField: 'customerId', normalise: 'none' }] },
            within: { text: '7 days', minutes: 7 * 24 * 60 }, value: 'total', scope: 'rule',
        });
        expect(own.holdout).toEqual({ share: 12.5, person: { kind: 'key', field: 'customerId' }, seed: 'oldest' });
    });

    it("a rule without a goal of its own gets the policy's goal for its event", async () => {
        const { rules } = await compileSources(sources);
        expect(rules.get('bySms')!.plan.goal).toMatchObject({ event: 'purchase', within: { text: '3 days' }, value: null, scope: 'project' });
        expect(rules.get('bySms')!.plan.holdout).toEqual({ share: 10, person: { kind: 'key', field: 'customerId' }, seed: 'bySms' });
    });

    it('with same: the fields given; targeting the profile: the holdout splits on the profile key the event carries', async () => {
        const { rules } = await compileSources(sources);
        const reviewed = rules.get('reviewed')!.plan;
        expect(reviewed.goal?.match).toEqual({ kind: 'same', on: [{ field: 'orderId', otherField: 'orderId', normalise: 'none' }] });
        expect(reviewed.holdout?.person).toEqual({ kind: 'key', field: 'customerId' });
    });

    it('no key: the goal is related on the address (emails normalised), the holdout splits on the recipient', async () => {
        const { rules } = await compileSources(sources);
        const welcome = rules.get('welcome')!.plan;
        expect(welcome.goal?.match).toEqual({ kind: 'address', on: [{ field: 'email', otherField: 'address', normalise: 'email' }] });
        expect(welcome.holdout?.person).toEqual({ kind: 'recipient' });
        expect(rules.get('signup_m_email')!.plan).toMatchObject({ goal: null, holdout: null });
    });

    it('the report queries bind every value: no name, type or duration is written into their SQL', async () => {
        const { rules } = await compileSources(sources);
        const { totals, daily } = rules.get('own')!.plan.queries.report;
        for (const q of [totals, daily]) {
            expect(q.parameters.slice(0, 3).map(p => p.name)).toEqual(['from', 'to', 'now']);
            expect(q.parameters.slice(3).map(p => [p.name, p.value])).toEqual([['rule', 'own'], ['goal_event', 'purchase'], ['within', '10080 minutes']]);
            expect(q.sql).not.toMatch(/'own'|'purchase'|'7 days'/);
        }
    });
});
