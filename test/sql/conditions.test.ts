/**
 * The conditions of docs/language.md §3, compiled and run on both engines: field filters, `since`,
 * `and`/`or`/`not` precedence, `clicked link`, the channel restriction of the trigger, chained rules,
 * events that target the profile, and the recheck query run just before sending (§4).
 */
import { describe, expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { compileSources, ruleNamed, runRecheck, runSelection, type SelectedRow } from '../support/run-query.js';
import {
    eventWithDelivery, insertDelivery, insertEvent, insertProfile, resetStore, shift, suppress, track, type Instant,
} from '../support/sql-fixtures.js';
import type { StoreTx } from '@followup/runtime';

const source = `
profile { key customerId  customerId: string  email: email  country: string }

event cartAbandonment {
  key customerId
  customerId: string
  email: email
  phone: phone?
  firstName: string
  cartTotal: decimal
  currency: string?
  items: list<CartItem>
  tags: list<string>
  loyaltyMember: boolean?
  abandonedAt: timestamp?
}
type CartItem { sku: string  name: string  price: decimal  quantity: int }
event purchase { key customerId  customerId: string  email: email  total: decimal }
event newsletterSignup { email: email  firstName: string }
event orderShipped targeting profile { customerId: string  trackingUrl: url }

message followup for cartAbandonment email { subject: "Your cart" text: "{{ firstName }}" }
message followup for cartAbandonment sms { text: "{{ firstName }}" }
message lastChance for cartAbandonment email { subject: "Last chance" text: "{{ firstName }}" }
message welcome for newsletterSignup email { subject: "Welcome" text: "{{ firstName }}" }
message reviewRequest for orderShipped email { subject: "A review?" text: "{{ profile.country }} {{ trackingUrl }}" }

followup totalAtLeast100 { when cartAbandonment sent 3 days ago and cartTotal >= 100 then send followup email }
followup currencyIn { when cartAbandonment sent 3 days ago and currency in ("EUR", "USD") then send followup email }
followup currencyNotIn { when cartAbandonment sent 3 days ago and currency not in ("EUR", "USD") then send followup email }
followup currencyNotEur { when cartAbandonment sent 3 days ago and currency != "EUR" then send followup email }
followup manyItems { when cartAbandonment sent 3 days ago and count(items) >= 2 then send followup email }
followup firstItemX { when cartAbandonment sent 3 days ago and items[0].name = "x" then send followup email }
followup nameContains { when cartAbandonment sent 3 days ago and firstName contains "an" then send followup email }
followup nameStarts { when cartAbandonment sent 3 days ago and firstName starts with "Ja" then send followup email }
followup vipTag { when cartAbandonment sent 3 days ago and tags contains "vip" then send followup email }
followup noPhone { when cartAbandonment sent 3 days ago and phone is empty then send followup email }
followup hasPhone { when cartAbandonment sent 3 days ago and phone is not empty then send followup email }
followup noItems { when cartAbandonment sent 3 days ago and items is empty then send followup email }
followup hasItems { when cartAbandonment sent 3 days ago and items is not empty then send followup email }
followup loyal { when cartAbandonment sent 3 days ago and loyaltyMember = true then send followup email }
followup notLoyal { when cartAbandonment sent 3 days ago and loyaltyMember != true then send followup email }
followup explicitlyNotLoyal { when cartAbandonment sent 3 days ago and loyaltyMember = false then send followup email }
followup abandonedBeforeNov { when cartAbandonment sent 3 days ago and abandonedAt < "2026-11-01T00:00:00Z" then send followup email }

followup noPurchase { when cartAbandonment sent 3 days ago and not purchase since sent then send followup email }
followup purchased { when cartAbandonment sent 3 days ago and purchase since sent then send followup email }
followup signupNoPurchase { when newsletterSignup sent 3 days ago and not purchase since sent then send welcome email }

followup orWithoutParens { when cartAbandonment sent 3 days ago and currency = "EUR" or currency = "USD" and cartTotal > 100 then send followup email }
followup orWithParens { when cartAbandonment sent 3 days ago and (currency = "EUR" or currency = "USD") and cartTotal > 100 then send followup email }
followup notBindsTight { when cartAbandonment sent 3 days ago and not currency = "EUR" and cartTotal > 100 then send followup email }
followup notOfGroup { when cartAbandonment sent 3 days ago and not (currency = "EUR" and cartTotal > 100) then send followup email }

followup clickedCheckout { when cartAbandonment sent 3 days ago and clicked link "checkout" then send followup email }
followup notClickedCheckout { when cartAbandonment sent 3 days ago and not clicked link "checkout" then send followup email }

followup emailOnly { when cartAbandonment email sent 3 days ago then send followup email }
followup anyChannel { when cartAbandonment sent 3 days ago then send followup email }

when cartAbandonment sent 3 days ago and not opened then send followup email
followup chase { when cartAbandonment_followup_email sent 4 days ago and not opened then send lastChance email }

followup shippedToFrance { when orderShipped sent 5 days ago and profile.country = "FR" then send reviewRequest email }

followup bigCartNoPurchase {
  when cartAbandonment sent 3 days ago and cartTotal >= 100 and not purchase since sent
  then send lastChance email
}
`;

const { project, rules } = await compileSources({ 'conditions.followup': source });

const now = new Date('2026-11-23T10:00:00Z');
const w = shift(now, { days: -1 });
/** In the window of `sent 3 days ago`, (2026-11-19T10:00Z, 2026-11-20T10:00Z]. */
const due = new Date('2026-11-20T08:00:00Z');

type Payload = Record<string, unknown>;
const item = (name: string) => ({ sku: name, name, price: 10, quantity: 1 });

/** A complete cartAbandonment payload for customer `id`; an override set to `undefined` removes the field. */
function cartPayload(id: string, overrides: Payload = {}): Payload {
    const payload: Payload = {
        customerId: id, email: `${id.toLowerCase()}@example.com`, phone: '+33600000000', firstName: 'Sam',
        cartTotal: 50, currency: 'EUR', items: [item('a')], tags: [], loyaltyMember: false, abandonedAt: '2026-11-19T00:00:00Z',
        ...overrides,
    };
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
    return payload;
}

/** One cartAbandonment per entry, each with one original email delivery `d-<id>` sent at `due`. */
async function carts(db: StoreTx, cases: Record<string, Payload>): Promise<void> {
    for (const [id, overrides] of Object.entries(cases)) {
        await eventWithDelivery(db, { id, type: 'cartAbandonment', payload: cartPayload(id, overrides), sentAt: due });
    }
}

async function purchase(db: StoreTx, id: string, customerId: string, occurredAt: Instant, email = `${customerId.toLowerCase()}@example.com`) {
    await insertEvent(db, { id, type: 'purchase', occurredAt, payload: { customerId, email, total: 80 } });
}

const eventIds = (rows: SelectedRow[]) => rows.map(r => r.event_id).sort();

it('the project compiles without diagnostics', () => {
    expect(project.diagnostics).toEqual([]);
});

it('the selection and the recheck bind the rule values in the same order; only the recheck, which checks suppression, binds the channel', () => {
    const uses = (ps: { name: string; uses?: string[] }[]) => ps.slice(2).flatMap(p => p.uses ?? [p.name]);
    for (const rule of rules.values()) {
        const { selection, recheck } = rule.plan.queries;
        expect(recheck.parameters.slice(0, 2).map(p => [p.index, p.name, p.value])).toEqual([[1, 'event_ids', undefined], [2, 'now', undefined]]);
        expect(uses(selection.parameters)).not.toContain('channel');
        expect(uses(recheck.parameters)).toContain('channel');
        const ruleValues = uses(recheck.parameters).filter(n => n !== 'channel');
        expect(uses(selection.parameters).slice(0, ruleValues.length)).toEqual(ruleValues);
    }
});

forEachEngine('conditions', (ctx) => {
    /** The events `rule` selects in this run (now, w = now - 1 day), after emptying the store and running `given`. */
    const selected = async (rule: string, clock: { w: Instant; now: Instant } = { w, now }) =>
        eventIds(await runSelection(ctx.store, ruleNamed(rules, rule), clock));
    const given = async (fill: (db: StoreTx) => Promise<void>) => {
        await resetStore(ctx.store);
        await fill(ctx.store);
    };

    describe('event data', () => {
        it('cartTotal >= 100 compares numbers; a missing total is not >= 100', async () => {
            await given(db => carts(db, { t99: { cartTotal: 99.99 }, t100: { cartTotal: 100 }, t150: { cartTotal: 150.5 }, tHuge: { cartTotal: 1_000_000 }, tMissing: { cartTotal: undefined } }));
            expect(await selected('totalAtLeast100')).toEqual(['t100', 't150', 'tHuge']);
        });

        it('currency in / not in (...) / != compare exactly; a missing currency is in no list and differs from any value', async () => {
            await given(db => carts(db, { eur: { currency: 'EUR' }, usd: { currency: 'USD' }, lower: { currency: 'eur' }, gbp: { currency: 'GBP' }, missing: { currency: undefined } }));
            expect(await selected('currencyIn')).toEqual(['eur', 'usd']);
            expect(await selected('currencyNotIn')).toEqual(['gbp', 'lower', 'missing']);
            expect(await selected('currencyNotEur')).toEqual(['gbp', 'lower', 'missing', 'usd']);
        });

        it('count(items) >= 2 counts the list; a missing list counts 0', async () => {
            await given(db => carts(db, {
                none: { items: [] }, one: { items: [item('a')] }, two: { items: [item('a'), item('b')] },
                three: { items: [item('a'), item('b'), item('c')] }, missing: { items: undefined },
            }));
            expect(await selected('manyItems')).toEqual(['three', 'two']);
        });

        it('items[0].name = "x" looks at the first item only', async () => {
            await given(db => carts(db, {
                first: { items: [item('x'), item('y')] }, second: { items: [item('y'), item('x')] },
                upper: { items: [item('X')] }, none: { items: [] },
            }));
            expect(await selected('firstItemX')).toEqual(['first']);
        });

        it('contains and starts with on text are case-sensitive substring and prefix tests', async () => {
            await given(db => carts(db, { jane: { firstName: 'Jane' }, dan: { firstName: 'Dan' }, upper: { firstName: 'JANE' }, jack: { firstName: 'Jack' }, maja: { firstName: 'Maja' }, lower: { firstName: 'jane' } }));
            expect(await selected('nameContains')).toEqual(['dan', 'jane', 'lower']);
            expect(await selected('nameStarts')).toEqual(['jack', 'jane']);
        });

        it('contains on a list of text looks for an element equal to the value', async () => {
            await given(db => carts(db, { vip: { tags: ['new', 'vip'] }, upper: { tags: ['VIP'] }, prefix: { tags: ['vipx'] }, none: { tags: [] }, missing: { tags: undefined } }));
            expect(await selected('vipTag')).toEqual(['vip']);
        });

        it('is empty / is not empty on text: missing, null and "" are empty', async () => {
            await given(db => carts(db, { missing: { phone: undefined }, empty: { phone: '' }, nul: { phone: null }, set: { phone: '+33611111111' } }));
            expect(await selected('noPhone')).toEqual(['empty', 'missing', 'nul']);
            expect(await selected('hasPhone')).toEqual(['set']);
        });

        it('is empty / is not empty on lists: missing and [] are empty', async () => {
            await given(db => carts(db, { empty: { items: [] }, missing: { items: undefined }, one: { items: [item('a')] } }));
            expect(await selected('noItems')).toEqual(['empty', 'missing']);
            expect(await selected('hasItems')).toEqual(['one']);
        });

        it('booleans: = true, != true (a missing value differs), = false', async () => {
            await given(db => carts(db, { yes: { loyaltyMember: true }, no: { loyaltyMember: false }, missing: { loyaltyMember: undefined } }));
            expect(await selected('loyal')).toEqual(['yes']);
            expect(await selected('notLoyal')).toEqual(['missing', 'no']);
            expect(await selected('explicitlyNotLoyal')).toEqual(['no']);
        });

        it('timestamps compare as instants, offsets honoured; a missing timestamp is not before anything', async () => {
            await given(db => carts(db, {
                before: { abandonedAt: '2026-10-31T23:59:59Z' }, at: { abandonedAt: '2026-11-01T00:00:00Z' },
                after: { abandonedAt: '2026-11-01T00:00:01Z' }, offset: { abandonedAt: '2026-11-01T01:00:00+02:00' },
                missing: { abandonedAt: undefined },
            }));
            expect(await selected('abandonedBeforeNov')).toEqual(['before', 'offset']);
        });
    });

    describe('other events of the same person: purchase since sent', () => {
        const fill = async (db: StoreTx) => {
            await carts(db, {
                noPurchase: {}, boughtAfterSent: {}, boughtBeforeSent: {}, boughtAtNow: {}, boughtAfterNow: {}, otherCustomerBought: {},
            });
            await purchase(db, 'p-afterSent', 'boughtAfterSent', '2026-11-21T12:00:00Z');
            await purchase(db, 'p-beforeSent', 'boughtBeforeSent', shift(due, { hours: -1 }));
            await purchase(db, 'p-atNow', 'boughtAtNow', now);
            await purchase(db, 'p-afterNow', 'boughtAfterNow', shift(now, { minutes: 1 }));
            // Another customer, with the same email address: the two events are related on the key.
            await purchase(db, 'p-other', 'someoneElse', '2026-11-21T12:00:00Z', 'othercustomerbought@example.com');
        };

        it('not purchase since sent: a purchase of the same customer after sent and by now stops the follow-up', async () => {
            await given(fill);
            expect(await selected('noPurchase')).toEqual(['boughtAfterNow', 'boughtBeforeSent', 'noPurchase', 'otherCustomerBought']);
        });

        it('purchase since sent: the complement', async () => {
            await given(fill);
            expect(await selected('purchased')).toEqual(['boughtAfterSent', 'boughtAtNow']);
        });

        it('without a shared key, events are related on the email address, normalised', async () => {
            expect(ruleNamed(rules, 'signupNoPurchase').ir.condition).toMatchObject({ kind: 'not', item: { kind: 'since', match: { kind: 'address' } } });
            await given(async (db) => {
                for (const id of ['signupBought', 'signupOtherBought', 'signupNothing']) {
                    await eventWithDelivery(db, { id, type: 'newsletterSignup', payload: { email: `${id.toLowerCase()}@example.com`, firstName: id }, sentAt: due });
                }
                await purchase(db, 'p-1', 'c1', '2026-11-21T12:00:00Z', '  SignupBought@Example.COM ');
                await purchase(db, 'p-2', 'c2', '2026-11-21T12:00:00Z', 'somebody@example.com');
            });
            expect(await selected('signupNoPurchase')).toEqual(['signupNothing', 'signupOtherBought']);
        });
    });

    describe('and, or, not', () => {
        const fill = (db: StoreTx) =>
            carts(db, {
                eur50: { currency: 'EUR', cartTotal: 50 }, eur150: { currency: 'EUR', cartTotal: 150 },
                usd50: { currency: 'USD', cartTotal: 50 }, usd150: { currency: 'USD', cartTotal: 150 },
                gbp50: { currency: 'GBP', cartTotal: 50 }, gbp150: { currency: 'GBP', cartTotal: 150 },
            });

        it('and binds tighter than or: EUR or (USD and > 100)', async () => {
            await given(fill);
            expect(await selected('orWithoutParens')).toEqual(['eur150', 'eur50', 'usd150']);
        });

        it('parentheses group: (EUR or USD) and > 100', async () => {
            await given(fill);
            expect(await selected('orWithParens')).toEqual(['eur150', 'usd150']);
        });

        it('not binds tighter than and: (not EUR) and > 100', async () => {
            await given(fill);
            expect(await selected('notBindsTight')).toEqual(['gbp150', 'usd150']);
        });

        it('not of a parenthesised group', async () => {
            await given(fill);
            expect(await selected('notOfGroup')).toEqual(['eur50', 'gbp150', 'gbp50', 'usd150', 'usd50']);
        });

        it('an or in the condition never escapes the trigger', async () => {
            await given(async (db) => {
                await fill(db);
                await eventWithDelivery(db, { id: 'eurNotDue', type: 'cartAbandonment', payload: cartPayload('eurNotDue'), sentAt: shift(due, { days: 1 }) });
                await eventWithDelivery(db, { id: 'eurRuleDelivery', type: 'cartAbandonment', payload: cartPayload('eurRuleDelivery'), sentAt: due, rule: 'someRule' });
            });
            expect(await selected('orWithoutParens')).toEqual(['eur150', 'eur50', 'usd150']);
        });
    });

    describe('engagement', () => {
        it('clicked link "checkout": a click on that link (by name, or in its URL), by now', async () => {
            await given(async (db) => {
                await carts(db, { linkCheckout: {}, urlCheckout: {}, linkHelp: {}, openOnly: {}, clickAfterNow: {}, nothing: {} });
                await track(db, { deliveryId: 'd-linkCheckout', kind: 'click', at: '2026-11-21T09:00:00Z', link: 'checkout', url: 'https://shop.example/c/1' });
                await track(db, { deliveryId: 'd-urlCheckout', kind: 'click', at: '2026-11-21T09:00:00Z', url: 'https://shop.example/checkout?cart=1' });
                await track(db, { deliveryId: 'd-linkHelp', kind: 'click', at: '2026-11-21T09:00:00Z', link: 'help', url: 'https://shop.example/help' });
                await track(db, { deliveryId: 'd-openOnly', kind: 'open', at: '2026-11-21T09:00:00Z' });
                await track(db, { deliveryId: 'd-clickAfterNow', kind: 'click', at: shift(now, { seconds: 1 }), link: 'checkout' });
            });
            expect(await selected('clickedCheckout')).toEqual(['linkCheckout', 'urlCheckout']);
            expect(await selected('notClickedCheckout')).toEqual(['clickAfterNow', 'linkHelp', 'nothing', 'openOnly']);
        });
    });

    describe('the trigger', () => {
        it('<event> email sent: only email deliveries are originals; without a channel, any channel is', async () => {
            await given(async (db) => {
                const cart = (id: string) => insertEvent(db, { id, type: 'cartAbandonment', payload: cartPayload(id), occurredAt: '2026-11-01T00:00:00Z' });
                await cart('emailDue');
                await insertDelivery(db, { id: 'd-emailDue', eventId: 'emailDue', sentAt: due, channel: 'email' });
                await cart('smsOnly');
                await insertDelivery(db, { id: 'd-smsOnly', eventId: 'smsOnly', sentAt: due, channel: 'sms' });
                await cart('smsThenEmail');
                await insertDelivery(db, { id: 'd-smsThenEmail-sms', eventId: 'smsThenEmail', sentAt: '2026-11-19T20:00:00Z', channel: 'sms' });
                await insertDelivery(db, { id: 'd-smsThenEmail-email', eventId: 'smsThenEmail', sentAt: due, channel: 'email' });
                await cart('oldEmailThenSms');
                await insertDelivery(db, { id: 'd-oldEmailThenSms-email', eventId: 'oldEmailThenSms', sentAt: '2026-11-18T08:00:00Z', channel: 'email' });
                await insertDelivery(db, { id: 'd-oldEmailThenSms-sms', eventId: 'oldEmailThenSms', sentAt: due, channel: 'sms' });
            });
            const triggers = async (rule: string) =>
                (await runSelection(ctx.store, ruleNamed(rules, rule), { w, now })).map(r => r.trigger_delivery_id).sort();
            expect(await triggers('emailOnly')).toEqual(['d-emailDue', 'd-smsThenEmail-email']);
            expect(await triggers('anyChannel')).toEqual(['d-emailDue', 'd-smsOnly', 'd-smsThenEmail-sms']);
        });

        it('a chained rule selects that rule\'s sent deliveries, and looks at their engagement', async () => {
            // `chase`: cartAbandonment_followup_email sent 4 days ago, window (2026-11-18T10:00Z, 2026-11-19T10:00Z].
            const chainDue = new Date('2026-11-19T08:00:00Z');
            const followupRule = 'cartAbandonment_followup_email';
            await given(async (db) => {
                const withOriginal = async (id: string) => {
                    await eventWithDelivery(db, { id, type: 'cartAbandonment', payload: cartPayload(id), sentAt: '2026-11-16T08:00:00Z' });
                };
                // The original was opened, the reminder was not: engagement is looked up on the reminder.
                await withOriginal('reminded');
                await track(db, { deliveryId: 'd-reminded', kind: 'open', at: '2026-11-16T09:00:00Z' });
                await insertDelivery(db, { id: 'f-reminded', eventId: 'reminded', sentAt: chainDue, rule: followupRule, message: 'followup' });
                await withOriginal('reminderOpened');
                await insertDelivery(db, { id: 'f-reminderOpened', eventId: 'reminderOpened', sentAt: chainDue, rule: followupRule });
                await track(db, { deliveryId: 'f-reminderOpened', kind: 'open', at: '2026-11-20T09:00:00Z' });
                await withOriginal('reminderFailed');
                await insertDelivery(db, { id: 'f-reminderFailed', eventId: 'reminderFailed', sentAt: chainDue, rule: followupRule, status: 'failed' });
                await withOriginal('reminderTooRecent');
                await insertDelivery(db, { id: 'f-reminderTooRecent', eventId: 'reminderTooRecent', sentAt: shift(now, { days: -4, seconds: 1 }), rule: followupRule });
                await withOriginal('otherRuleDelivery');
                await insertDelivery(db, { id: 'f-otherRuleDelivery', eventId: 'otherRuleDelivery', sentAt: chainDue, rule: 'bigCartNoPurchase' });
                // An original sent 4 days ago is not the reminder.
                await eventWithDelivery(db, { id: 'originalOnly', type: 'cartAbandonment', payload: cartPayload('originalOnly'), sentAt: chainDue });
            });
            const rows = await runSelection(ctx.store, ruleNamed(rules, 'chase'), { w, now });
            expect(rows.map(r => [r.trigger_delivery_id, r.event_id])).toEqual([['f-reminded', 'reminded']]);
            expect(rows[0]!.event).toEqual(cartPayload('reminded'));
            expect(new Date(rows[0]!.due_at).toISOString()).toBe('2026-11-23T08:00:00.000Z');
        });

        it('an event that targets the profile: condition on profile fields, recipient from the profile', async () => {
            // `shippedToFrance`: orderShipped sent 5 days ago, window (2026-11-17T10:00Z, 2026-11-18T10:00Z].
            const shipped = new Date('2026-11-18T08:00:00Z');
            await given(async (db) => {
                await insertProfile(db, { key: 'c-fr', payload: { customerId: 'c-fr', email: '  Ann@Example.COM ', country: 'FR' } });
                await insertProfile(db, { key: 'c-fr-suppressed', payload: { customerId: 'c-fr-suppressed', email: 'bob@example.com', country: 'FR' } });
                await insertProfile(db, { key: 'c-de', payload: { customerId: 'c-de', email: 'carl@example.com', country: 'DE' } });
                await suppress(db, { address: 'bob@example.com', reason: 'unsubscribe', at: '2026-11-01T00:00:00Z' });
                for (const [id, customerId] of [['s-fr', 'c-fr'], ['s-fr-suppressed', 'c-fr-suppressed'], ['s-de', 'c-de'], ['s-no-profile', 'c-none']] as const) {
                    await eventWithDelivery(db, { id, type: 'orderShipped', payload: { customerId, trackingUrl: `https://track.example/${id}` }, sentAt: shipped });
                }
            });
            const rows = await runSelection(ctx.store, ruleNamed(rules, 'shippedToFrance'), { w, now });
            expect(rows.map(r => ({ event: r.event_id, recipient: r.recipient, expired: r.expired }))).toEqual([
                { event: 's-fr', recipient: 'ann@example.com', expired: false },
                { event: 's-fr-suppressed', recipient: 'bob@example.com', expired: false },
            ]);
            expect(await runRecheck(ctx.store, ruleNamed(rules, 'shippedToFrance'), ['s-fr', 's-fr-suppressed'], now)).toEqual(
                expect.arrayContaining([{ event_id: 's-fr', suppressed: false }, { event_id: 's-fr-suppressed', suppressed: true }]));
            expect(rows.find(r => r.event_id === 's-fr')!.profile).toEqual({ customerId: 'c-fr', email: '  Ann@Example.COM ', country: 'FR' });
        });
    });

    describe('the recheck query ($1 event ids, $2 now)', () => {
        const rule = () => ruleNamed(rules, 'bigCartNoPurchase');
        const fill = async (db: StoreTx) => {
            await carts(db, {
                rA: { cartTotal: 150 }, rB: { cartTotal: 150 }, rC: { cartTotal: 150 }, rD: { cartTotal: 50 }, rE: { cartTotal: 150 },
            });
            await suppress(db, { address: 'rc@example.com', reason: 'hard_bounce', at: '2026-11-10T00:00:00Z' });
            await purchase(db, 'p-rE', 'rE', '2026-11-21T12:00:00Z');
        };
        const byId = (rows: { event_id: string; suppressed: boolean }[]) => [...rows].sort((a, b) => a.event_id.localeCompare(b.event_id));

        it('returns only the given events that still qualify, flagging the suppressed ones (the selection leaves suppression to it)', async () => {
            await given(fill);
            const selection = await runSelection(ctx.store, rule(), { w, now });
            expect(selection.map(r => r.event_id)).toEqual(['rA', 'rB', 'rC']);
            expect(byId(await runRecheck(ctx.store, rule(), ['rA', 'rB', 'rC', 'rD', 'rE', 'unknown'], now))).toEqual([
                { event_id: 'rA', suppressed: false },
                { event_id: 'rB', suppressed: false },
                { event_id: 'rC', suppressed: true },
            ]);
            expect(await runRecheck(ctx.store, rule(), ['rA'], now)).toEqual([{ event_id: 'rA', suppressed: false }]);
            expect(await runRecheck(ctx.store, rule(), [], now)).toEqual([]);
        });

        it('a purchase or a suppression recorded after the selection is seen by the recheck', async () => {
            await given(fill);
            const selected = (await runSelection(ctx.store, rule(), { w, now })).map(r => r.event_id);
            expect(selected).toEqual(['rA', 'rB', 'rC']);
            // Between selection and dispatch: rB buys (stamped before now), rA unsubscribes.
            await purchase(ctx.store, 'p-rB', 'rB', shift(now, { minutes: -10 }));
            await suppress(ctx.store, { address: 'ra@example.com', reason: 'unsubscribe', at: shift(now, { minutes: -1 }) });
            expect(byId(await runRecheck(ctx.store, rule(), selected, now))).toEqual([
                { event_id: 'rA', suppressed: true },
                { event_id: 'rC', suppressed: true },
            ]);
        });

        it('records stamped after now do not exist for the recheck either', async () => {
            await given(fill);
            await purchase(ctx.store, 'p-rB-later', 'rB', shift(now, { minutes: 5 }));
            await suppress(ctx.store, { address: 'ra@example.com', reason: 'unsubscribe', at: shift(now, { minutes: 5 }) });
            expect(byId(await runRecheck(ctx.store, rule(), ['rA', 'rB', 'rC'], now))).toEqual([
                { event_id: 'rA', suppressed: false },
                { event_id: 'rB', suppressed: false },
                { event_id: 'rC', suppressed: true },
            ]);
        });
    });
});
