// What the plan carries of caps and quiet hours (docs/language.md §6, §8): the rule's own options and
// the project policy's lines for the rule's channel, each with its scope; where the recipient's zone is read.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../support/run-query.js';

const sources = {
    'events.followup': `
profile { key customerId  customerId: string  email: email  timezone: string }
event cart { key customerId  customerId: string  email: email  phone: phone  timezone: string? }
event shipped targeting profile { customerId: string }
event signup { email: email  timezone: int }
message m for cart email { subject: "s" text: "t" }
message m for cart sms { text: "t" }
message m for shipped email { subject: "s" text: "t" }
message m for signup email { subject: "s" text: "t" }
`,
    'rules.followup': `
followup byEmail {
  when cart sent 1 day ago then send m email
  limit 3 per recipient per 1 week
  quiet hours 9:30 to 11:00 in "Asia/Tokyo"
}
when cart sent 1 day ago then send m sms
when shipped sent 1 day ago then send m email
when signup sent 1 day ago then send m email
`,
    'policy.followup': `
policy {
  limit 2 per recipient per 1 day on email
  limit 5 per recipient per 7 days
  quiet hours 21:00 to 08:00 in "Europe/Paris" on sms
}
`,
};

describe('caps and quiet hours in the plan', () => {
    it("merges the policy's lines for the rule's channel after the rule's own, each with its scope", async () => {
        const { rules } = await compileSources(sources);
        const email = rules.get('byEmail')!.plan;
        expect(email.limits).toEqual([
            { count: 3, per: { text: '1 week', minutes: 7 * 24 * 60 }, scope: 'rule' },
            { count: 2, per: { text: '1 day', minutes: 24 * 60 }, scope: 'project' },
            { count: 5, per: { text: '7 days', minutes: 7 * 24 * 60 }, scope: 'project' },
        ]);
        expect(email.quietHours).toEqual([{ from: '09:30', until: '11:00', zone: 'Asia/Tokyo', scope: 'rule' }]);
        expect(email.recipientZone).toEqual({ source: 'event', path: ['timezone'] });

        const sms = rules.get('cart_m_sms')!.plan;
        expect(sms.limits).toEqual([{ count: 5, per: { text: '7 days', minutes: 7 * 24 * 60 }, scope: 'project' }]);
        expect(sms.quietHours).toEqual([{ from: '21:00', until: '08:00', zone: 'Europe/Paris', scope: 'project' }]);
    });

    it("reads the recipient's zone from the profile for events targeting it, and only from a text field", async () => {
        const { rules } = await compileSources({
            ...sources,
            'policy.followup': 'policy { quiet hours 21:00 to 08:00 in "Europe/Paris" }',
        });
        expect(rules.get('shipped_m_email')!.plan.recipientZone).toEqual({ source: 'profile', path: ['timezone'] });
        expect(rules.get('signup_m_email')!.plan.recipientZone).toBeNull(); // `timezone: int` is no zone
        expect(rules.get('signup_m_email')!.plan.quietHours).toHaveLength(1);
    });

    it('no policy, no options: nothing to enforce, and no zone to read', async () => {
        const { rules } = await compileSources({ ...sources, 'policy.followup': '' });
        expect(rules.get('cart_m_sms')!.plan).toMatchObject({ limits: [], quietHours: [], recipientZone: null });
    });
});
