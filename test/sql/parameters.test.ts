// Every value of a rule is a bind parameter (docs/language.md §8); one value used twice is bound once,
// labelled with every use, so the .sql file says what $n is for.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../support/run-query.js';

describe('parameter labels', () => {
    it('a value shared by several uses lists them all, the first use first', async () => {
        const { rules } = await compileSources({ 'shop.followup': `
event cart { email: email  firstName: string }
message m for cart email { subject: "s" text: "t" }
followup r { when cart email sent 1 day ago and firstName = "cart" then send m email  expire 1 day }` });
        const rule = rules.get('r')!;
        // The recheck binds "email" twice: the trigger's channel, then the rule's (for suppression).
        expect(rule.plan.queries.recheck.parameters.find(p => p.value === 'email')).toMatchObject({ index: 4, name: 'trigger_channel', uses: ['trigger_channel', 'channel'] });
        const params = rule.plan.queries.selection.parameters;
        expect(params.find(p => p.value === 'cart')).toMatchObject({ name: 'event_type', uses: ['event_type', 'value'] });
        expect(params.find(p => p.value === '1440 minutes')).toMatchObject({ name: 'delay' });
        expect(params.find(p => p.value === '1440 minutes')!.uses).toBeUndefined();
        expect(rule.sql).toContain('--   $3 event_type, value (text) = "cart"\n');
    });
});
