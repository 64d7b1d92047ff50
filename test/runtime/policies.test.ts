/**
 * Acceptance (docs/language.md §6): frequency caps (a rule's `limit`, the project policy's), quiet
 * hours (the recipient's zone, the rule's zone, release and recheck) and `opened by a person`, end to
 * end — records in the store, `runRules` then `dispatchOutbox` into an outbox folder, the `.eml` files
 * read back — with the exact recipients each case must give, on PGlite and on PostgreSQL 15.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { explainEvent, runRules } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, insertDelivery, insertEvent, resetStore, shift, track, type Instant } from '../support/sql-fixtures.js';
import { decisionsOf, plansOf, recipients, runAndDispatch, outboxFolders } from './support.js';

const schema = `
event cartAbandonment {
  key customerId
  customerId: string
  email: email
  firstName: string
  timezone: string?
}
event purchase { key customerId  customerId: string  email: email }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart is waiting" text: "Hi {{ firstName }}" }
message lastChance for cartAbandonment email { subject: "Last chance, {{ firstName }}" text: "Bye {{ firstName }}" }
`;

const newOutbox = outboxFolders();

type Db = Parameters<typeof eventWithDelivery>[0];

/** A cart `id` of customer `c-<id>`, to `email`, its original email sent at `sentAt`. */
function cart(db: Db, id: string, email: string, sentAt: Instant, extra: Record<string, unknown> = {}): Promise<string> {
    return eventWithDelivery(db, {
        id, type: 'cartAbandonment', sentAt, recipient: email,
        payload: { customerId: `c-${id}`, email, firstName: id[0]!.toUpperCase() + id.slice(1), ...extra },
    });
}

/** A follow-up `rule` already made for a cart of its own (`prev-<n>`), to `email`, at `sentAt`. */
let previous = 0;
async function earlierFollowup(db: Db, rule: string, email: string, sentAt: Instant, status: 'sent' | 'queued' | 'failed' | 'cancelled' = 'sent') {
    const id = `prev-${++previous}`;
    await cart(db, id, email, shift(sentAt, { days: -10 }));
    await insertDelivery(db, { id: `${rule}:${id}`, eventId: id, sentAt, rule, recipient: email, status });
}

const now = new Date('2026-11-23T10:00:00Z');
/** Due for `sent 1 day ago` at `now` on a first run (lookback one day). */
const due = (minutes = 0) => shift(now, { days: -1, hours: -2, minutes });

async function messagesTo(outbox: string): Promise<string[]> {
    return recipients(outbox);
}

