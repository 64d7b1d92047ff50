/**
 * Exact semantics (docs/language.md §3, §6), end to end on PGlite and PostgreSQL 15: `since` never
 * counts the trigger's own event; `with same <field>` relates events on that field; a renamed rule
 * that says what it was keeps its history, and one that does not is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { importHistory, ImportRejectedError, reconcileRuleIdentities, RuleIdentityError, runRules } from '@followup/runtime';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';
import { compileSources } from '../support/run-query.js';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, insertEvent, insertProfile, resetStore, shift } from '../support/sql-fixtures.js';
import { decisionsOf, plansOf, recipients, runAndDispatch, outboxFolders } from './support.js';

const newOutbox = outboxFolders();

const schema = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
event orderDelivered { key customerId  customerId: string  email: email  orderId: string }
event reviewSubmitted { key customerId  customerId: string  orderId: string  rating: int }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart is waiting" text: "Hi" }
message review for orderDelivered email { subject: "How was order {{ orderId }}?" text: "Tell us" }
`;

const now = new Date('2026-11-23T10:00:00Z');
const due = shift(now, { days: -3, hours: -2 });

forEachEngine('exact semantics', (ctx) => {
    beforeEach(async () => {
        await resetStore(ctx.store);
        await ctx.store.query('TRUNCATE rule_identities');
    });

    it("'not cartAbandonment since sent' does not count the cart itself, stamped after its own email", async () => {
        const plans = await plansOf({ 'shop.followup': `${schema}
when cartAbandonment sent 3 days ago and not cartAbandonment since sent then send followup email` });
        const db = ctx.store;
        // Two clocks: the shop stamps the event 5 s after the email went out.
        await eventWithDelivery(db, { id: 'late', type: 'cartAbandonment', sentAt: due, occurredAt: shift(due, { seconds: 5 }), recipient: 'late@example.com',
            payload: { customerId: 'c1', email: 'late@example.com', firstName: 'Late' } });
        // A second cart of the same customer, after the first email: that one does count.
        await eventWithDelivery(db, { id: 'first', type: 'cartAbandonment', sentAt: due, recipient: 'again@example.com',
            payload: { customerId: 'c2', email: 'again@example.com', firstName: 'Again' } });
        await insertEvent(db, { id: 'second', type: 'cartAbandonment', occurredAt: shift(due, { days: 1 }), payload: { customerId: 'c2', email: 'again@example.com', firstName: 'Again' } });
        const outbox = newOutbox();
        await runAndDispatch(db, plans, { now, outboxDir: outbox });
        expect(await decisionsOf(db, 'cartAbandonment_followup_email')).toEqual({ late: 'send' });
        expect(await recipients(outbox)).toEqual(['late@example.com']);
    });

    it("'not reviewSubmitted with same orderId since sent' stops only the reviewed order's reminder", async () => {
        const plans = await plansOf({ 'shop.followup': `${schema}
when orderDelivered sent 3 days ago and not reviewSubmitted with same orderId since sent then send review email` });
        const db = ctx.store;
        for (const order of ['o1', 'o2']) {
            await eventWithDelivery(db, { id: order, type: 'orderDelivered', sentAt: due, recipient: 'ana@example.com',
                payload: { customerId: 'c-ana', email: 'ana@example.com', orderId: order } });
        }
        await insertEvent(db, { id: 'r1', type: 'reviewSubmitted', occurredAt: shift(due, { days: 1 }), payload: { customerId: 'c-ana', orderId: 'o1', rating: 5 } });
        const outbox = newOutbox();
        const { sent } = await runAndDispatch(db, plans, { now, outboxDir: outbox });
        expect(sent.map((m) => m.subject)).toEqual(['How was order o2?']);
        expect(await decisionsOf(db, 'orderDelivered_review_email')).toEqual({ o2: 'send' });
        // Without `with same`, the review of o1 is the person's: both reminders stop.
        const person = await plansOf({ 'shop.followup': `${schema}
followup byPerson { when orderDelivered sent 3 days ago and not reviewSubmitted since sent then send review email }` });
        await runAndDispatch(db, person, { now, outboxDir: newOutbox() });
        expect(await decisionsOf(db, 'byPerson')).toEqual({});
    });

    it('suppression as of now: an address written another way is suppressed; one suppressed after now, or on another channel, is not', async () => {
        const plans = await plansOf({ 'shop.followup': `${schema}
when cartAbandonment sent 3 days ago then send followup email` });
        const db = ctx.store;
        const carts = { written: '  Ana.Written@Example.COM ', later: 'later@example.com', sms: 'sms@example.com', free: 'free@example.com' };
        for (const [id, email] of Object.entries(carts)) {
            await eventWithDelivery(db, { id, type: 'cartAbandonment', sentAt: due, recipient: email.trim().toLowerCase(), payload: { customerId: id, email, firstName: id } });
        }
        const suppress = (channel: string, address: string, at: Date) =>
            db.query(`INSERT INTO suppressions (channel, address, reason, at) VALUES ($1, $2, 'unsubscribe', $3)`, [channel, address, at.toISOString()]);
        await suppress('email', 'ana.written@example.com', shift(due, { days: 1 }));
        await suppress('email', 'later@example.com', shift(now, { minutes: 1 }));
        await suppress('sms', 'sms@example.com', shift(due, { days: 1 }));
        // Decided by the run itself (the dispatch checks suppression again, so look before it).
        const decided = await runRules(db, plans, { now });
        expect(decided.total).toMatchObject({ selected: 4, suppressed: 1, queued: 3 });
        expect(await decisionsOf(db, 'cartAbandonment_followup_email')).toEqual({ written: 'suppressed', later: 'send', sms: 'send', free: 'send' });
        const outbox = newOutbox();
        await runAndDispatch(db, plans, { now, outboxDir: outbox });
        expect(await recipients(outbox)).toEqual(['free@example.com', 'later@example.com', 'sms@example.com']);
    });

    it('a STOP recorded in one phone format suppresses the SMS whatever the format in the event (E.164 on import)', async () => {
        const sources = { 'shop.followup': `
event cartAbandonment { key customerId  customerId: string  phone: phone  firstName: string }
message followup for cartAbandonment sms { text: "{{ firstName }}, your cart" }
when cartAbandonment sent 3 days ago then send followup sms` };
        const { project, rules } = await compileSources(sources);
        const plans = [...rules.values()].map((r) => r.plan);
        const schemas = projectSchemas(project, 'FR');
        const cart = (id: string, phone: string) => [
            { kind: 'event', id, type: 'cartAbandonment', at: due.toISOString(), data: { customerId: id, phone, firstName: id } },
            { kind: 'delivery', id: `d-${id}`, event: id, message: 'transactional', channel: 'sms', to: phone, at: due.toISOString() },
        ];
        const lines = [
            ...cart('spaced', '+33 6 22 22 22 22'), ...cart('local', '06 33 33 33 33'), ...cart('other', '+33 6 44 44 44 44'),
            // The opt-outs, written another way each.
            { kind: 'unsubscribe', channel: 'sms', to: '+33622222222', at: shift(due, { days: 1 }).toISOString() },
            { kind: 'unsubscribe', channel: 'sms', to: '+33 (0)6 33 33 33 33', at: shift(due, { days: 1 }).toISOString() },
        ].map((r) => JSON.stringify(r));
        const db = ctx.store;
        await importHistory(db, (async function* () { yield* lines; })(), { schemas });
        const { rows } = await db.query<{ payload: { phone: string } }>(`SELECT payload FROM events ORDER BY id`);
        expect(rows.map((r) => r.payload.phone)).toEqual(['+33633333333', '+33644444444', '+33622222222']);
        const { report, sent } = await runAndDispatch(db, plans, { now, outboxDir: newOutbox() });
        expect(sent.map((m) => m.to)).toEqual(['+33644444444']);
        expect(report.total).toMatchObject({ selected: 3, sent: 1, suppressed: 2 });
        // Not a phone number: the line is refused, with why.
        const bad = await importHistory(db, (async function* () { yield JSON.stringify(cart('bad', 'call me')[0]); })(), { schemas }).catch((e: unknown) => e);
        expect(bad).toBeInstanceOf(ImportRejectedError);
        expect((bad as ImportRejectedError).errors).toEqual([{ line: 1, path: 'data.phone',
            message: 'expected a phone number with its country code (+44 20 7946 0958) or as dialled in FR (the project\'s phoneRegion), got "call me"' }]);
    });

    it('reads the profile as it was at now: its latest version at or before it', async () => {
        const plans = await plansOf({ 'shop.followup': `
profile { key customerId  customerId: string  email: email  firstName: string  country: string }
event orderShipped targeting profile { customerId: string  orderId: string }
message nudge for orderShipped email { subject: "{{ profile.firstName }}, from {{ profile.country }}" text: "x" }
when orderShipped sent 3 days ago and profile.country = "DE" then send nudge email` });
        const db = ctx.store;
        for (const [key, versions] of [
            ['c-ana', [['2026-11-01T00:00:00Z', 'Ana', 'FR'], ['2026-11-10T00:00:00Z', 'Anna', 'DE'], [shift(now, { hours: 1 }).toISOString(), 'Annie', 'FR']]],
            ['c-bob', [['2026-11-01T00:00:00Z', 'Bob', 'DE'], ['2026-11-21T00:00:00Z', 'Bob', 'AT']]],
        ] as const) {
            for (const [at, firstName, country] of versions) {
                await insertProfile(db, { key, updatedAt: at, payload: { customerId: key, email: `${key}@example.com`, firstName, country } });
            }
            await eventWithDelivery(db, { id: `order-${key}`, type: 'orderShipped', sentAt: due, recipient: `${key}@example.com`, payload: { customerId: key, orderId: key } });
        }
        const { sent } = await runAndDispatch(db, plans, { now, outboxDir: newOutbox() });
        // Ana was in Germany as of now (the later move is not known yet); Bob had moved to Austria.
        expect(sent.map((m) => [m.to, m.subject])).toEqual([['c-ana@example.com', 'Anna, from DE']]);
    });

    describe("a rule's identity across a rename", () => {
        const short = `${schema}\nwhen cartAbandonment sent 3 days ago then send followup email`;
        const renamed = (how: string) => `${schema}
followup reminder ${how} {
  when cartAbandonment sent 3 days ago then send followup email
  lookback 2 days
}`;

        async function sentOnce(): Promise<void> {
            const db = ctx.store;
            for (const name of ['ana', 'bob']) {
                await eventWithDelivery(db, { id: name, type: 'cartAbandonment', sentAt: due, recipient: `${name}@example.com`,
                    payload: { customerId: `c-${name}`, email: `${name}@example.com`, firstName: name } });
            }
            const first = await plansOf({ 'shop.followup': short });
            await reconcileRuleIdentities(db, first);
            const { sent } = await runAndDispatch(db, first, { now, outboxDir: newOutbox() });
            expect(sent).toHaveLength(2);
        }

        it("with 'was', the renamed rule takes the decisions over and sends nothing again", async () => {
            await sentOnce();
            const db = ctx.store;
            const plans = await plansOf({ 'shop.followup': renamed('was cartAbandonment_followup_email') });
            expect(await reconcileRuleIdentities(db, plans)).toEqual([{ from: 'cartAbandonment_followup_email', to: 'reminder', decisions: 2 }]);
            const { report, sent } = await runAndDispatch(db, plans, { now: shift(now, { hours: 1 }), outboxDir: newOutbox() });
            expect(sent).toEqual([]);
            expect(report.total.selected).toBe(0);
            expect(await decisionsOf(db, 'reminder')).toEqual({ ana: 'send', bob: 'send' });
            expect(await decisionsOf(db, 'cartAbandonment_followup_email')).toEqual({});
            // Once run under its new name, it is known: nothing more to take over.
            expect(await reconcileRuleIdentities(db, plans)).toEqual([]);
        });

        it("without it, run refuses, naming both rules; 'is new' says it is another rule", async () => {
            await sentOnce();
            const db = ctx.store;
            const silent = await plansOf({ 'shop.followup': renamed('') });
            const refused = await reconcileRuleIdentities(db, silent).catch((e: unknown) => e);
            expect(refused).toBeInstanceOf(RuleIdentityError);
            expect((refused as Error).message).toContain("rule 'reminder' looks like 'cartAbandonment_followup_email'");
            expect((refused as Error).message).toContain('`followup reminder was cartAbandonment_followup_email { ... }`');
            // `is new`: a new rule, which then writes to the same people again (its lookback covers them).
            const fresh = await plansOf({ 'shop.followup': renamed('is new') });
            expect(await reconcileRuleIdentities(db, fresh)).toEqual([]);
            const { sent } = await runAndDispatch(db, fresh, { now: shift(now, { hours: 1 }), outboxDir: newOutbox() });
            expect(sent.map((m) => m.to).sort()).toEqual(['ana@example.com', 'bob@example.com']);
        });
    });
});
