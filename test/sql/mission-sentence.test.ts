/**
 * Acceptance: the mission sentence, alone in a file with its event and message, compiles; its SQL, run
 * on a migrated PGlite and on a real PostgreSQL 15 server, returns exactly the deliveries docs/language.md §4
 * says, with `$1` the window start (watermark w) and `$2` now.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine } from '../support/stores.js';
import { compileSources, ruleNamed, runRecheck, runSelection, type SelectedRow } from '../support/run-query.js';
import { decide, eventWithDelivery, insertDelivery, insertEvent, shift, suppress, track, type Instant } from '../support/sql-fixtures.js';

const source = `
event cartAbandonment {
  email: email
  firstName: string
}

message followup for cartAbandonment email {
  subject: "{{ firstName }}, your cart is waiting"
  text: "Hi {{ firstName }}, your cart is still there."
}

when cartAbandonment sent 3 days ago and not opened then send followup email
`;

const { project, rules } = await compileSources({ 'mission.followup': source });
const rule = ruleNamed(rules, 'cartAbandonment_followup_email');

// The clock: a daily run at 10:00 UTC whose previous run was a day earlier.
const now = new Date('2026-11-23T10:00:00Z');
const w = shift(now, { days: -1 });
// `sent 3 days ago` selects sent_at in (w - 3 days, now - 3 days] = (2026-11-19T10:00Z, 2026-11-20T10:00Z].
const windowStart = shift(w, { days: -3 }); // 2026-11-19T10:00Z, excluded
const windowEnd = shift(now, { days: -3 }); // 2026-11-20T10:00Z, included
const due = new Date('2026-11-20T08:00:00Z'); // inside the window; became due at 2026-11-23T08:00Z

const type = 'cartAbandonment';
const person = (name: string) => ({ email: `${name.toLowerCase()}@example.com`, firstName: name });

/** One event + one original email delivery `d-<id>`, sent at `sentAt`. */
const cart = (db: Parameters<typeof eventWithDelivery>[0], id: string, sentAt: Instant, extra: { status?: 'sent' | 'failed' | 'queued' | 'suppressed'; channel?: 'email' | 'sms'; email?: string } = {}) =>
    eventWithDelivery(db, {
        id, type, sentAt,
        payload: { ...person(id), ...(extra.email ? { email: extra.email } : {}) },
        ...(extra.status ? { status: extra.status } : {}),
        ...(extra.channel ? { channel: extra.channel } : {}),
    });

const ids = (rows: SelectedRow[]) => rows.map(r => r.trigger_delivery_id).sort();
const flags = (rows: SelectedRow[]) =>
    Object.fromEntries(rows.map(r => [r.trigger_delivery_id, r.expired]));

describe('the mission sentence compiles', () => {
    it('alone in a file with its event and message, without any diagnostic', () => {
        expect(project.diagnostics).toEqual([]);
        expect([...rules.keys()]).toEqual(['cartAbandonment_followup_email']);
    });

    it('binds $1 = watermark and $2 = now (supplied by the runtime), then its values', () => {
        const [first, second, ...rest] = rule.plan.queries.selection.parameters;
        expect(first).toEqual({ index: 1, name: 'watermark', type: 'timestamptz' });
        expect(second).toEqual({ index: 2, name: 'now', type: 'timestamptz' });
        expect(rest.every(p => p.value !== undefined)).toBe(true);
        expect(rest.map(p => p.value)).toEqual(expect.arrayContaining(['cartAbandonment', '4320 minutes']));
        // Expiry is decided from the plan's `expire` by the runtime, not in the query.
        expect(rule.plan.expire.minutes).toBe(1440);
    });
});