describe('caps and quiet hours', () => {
    const capsSource = `${schema}
followup once {
  when cartAbandonment sent 1 day ago then send followup email
  limit 1 per recipient per 7 days
}
followup thrice {
  when cartAbandonment sent 1 day ago then send lastChance email
  limit 3 per recipient per 7 days
}
`;
    const projectSource = `${schema}
event signup { key customerId  customerId: string  email: email }
message welcome for signup email { subject: "Welcome" text: "Hi" }
when cartAbandonment sent 1 day ago then send followup email
when cartAbandonment sent 2 days ago then send lastChance email
when signup sent 1 day ago then send welcome email
policy {
  limit 1 per recipient per 1 day on email
}
`;
    const quietSource = `${schema}
followup night {
  when cartAbandonment sent 1 day ago and not purchase since sent then send followup email
  quiet hours 21:00 to 08:00 in "Europe/Paris"
}
`;
    const personSource = `${schema}
followup spared { when cartAbandonment sent 1 day ago and not opened by a person then send followup email }
followup engaged { when cartAbandonment sent 1 day ago and opened by a person then send lastChance email }
`;
    let caps: RenderPlan[];
    let project: RenderPlan[];
    let quiet: RenderPlan[];
    let person: RenderPlan[];

    forEachEngine('policies', (ctx) => {
        beforeEach(async () => {
            caps ??= await plansOf({ 'shop.followup': capsSource });
            project ??= await plansOf({ 'shop.followup': projectSource });
            quiet ??= await plansOf({ 'shop.followup': quietSource });
            person ??= await plansOf({ 'shop.followup': personSource });
            await resetStore(ctx.store);
        });

        it('limit 1 per recipient per 7 days: one per address in a run, the window (now - 7 days, now], queued counts, failed does not', async () => {
            const db = ctx.store;
            // Ana has three carts due at once: the earliest gets the follow-up, the others are capped.
            await cart(db, 'ana1', 'ana@example.com', due(0));
            await cart(db, 'ana2', 'ana@example.com', due(1));
            await cart(db, 'ana3', ' ANA@example.com', due(2)); // addresses compare trimmed and lower-cased
            // Earlier follow-ups of this rule: exactly 7 days ago is outside the window; a minute later, inside.
            await cart(db, 'bob', 'bob@example.com', due());
            await earlierFollowup(db, 'once', 'bob@example.com', shift(now, { days: -7 }));
            await cart(db, 'carol', 'carol@example.com', due());
            await earlierFollowup(db, 'once', 'carol@example.com', shift(now, { days: -7, minutes: 1 }));
            // Another rule's follow-up does not count against this rule's limit.
            await cart(db, 'dave', 'dave@example.com', due());
            await earlierFollowup(db, 'thrice', 'dave@example.com', shift(now, { hours: -1 }));
            // Queued (not yet dispatched) counts; failed and cancelled were never sent and do not.
            await cart(db, 'eve', 'eve@example.com', due());
            await earlierFollowup(db, 'once', 'eve@example.com', shift(now, { hours: -1 }), 'queued');
            await cart(db, 'fay', 'fay@example.com', due());
            await earlierFollowup(db, 'once', 'fay@example.com', shift(now, { hours: -1 }), 'failed');
            await earlierFollowup(db, 'once', 'fay@example.com', shift(now, { hours: -2 }), 'cancelled');

            const outbox = newOutbox();
            const { report } = await runAndDispatch(db, caps, { now, onlyRule: 'once', outboxDir: outbox });

            expect(await messagesTo(outbox)).toEqual(['ana@example.com', 'bob@example.com', 'dave@example.com', 'fay@example.com']);
            expect(await decisionsOf(db, 'once')).toMatchObject({
                ana1: 'send', ana2: 'capped', ana3: 'capped', bob: 'send', carol: 'capped', dave: 'send', eve: 'capped', fay: 'send',
            });
            expect(report.total).toMatchObject({ selected: 8, sent: 4, capped: 4 });

            const carol = await explainEvent(db, caps, 'carol', now);
            expect(carol.verdicts.find((v) => v.rule === 'once')!.reason).toBe(
                'capped: 1 follow-up of this rule to carol@example.com since 2026-11-16T10:00:00Z (limit 1 per recipient per 7 days), decided at 2026-11-23T10:00:00Z');
            // Not capped by `once`: `thrice` has a limit of its own, and Carol's earlier one was `once`'s.
            const thrice = carol.verdicts.find((v) => v.rule === 'thrice')!;
            expect(thrice).toMatchObject({ wouldSend: true, kind: 'would-send' });
        });

        it('limit 3 per recipient per 7 days: five carts of one address give three follow-ups, the earliest three', async () => {
            const db = ctx.store;
            for (let i = 1; i <= 5; i++) await cart(db, `ana${i}`, 'ana@example.com', due(i));
            await cart(db, 'bob1', 'bob@example.com', due(1));
            await cart(db, 'bob2', 'bob@example.com', due(2));
            await earlierFollowup(db, 'thrice', 'bob@example.com', shift(now, { days: -3 }));
            await earlierFollowup(db, 'thrice', 'bob@example.com', shift(now, { days: -2 }));

            const outbox = newOutbox();
            const { report } = await runAndDispatch(db, caps, { now, onlyRule: 'thrice', outboxDir: outbox });
            expect(await messagesTo(outbox)).toEqual(['ana@example.com', 'ana@example.com', 'ana@example.com', 'bob@example.com']);
            expect(await decisionsOf(db, 'thrice')).toEqual({
                ana1: 'send', ana2: 'send', ana3: 'send', ana4: 'capped', ana5: 'capped', bob1: 'send', bob2: 'capped',
            });
            expect(report.total).toMatchObject({ selected: 7, sent: 4, capped: 3 });
            const { rows } = await db.query<{ detail: unknown }>(`SELECT detail FROM decisions WHERE rule = 'thrice' AND event_id = 'bob2'`);
            expect(rows[0]!.detail).toEqual({
                limit: { count: 3, per: '7 days', scope: 'rule' }, counted: 3, since: '2026-11-16T10:00:00.000Z',
            });
            // A later run finds nothing new: capped is decided once, never retried.
            const again = await runAndDispatch(db, caps, { now: shift(now, { hours: 1 }), onlyRule: 'thrice', outboxDir: outbox });
            expect(again.report.total).toMatchObject({ selected: 0, sent: 0 });
        });

        it('a run of several chunks (2,500 carts, five addresses taking turns): limit 3 still gives each address its earliest three', async () => {
            // The run records 1,000 rows a statement and decides the next chunk while the last one is
            // written: the counts must not depend on whether an address's earlier follow-ups are in yet.
            const db = ctx.store;
            const first = due();
            await db.query(
                `INSERT INTO events (id, type, occurred_at, payload)
                 SELECT 'bulk' || i, 'cartAbandonment', $1::timestamptz + i * interval '1 second',
                        jsonb_build_object('customerId', 'c-bulk' || i, 'email', 'user' || (i % 5) || '@example.com', 'firstName', 'Bulk' || i)
                 FROM generate_series(1, 2500) AS i`,
                [first],
            );
            await db.query(
                `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
                 SELECT 'd-bulk' || i, 'bulk' || i, 'transactional', 'email', 'user' || (i % 5) || '@example.com', $1::timestamptz + i * interval '1 second'
                 FROM generate_series(1, 2500) AS i`,
                [first],
            );
            // The run alone, before dispatch rechecks the caps of what it releases.
            const report = await runRules(db, caps, { now, onlyRule: 'thrice' });
            expect(report.total).toMatchObject({ selected: 2500, queued: 15, capped: 2485 });
            const sent = Object.entries(await decisionsOf(db, 'thrice')).filter(([, outcome]) => outcome === 'send').map(([event]) => event);
            // Cart i goes to user<i % 5>: the earliest three of each address are carts 1-15.
            expect(sent.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))).toEqual(Array.from({ length: 15 }, (_, i) => `bulk${i + 1}`));
        });

        it('the project policy counts every rule on its channel, never transactional messages nor other channels', async () => {
            const db = ctx.store;
            // Ana: one cart due for the 1-day rule, another for the 2-day rule: one follow-up in all.
            await cart(db, 'ana1', 'ana@example.com', due());
            await cart(db, 'ana2', 'ana@example.com', shift(due(), { days: -1 }));
            // Bob: a follow-up of any rule earlier today caps him; transactional messages do not count.
            await cart(db, 'bob', 'bob@example.com', due());
            await earlierFollowup(db, 'someRetiredRule', 'bob@example.com', shift(now, { hours: -3 }));
            // Carol: only her own transactional messages today.
            await cart(db, 'carol', 'carol@example.com', due());
            await cart(db, 'carolToday', 'carol@example.com', shift(now, { hours: -1 }));
            // Dave's signup and his cart are both due: the policy limits them together.
            await eventWithDelivery(db, { id: 'daveSignup', type: 'signup', sentAt: due(), recipient: 'dave@example.com', payload: { customerId: 'c-dave', email: 'dave@example.com' } });
            await cart(db, 'dave', 'dave@example.com', due(5));

            const outbox = newOutbox();
            const { report } = await runAndDispatch(db, project, { now, outboxDir: outbox });
            expect(await messagesTo(outbox)).toEqual(['ana@example.com', 'carol@example.com', 'dave@example.com']);
            // Rules run in name order: cartAbandonment_followup_email before cartAbandonment_lastChance_email, then signup_welcome_email.
            expect(await decisionsOf(db, 'cartAbandonment_followup_email')).toEqual({ ana1: 'send', bob: 'capped', carol: 'send', dave: 'send' });
            expect(await decisionsOf(db, 'cartAbandonment_lastChance_email')).toEqual({ ana2: 'capped' });
            expect(await decisionsOf(db, 'signup_welcome_email')).toEqual({ daveSignup: 'capped' });
            expect(report.total).toMatchObject({ sent: 3, capped: 3 });
            const explained = await explainEvent(db, project, 'ana2', now);
            expect(explained.verdicts.find((v) => v.rule === 'cartAbandonment_lastChance_email')!.reason).toBe(
                "capped: 1 follow-up on email to ana@example.com since 2026-11-22T10:00:00Z (the project policy's limit 1 per recipient per 1 day), decided at 2026-11-23T10:00:00Z");
        });

        it("quiet hours across midnight: the recipient's zone when valid, else the rule's; held, then released and rechecked", async () => {
            const db = ctx.store;
            const night = new Date('2026-11-23T22:30:00Z'); // 23:30 in Paris, 17:30 in New York, 07:30 the next day in Tokyo
            const dueAt = shift(night, { days: -1, hours: -1 });
            await cart(db, 'paris', 'paris@example.com', dueAt); // no zone: the rule's, Paris → held until 08:00 Paris
            await cart(db, 'york', 'york@example.com', dueAt, { timezone: 'America/New_York' }); // 17:30: sent at once
            await cart(db, 'tokyo', 'tokyo@example.com', dueAt, { timezone: 'Asia/Tokyo' }); // 07:30: held until 08:00 Tokyo
            await cart(db, 'mars', 'mars@example.com', dueAt, { timezone: 'Mars/Olympus_Mons' }); // not a zone: Paris's
            await cart(db, 'buyer', 'buyer@example.com', dueAt); // held, then buys before the quiet hours end

            const outbox = newOutbox();
            const first = await runAndDispatch(db, quiet, { now: night, outboxDir: outbox });
            expect(await messagesTo(outbox)).toEqual(['york@example.com']);
            expect(first.report.total).toMatchObject({ selected: 5, queued: 5, held: 4, sent: 1 });
            const { rows: held } = await db.query<{ delivery_id: string; held_until: Date; next_attempt_at: Date }>(
                `SELECT delivery_id, held_until, next_attempt_at FROM outbox WHERE held_until IS NOT NULL ORDER BY delivery_id`);
            expect(held.map((r) => [r.delivery_id, r.held_until.toISOString()])).toEqual([
                ['night:buyer', '2026-11-24T07:00:00.000Z'],
                ['night:mars', '2026-11-24T07:00:00.000Z'],
                ['night:paris', '2026-11-24T07:00:00.000Z'],
                ['night:tokyo', '2026-11-23T23:00:00.000Z'],
            ]);
            expect(held.every((r) => r.next_attempt_at.getTime() === r.held_until.getTime())).toBe(true);
            const paris = await explainEvent(db, quiet, 'paris', night);
            expect(paris.verdicts[0]!.reason).toBe(
                'decided at 2026-11-23T22:30:00Z, held until 08:00 Europe/Paris (quiet hours 21:00–08:00; 2026-11-24T07:00:00Z)');

            // A dispatch before the end sends nothing held; the first one after it sends, rechecked.
            await runAndDispatch(db, quiet, { now: shift(night, { minutes: 29 }), outboxDir: outbox });
            expect(await messagesTo(outbox)).toEqual(['york@example.com']);
            await insertEvent(db, { id: 'p1', type: 'purchase', occurredAt: '2026-11-24T02:00:00Z', payload: { customerId: 'c-buyer', email: 'buyer@example.com' } });
            const tokyoEnd = await runAndDispatch(db, quiet, { now: new Date('2026-11-23T23:00:00Z'), outboxDir: outbox });
            expect(tokyoEnd.sent.map((m) => m.to)).toEqual(['tokyo@example.com']);
            const morning = new Date('2026-11-24T07:00:00Z');
            const released = await runAndDispatch(db, quiet, { now: morning, outboxDir: outbox });
            expect(released.sent.map((m) => m.to).sort()).toEqual(['mars@example.com', 'paris@example.com']);
            expect(released.report.total).toMatchObject({ stopped: 1 });
            expect(await messagesTo(outbox)).toEqual(['mars@example.com', 'paris@example.com', 'tokyo@example.com', 'york@example.com']);
            expect(await decisionsOf(db, 'night')).toEqual({ buyer: 'stopped', mars: 'send', paris: 'send', tokyo: 'send', york: 'send' });
            // A held follow-up's delivery is timed when it was released: chained rules measure from then.
            const { rows: times } = await db.query<{ id: string; sent_at: Date }>(
                `SELECT id, sent_at FROM deliveries WHERE rule = 'night' AND status = 'sent' ORDER BY id`);
            expect(times.map((r) => [r.id, r.sent_at.toISOString()])).toEqual([
                ['night:mars', morning.toISOString()],
                ['night:paris', morning.toISOString()],
                ['night:tokyo', '2026-11-23T23:00:00.000Z'],
                ['night:york', night.toISOString()],
            ]);
        });

        it('quiet hours on both daylight-saving nights in Europe/Paris: released at 08:00 local', async () => {
            const db = ctx.store;
            // 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
            const spring = new Date('2026-03-28T23:30:00Z'); // 00:30 CET
            const autumn = new Date('2026-10-24T23:30:00Z'); // 01:30 CEST
            await cart(db, 'spring', 'spring@example.com', shift(spring, { days: -1, hours: -1 }));
            await cart(db, 'autumn', 'autumn@example.com', shift(autumn, { days: -1, hours: -1 }));
            await runAndDispatch(db, quiet, { now: spring, outboxDir: newOutbox() });
            await runAndDispatch(db, quiet, { now: autumn, outboxDir: newOutbox() });
            const { rows } = await db.query<{ delivery_id: string; held_until: Date }>(
                `SELECT delivery_id, held_until FROM outbox ORDER BY delivery_id`);
            expect(rows.map((r) => [r.delivery_id, r.held_until.toISOString()])).toEqual([
                ['night:autumn', '2026-10-25T07:00:00.000Z'], // 08:00 CET (UTC+1)
                ['night:spring', '2026-03-29T06:00:00.000Z'], // 08:00 CEST (UTC+2)
            ]);
        });

        it('opened by a person: a machine open alone is not one, a click is', async () => {
            const db = ctx.store;
            await cart(db, 'none', 'none@example.com', due());
            const machine = await cart(db, 'machine', 'machine@example.com', due());
            await track(db, { deliveryId: machine, kind: 'open', at: shift(now, { hours: -20 }), machine: true });
            const clicker = await cart(db, 'clicker', 'clicker@example.com', due());
            await track(db, { deliveryId: clicker, kind: 'open', at: shift(now, { hours: -20 }), machine: true });
            await track(db, { deliveryId: clicker, kind: 'click', at: shift(now, { hours: -19 }) });
            const reader = await cart(db, 'reader', 'reader@example.com', due());
            await track(db, { deliveryId: reader, kind: 'open', at: shift(now, { hours: -20 }) });

            const explained = await explainEvent(db, person, 'reader', now);
            expect(explained.verdicts.find((v) => v.rule === 'spared')!.reason).toBe('opened by a person at 2026-11-22T14:00:00Z');
            const outbox = newOutbox();
            await runAndDispatch(db, person, { now, outboxDir: outbox });
            expect(await decisionsOf(db, 'spared')).toEqual({ machine: 'send', none: 'send' });
            expect(await decisionsOf(db, 'engaged')).toEqual({ clicker: 'send', reader: 'send' });
            expect(await messagesTo(outbox)).toEqual(['clicker@example.com', 'machine@example.com', 'none@example.com', 'reader@example.com']);
        });
    });
});