forEachEngine('the mission sentence selects exactly what §4 says', (ctx) => {
    beforeAll(async () => {
        const db = ctx.store;

        // Due and untouched: the plain case.
        await cart(db, 'untouched', due);
        // Engagement before now: an open, a click without an open (a click proves the open), a machine open.
        await cart(db, 'opened', due);
        await track(db, { deliveryId: 'd-opened', kind: 'open', at: '2026-11-21T12:00:00Z' });
        await cart(db, 'clickedOnly', due);
        await track(db, { deliveryId: 'd-clickedOnly', kind: 'click', at: '2026-11-21T12:00:00Z', url: 'https://shop.example/cart' });
        await cart(db, 'machineOpen', due);
        await track(db, { deliveryId: 'd-machineOpen', kind: 'open', at: '2026-11-20T08:01:00Z', machine: true });
        // As of now: an open exactly at now counts; an open one second later does not exist yet.
        await cart(db, 'openedAtNow', due);
        await track(db, { deliveryId: 'd-openedAtNow', kind: 'open', at: now });
        await cart(db, 'openedAfterNow', due);
        await track(db, { deliveryId: 'd-openedAfterNow', kind: 'open', at: shift(now, { seconds: 1 }) });
        // Delivered or bounced is not opened.
        await cart(db, 'delivered', due);
        await track(db, { deliveryId: 'd-delivered', kind: 'delivered', at: '2026-11-20T08:00:05Z' });
        await cart(db, 'bounced', due);
        await track(db, { deliveryId: 'd-bounced', kind: 'bounce', at: '2026-11-20T08:00:05Z', hard: false });
        // A hard bounce with its suppression: selected, flagged suppressed (the address is matched normalised).
        await cart(db, 'hardBounced', due, { email: '  Hard.Bounced@Example.COM ' });
        await track(db, { deliveryId: 'd-hardBounced', kind: 'bounce', at: '2026-11-20T08:00:05Z', hard: true });
        await suppress(db, { channel: 'email', address: 'hard.bounced@example.com', reason: 'hard_bounce', at: '2026-11-20T08:00:05Z' });
        // Suppressions that do not apply: recorded after now, or on another channel.
        await cart(db, 'unsubscribedAfterNow', due);
        await suppress(db, { address: 'unsubscribedafternow@example.com', reason: 'unsubscribe', at: shift(now, { hours: 1 }) });
        await cart(db, 'suppressedOnSms', due);
        await suppress(db, { channel: 'sms', address: 'suppressedonsms@example.com', reason: 'unsubscribe', at: '2026-11-01T00:00:00Z' });

        // The window (w - 3 days, now - 3 days]: its edges, and just outside them.
        await cart(db, 'edgeEnd', windowEnd);
        await cart(db, 'tooRecent', shift(windowEnd, { seconds: 1 }));
        await cart(db, 'edgeStart', windowStart);
        await cart(db, 'tooOld', shift(windowStart, { hours: -1 }));
        await cart(db, 'longOverdue', '2026-11-15T10:00:00Z');

        // Deliveries that were never sent.
        await cart(db, 'failed', due, { status: 'failed' });
        await cart(db, 'queued', due, { status: 'queued' });
        await cart(db, 'suppressedDelivery', due, { status: 'suppressed' });
        // A failed attempt, then a sent one: the sent one is the original.
        await insertEvent(db, { id: 'failedThenSent', type, payload: person('failedThenSent'), occurredAt: '2026-11-19T19:59:00Z' });
        await insertDelivery(db, { id: 'd-failedThenSent-failed', eventId: 'failedThenSent', sentAt: '2026-11-19T20:00:00Z', status: 'failed' });
        await insertDelivery(db, { id: 'd-failedThenSent-sent', eventId: 'failedThenSent', sentAt: due });

        // At most once per (rule, event): a decision of this rule blocks; one of another rule does not.
        await cart(db, 'decided', due);
        await decide(db, { rule: 'cartAbandonment_followup_email', eventId: 'decided', triggerDeliveryId: 'd-decided', outcome: 'send', at: '2026-11-23T08:00:00Z' });
        await cart(db, 'decidedByOtherRule', due);
        await decide(db, { rule: 'someOtherRule', eventId: 'decidedByOtherRule', triggerDeliveryId: 'd-decidedByOtherRule', at: '2026-11-23T08:00:00Z' });

        // Two original deliveries: only the earliest counts, and engagement is looked up on it.
        await insertEvent(db, { id: 'twoOriginals', type, payload: person('twoOriginals'), occurredAt: '2026-11-20T06:59:00Z' });
        await insertDelivery(db, { id: 'd-twoOriginals-1', eventId: 'twoOriginals', sentAt: '2026-11-20T07:00:00Z' });
        await insertDelivery(db, { id: 'd-twoOriginals-2', eventId: 'twoOriginals', sentAt: '2026-11-20T09:00:00Z' });
        await track(db, { deliveryId: 'd-twoOriginals-2', kind: 'open', at: '2026-11-21T12:00:00Z' });
        await insertEvent(db, { id: 'earliestOpened', type, payload: person('earliestOpened'), occurredAt: '2026-11-20T06:59:00Z' });
        await insertDelivery(db, { id: 'd-earliestOpened-1', eventId: 'earliestOpened', sentAt: '2026-11-20T07:00:00Z' });
        await insertDelivery(db, { id: 'd-earliestOpened-2', eventId: 'earliestOpened', sentAt: '2026-11-20T09:00:00Z' });
        await track(db, { deliveryId: 'd-earliestOpened-1', kind: 'open', at: '2026-11-21T12:00:00Z' });
        await insertEvent(db, { id: 'earliestTooOld', type, payload: person('earliestTooOld'), occurredAt: '2026-11-19T07:59:00Z' });
        await insertDelivery(db, { id: 'd-earliestTooOld-1', eventId: 'earliestTooOld', sentAt: '2026-11-19T08:00:00Z' });
        await insertDelivery(db, { id: 'd-earliestTooOld-2', eventId: 'earliestTooOld', sentAt: due });
        // Two originals at the same instant: one of them (the smaller id), once.
        await insertEvent(db, { id: 'sameInstant', type, payload: person('sameInstant'), occurredAt: '2026-11-20T07:59:00Z' });
        await insertDelivery(db, { id: 'd-sameInstant-b', eventId: 'sameInstant', sentAt: due });
        await insertDelivery(db, { id: 'd-sameInstant-a', eventId: 'sameInstant', sentAt: due });

        // A delivery made by a rule is not an original, even when the event's original is long gone.
        await insertEvent(db, { id: 'onlyRuleDelivery', type, payload: person('onlyRuleDelivery'), occurredAt: '2026-11-20T07:59:00Z' });
        await insertDelivery(db, { id: 'd-onlyRuleDelivery', eventId: 'onlyRuleDelivery', sentAt: due, rule: 'someOtherRule' });
        await insertEvent(db, { id: 'ruleDeliveryInWindow', type, payload: person('ruleDeliveryInWindow'), occurredAt: '2026-11-01T07:59:00Z' });
        await insertDelivery(db, { id: 'd-ruleDeliveryInWindow-original', eventId: 'ruleDeliveryInWindow', sentAt: '2026-11-01T08:00:00Z' });
        await insertDelivery(db, { id: 'd-ruleDeliveryInWindow-rule', eventId: 'ruleDeliveryInWindow', sentAt: due, rule: 'someOtherRule' });

        // Another event type, in the window.
        await eventWithDelivery(db, { id: 'otherType', type: 'orderPlaced', payload: person('otherType'), sentAt: due });
        // No channel in the trigger: an original sms delivery is the original too.
        await cart(db, 'smsOriginal', due, { channel: 'sms' });
    });

    it('returns exactly the due, untouched original deliveries', async () => {
        const rows = await runSelection(ctx.store, rule, { w, now });
        expect(ids(rows)).toEqual([
            'd-bounced',
            'd-decidedByOtherRule',
            'd-delivered',
            'd-edgeEnd',
            'd-failedThenSent-sent',
            'd-hardBounced',
            'd-openedAfterNow',
            'd-sameInstant-a',
            'd-smsOriginal',
            'd-suppressedOnSms',
            'd-twoOriginals-1',
            'd-unsubscribedAfterNow',
            'd-untouched',
        ]);
    });

    it('flags nothing as expired; the recheck before recording finds the hard-bounced recipient suppressed', async () => {
        const rows = await runSelection(ctx.store, rule, { w, now });
        expect(rows.filter(r => r.expired)).toEqual([]);
        const rechecked = await runRecheck(ctx.store, rule, rows.map(r => r.event_id), now);
        expect(rechecked.filter(r => r.suppressed).map(r => r.event_id)).toEqual(['hardBounced']);
    });

    it('returns each row with its event, its normalised recipient and when it became due', async () => {
        const rows = await runSelection(ctx.store, rule, { w, now });
        const hard = rows.find(r => r.trigger_delivery_id === 'd-hardBounced')!;
        expect(hard.event_id).toBe('hardBounced');
        expect(hard.recipient).toBe('hard.bounced@example.com');
        expect(hard.event).toEqual({ email: '  Hard.Bounced@Example.COM ', firstName: 'hardBounced' });
        expect(hard.profile).toBeNull();
        expect(new Date(hard.sent_at).toISOString()).toBe(due.toISOString());
        expect(new Date(hard.due_at).toISOString()).toBe('2026-11-23T08:00:00.000Z');
        // Ordered by sent_at, then id.
        const order = rows.map(r => [new Date(r.sent_at).getTime(), r.trigger_delivery_id] as const);
        expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));
    });

    it('catches up after missed runs, and flags what became due more than `expire` (1 day) ago as expired', async () => {
        // The last successful run was ten days ago: the window is (2026-11-10T10:00Z, 2026-11-20T10:00Z].
        const rows = await runSelection(ctx.store, rule, { w: shift(now, { days: -10 }), now });
        expect(flags(rows)).toEqual({
            // Due in the last day: not expired.
            'd-bounced': false,
            'd-decidedByOtherRule': false,
            'd-delivered': false,
            'd-edgeEnd': false,
            'd-failedThenSent-sent': false,
            'd-hardBounced': false,
            'd-openedAfterNow': false,
            'd-sameInstant-a': false,
            'd-smsOriginal': false,
            'd-suppressedOnSms': false,
            'd-twoOriginals-1': false,
            'd-unsubscribedAfterNow': false,
            'd-untouched': false,
            // Due exactly `expire` ago (2026-11-22T10:00Z): not yet more than a day late.
            'd-edgeStart': false,
            // Due more than a day ago.
            'd-tooOld': true,
            'd-earliestTooOld-1': true,
            'd-longOverdue': true,
        });
    });

    it('selects nothing when now is not after the watermark', async () => {
        expect(await runSelection(ctx.store, rule, { w: now, now })).toEqual([]);
        expect(await runSelection(ctx.store, rule, { w: shift(now, { hours: 1 }), now })).toEqual([]);
        expect(await runSelection(ctx.store, rule, { w: shift(now, { days: 30 }), now })).toEqual([]);
    });
});
