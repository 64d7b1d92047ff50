/**
 * Acceptance: the execution semantics of docs/language.md §4, end to end — records in the store (plain SQL),
 * `runRules` then `dispatchOutbox` into an outbox folder, and the `.eml` files read back — with the
 * exact recipients each case must give, on PGlite and on a real PostgreSQL 15 server.
 */
import * as fs from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { dispatchOutbox, runRules, type SendResult, type Transport } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, insertEvent, resetStore, shift, suppress, track } from '../support/sql-fixtures.js';
import { count, decisionsOf, plansOf, readOutbox, recipients, runAndDispatch, snapshot, outboxFolders } from './support.js';

const source = `
event cartAbandonment {
  key customerId
  customerId: string
  email: email
  firstName: string
  cartTotal: decimal
  currency: string
}

event purchase {
  key customerId
  customerId: string
  email: email
  total: decimal
}

message followup for cartAbandonment email {
  subject: "{{ firstName }}, your cart is waiting"
  html: "<p>Hi {{ firstName }}, your cart of {{ cartTotal | money(currency) }} is waiting.</p>"
  text: "Hi {{ firstName }}, your cart of {{ cartTotal | money(currency) }} is waiting."
}

message lastChance for cartAbandonment email {
  subject: "Last chance, {{ firstName }}"
  text: "{{ firstName }}, this is the last reminder."
}

// The mission sentence.
when cartAbandonment sent 3 days ago and not opened then send followup email

followup bigCart {
  when cartAbandonment sent 3 days ago and cartTotal >= 100 and currency in ("EUR", "USD")
  then send lastChance email
}

followup noPurchase {
  when cartAbandonment sent 3 days ago and not purchase since sent
  then send lastChance email
}

followup chase {
  when cartAbandonment_followup_email sent 4 days ago and not opened
  then send lastChance email
  expire 2 days
}
`;

const mission = 'cartAbandonment_followup_email';
const plans: RenderPlan[] = await plansOf({ 'shop.followup': source });

// A daily run at 10:00 UTC. The first run's watermark is now - lookback (1 day), so `sent 3 days ago`
// selects sent_at in (2026-11-19T10:00Z, 2026-11-20T10:00Z].
const now = new Date('2026-11-23T10:00:00Z');
const due = new Date('2026-11-20T08:00:00Z');

const newOutbox = outboxFolders();

type Db = Parameters<typeof eventWithDelivery>[0];

/** A cart of `name` (email `<name>@example.com`, customer `c-<name>`), its original email sent at `sentAt`: event id = name. */
function cart(db: Db, name: string, sentAt: Date, extra: { total?: number; currency?: string; status?: 'sent' | 'failed'; email?: string } = {}) {
    return eventWithDelivery(db, {
        id: name,
        type: 'cartAbandonment',
        sentAt,
        payload: {
            customerId: `c-${name}`,
            email: extra.email ?? `${name}@example.com`,
            firstName: name[0]!.toUpperCase() + name.slice(1),
            cartTotal: extra.total ?? 50,
            currency: extra.currency ?? 'EUR',
        },
        ...(extra.status ? { status: extra.status } : {}),
        recipient: extra.email ?? `${name}@example.com`,
    });
}

function purchase(db: Db, name: string, at: Date) {
    return insertEvent(db, {
        id: `purchase-${name}-${at.getTime()}`,
        type: 'purchase',
        occurredAt: at,
        payload: { customerId: `c-${name}`, email: `${name}@example.com`, total: 10 },
    });
}

forEachEngine('§4 execution semantics', (ctx) => {
    beforeEach(async () => {
        await resetStore(ctx.store);
    });

    it('the mission sentence: due vs too recent, opened, clicked only, opened after now, failed, hard-bounced, unsubscribed', async () => {
        const db = ctx.store;
        await cart(db, 'ana', due); // due, never opened
        await cart(db, 'recent', shift(now, { days: -3, minutes: 1 })); // due only a minute after now
        await cart(db, 'edge', shift(now, { days: -3 })); // exactly now - 3 days: included
        await cart(db, 'old', shift(now, { days: -4, minutes: -1 })); // before the window: an earlier run's
        const opened = await cart(db, 'opened', due);
        await track(db, { deliveryId: opened, kind: 'open', at: '2026-11-21T09:00:00Z' });
        const clicked = await cart(db, 'clicked', due);
        await track(db, { deliveryId: clicked, kind: 'click', at: '2026-11-21T09:00:00Z' }); // a click proves the open
        const late = await cart(db, 'late', due);
        await track(db, { deliveryId: late, kind: 'open', at: shift(now, { minutes: 1 }) }); // after now: does not exist yet
        await cart(db, 'failed', due, { status: 'failed' }); // never sent: no follow-up
        await cart(db, 'bounced', due);
        await suppress(db, { address: 'bounced@example.com', reason: 'hard_bounce', at: '2026-11-20T09:00:00Z' });
        await cart(db, 'unsub', due, { email: ' Unsub@Example.com' }); // addresses compare normalised
        await suppress(db, { address: 'unsub@example.com', reason: 'unsubscribe', at: '2026-11-22T00:00:00Z' });
        await cart(db, 'later', due);
        await suppress(db, { address: 'later@example.com', reason: 'unsubscribe', at: shift(now, { hours: 1 }) }); // after now

        const outbox = newOutbox();
        const { report, sent } = await runAndDispatch(db, plans, { now, onlyRule: mission, outboxDir: outbox });

        expect(await recipients(outbox)).toEqual(['ana@example.com', 'edge@example.com', 'late@example.com', 'later@example.com']);
        expect(report.total).toMatchObject({ selected: 6, sent: 4, suppressed: 2, expired: 0, stopped: 0, failed: 0 });
        expect(await decisionsOf(db, mission)).toEqual({
            ana: 'send', edge: 'send', late: 'send', later: 'send', bounced: 'suppressed', unsub: 'suppressed',
        });
        expect(sent.map((m) => m.to).sort()).toEqual(['ana@example.com', 'edge@example.com', 'late@example.com', 'later@example.com']);

        const ana = (await readOutbox(outbox)).find((m) => m.to === 'ana@example.com')!;
        expect(ana.subject).toBe('Ana, your cart is waiting');
        expect(ana.text.trim()).toBe('Hi Ana, your cart of €50.00 is waiting.');
        expect(ana.html).toContain('<p>Hi Ana, your cart of €50.00 is waiting.</p>');
        expect(ana.messageId).toBe(`<${mission}=3Aana@followup>`);
        expect(ana.file).toBe(`${mission}~ana.eml`);

        // The follow-up's delivery: deterministic id, timed with the run's now, sent.
        const { rows } = await db.query<{ id: string; sent_at: Date; status: string; rule: string; message: string }>(
            `SELECT id, sent_at, status, rule, message FROM deliveries WHERE rule = $1 AND event_id = 'ana'`, [mission]);
        expect(rows).toEqual([{ id: `${mission}:ana`, sent_at: now, status: 'sent', rule: mission, message: 'followup' }]);
        expect(await count(db, `outbox WHERE status = 'sent'`)).toBe(4);
        expect(await count(db, `runs WHERE rule = $1 AND selected = 6`, [mission])).toBe(1);
    });

    it('field filters: cartTotal >= 100 and currency in ("EUR", "USD")', async () => {
        const db = ctx.store;
        await cart(db, 'big', due, { total: 150, currency: 'EUR' });
        await cart(db, 'boundary', due, { total: 100, currency: 'USD' });
        await cart(db, 'small', due, { total: 99.99, currency: 'EUR' });
        await cart(db, 'pounds', due, { total: 200, currency: 'GBP' });
        const outbox = newOutbox();
        const { report } = await runAndDispatch(db, plans, { now, onlyRule: 'bigCart', outboxDir: outbox });
        expect(await recipients(outbox)).toEqual(['big@example.com', 'boundary@example.com']);
        expect((await readOutbox(outbox)).map((m) => m.subject).sort()).toEqual(['Last chance, Big', 'Last chance, Boundary']);
        expect(report.total).toMatchObject({ selected: 2, sent: 2 });
    });

    it('not purchase since sent, including a purchase that lands between selection and dispatch', async () => {
        const db = ctx.store;
        await cart(db, 'buyer', due);
        await purchase(db, 'buyer', new Date('2026-11-21T12:00:00Z')); // bought since: not selected
        await cart(db, 'before', due);
        await purchase(db, 'before', new Date('2026-11-19T12:00:00Z')); // bought before the cart was sent: still due
        await cart(db, 'future', due);
        await purchase(db, 'future', shift(now, { minutes: 5 })); // after now: does not exist yet
        await cart(db, 'racer', due); // buys after the selection, before the dispatch
        await cart(db, 'quitter', due); // unsubscribes after the selection, before the dispatch
        const outbox = newOutbox();
        const { report } = await runAndDispatch(db, plans, {
            now,
            onlyRule: 'noPurchase',
            outboxDir: outbox,
            between: async () => {
                await purchase(db, 'racer', shift(now, { minutes: -1 }));
                await suppress(db, { address: 'quitter@example.com', reason: 'unsubscribe', at: shift(now, { minutes: -1 }) });
            },
        });
        expect(await recipients(outbox)).toEqual(['before@example.com', 'future@example.com']);
        expect(report.total).toMatchObject({ selected: 4, sent: 2, stopped: 1, suppressed: 1, failed: 0 });
        expect(await decisionsOf(db, 'noPurchase')).toEqual({ before: 'send', future: 'send', racer: 'stopped', quitter: 'suppressed' });
        const { rows } = await db.query<{ id: string; status: string; outbox: string }>(
            `SELECT d.id, d.status, o.status AS outbox FROM deliveries d JOIN outbox o ON o.delivery_id = d.id
             WHERE d.rule = 'noPurchase' ORDER BY d.id`);
        expect(rows).toEqual([
            { id: 'noPurchase:before', status: 'sent', outbox: 'sent' },
            { id: 'noPurchase:future', status: 'sent', outbox: 'sent' },
            { id: 'noPurchase:quitter', status: 'suppressed', outbox: 'stopped' },
            { id: 'noPurchase:racer', status: 'cancelled', outbox: 'stopped' },
        ]);
    });

    it('a chained reminder fires 4 days after the first follow-up was sent, measured from that run\'s now', async () => {
        const db = ctx.store;
        await cart(db, 'ana', due);
        await cart(db, 'ben', due);
        const outbox = newOutbox();
        const rules = plans.filter((p) => p.rule === mission || p.rule === 'chase');
        await runAndDispatch(db, rules, { now, outboxDir: outbox });
        expect(await recipients(outbox)).toEqual(['ana@example.com', 'ben@example.com']);
        // Ben opens the reminder; the chase skips him.
        await track(db, { deliveryId: `${mission}:ben`, kind: 'open', at: shift(now, { days: 1 }) });

        const day = (n: number) => shift(now, { days: n });
        for (const n of [1, 2, 3]) {
            const { report } = await runAndDispatch(db, rules, { now: day(n), outboxDir: outbox });
            expect(report.total.sent, `day +${n}`).toBe(0);
        }
        const { report, sent } = await runAndDispatch(db, rules, { now: day(4), outboxDir: outbox });
        expect(sent.map((m) => [m.rule, m.to, m.subject])).toEqual([['chase', 'ana@example.com', 'Last chance, Ana']]);
        expect(report.rules.find((r) => r.rule === 'chase')).toMatchObject({ selected: 1, sent: 1 });
        const chaseFiles = (await readOutbox(outbox)).filter((m) => m.file.startsWith('chase~'));
        expect(chaseFiles.map((m) => [m.to, m.subject])).toEqual([['ana@example.com', 'Last chance, Ana']]);
    });

    it('a missed run is caught up: every delivery that became due is decided; the ones over `expire` are expired, not sent', async () => {
        const db = ctx.store;
        // The last successful run was 5 days ago.
        await db.query('INSERT INTO rule_watermarks (rule, watermark) VALUES ($1, $2)', [mission, shift(now, { days: -5 }).toISOString()]);
        // Window: (now - 8 days, now - 3 days]. Due at sent_at + 3 days; expired when due more than 1 day before now.
        await cart(db, 'first', shift(now, { days: -8, minutes: 1 })); // due 5 days ago: expired
        await cart(db, 'second', shift(now, { days: -5 })); // due 2 days ago: expired
        await cart(db, 'third', shift(now, { days: -4, minutes: 1 })); // due 23h59m ago: within expire, sent
        await cart(db, 'fourth', shift(now, { days: -3, hours: -1 })); // due 1 hour ago: sent
        await cart(db, 'outside', shift(now, { days: -8 })); // the last run's window: not this run's
        const outbox = newOutbox();
        const { report } = await runAndDispatch(db, plans, { now, onlyRule: mission, outboxDir: outbox });
        expect(await recipients(outbox)).toEqual(['fourth@example.com', 'third@example.com']);
        expect(report.total).toMatchObject({ selected: 4, sent: 2, expired: 2 });
        expect(await decisionsOf(db, mission)).toEqual({ first: 'expired', second: 'expired', third: 'send', fourth: 'send' });
        expect(report.rules[0]!.watermark).toEqual(shift(now, { days: -5 }));
        const { rows } = await db.query<{ watermark: Date }>('SELECT watermark FROM rule_watermarks WHERE rule = $1', [mission]);
        expect(rows[0]!.watermark).toEqual(now);
    });

    it('a repeated run with the same now sends nothing, and so does a run with an earlier now', async () => {
        const db = ctx.store;
        await cart(db, 'ana', due);
        const outbox = newOutbox();
        const first = await runAndDispatch(db, plans, { now, outboxDir: outbox });
        expect(first.report.total.sent).toBe(2); // the mission rule and noPurchase (bigCart: 50 < 100; chase: not yet)
        const before = await snapshot(db);
        for (const again of [now, shift(now, { hours: -1 })]) {
            const { report, sent } = await runAndDispatch(db, plans, { now: again, outboxDir: outbox });
            expect(sent).toEqual([]);
            expect(report.total).toMatchObject({ selected: 0, sent: 0, suppressed: 0, expired: 0, stopped: 0, failed: 0 });
            expect(report.rules.every((r) => r.notAfterWatermark)).toBe(true);
        }
        expect(await snapshot(db)).toEqual(before);
        expect(await recipients(outbox)).toEqual(['ana@example.com', 'ana@example.com']);
    });

    it('a dry run renders and counts, and changes nothing (not even the first-run watermarks)', async () => {
        const db = ctx.store;
        await cart(db, 'ana', due);
        await cart(db, 'bob', due, { total: 120 });
        await cart(db, 'bounced', due);
        await suppress(db, { address: 'bounced@example.com', at: '2026-11-20T09:00:00Z' });
        const before = await snapshot(db);
        const outbox = newOutbox();
        const queued: string[] = [];
        const { report } = await runAndDispatch(db, plans, {
            now, dryRun: true, outboxDir: outbox, onQueued: (m) => queued.push(`${m.rule} ${m.to} ${m.subject}`),
        });
        expect(report.dryRun).toBe(true);
        expect(report.total).toMatchObject({ selected: 7, queued: 5, suppressed: 2, sent: 0 });
        expect(queued.sort()).toEqual([
            'bigCart bob@example.com Last chance, Bob',
            `${mission} ana@example.com Ana, your cart is waiting`,
            `${mission} bob@example.com Bob, your cart is waiting`,
            'noPurchase ana@example.com Last chance, Ana',
            'noPurchase bob@example.com Last chance, Bob',
        ]);
        expect(await snapshot(db)).toEqual(before);
        expect(fs.existsSync(outbox)).toBe(false);
        // The real run then does what the dry run said.
        const real = await runAndDispatch(db, plans, { now, outboxDir: outbox });
        expect(real.report.total).toMatchObject({ selected: 7, sent: 5, suppressed: 2 });
    });

    it('data that is hard to encode travels intact, from the event to the outbox row and the file', async () => {
        const db = ctx.store;
        const name = `O'Brien "Bob" \\ {a,b} NULL ☃ <b>&amp;</b>\nline2 \u{1F600}`;
        await eventWithDelivery(db, {
            id: 'tricky {1}, "x"', type: 'cartAbandonment', sentAt: due, recipient: 'tricky@example.com',
            payload: { customerId: 'c-t', email: 'tricky@example.com', firstName: name, cartTotal: 1, currency: 'EUR' },
        });
        const outbox = newOutbox();
        const { report } = await runAndDispatch(db, plans, { now, onlyRule: mission, outboxDir: outbox });
        expect(report.total.sent).toBe(1);
        const { rows } = await db.query<{ delivery_id: string; content: Record<string, unknown> }>('SELECT delivery_id, content FROM outbox');
        // The row holds no message (rendered at dispatch, from the event and the profile as of renderAt).
        expect(rows).toEqual([{
            delivery_id: `${mission}:tricky {1}, "x"`,
            content: {
                eventId: 'tricky {1}, "x"', rule: mission, renderAt: expect.any(String),
                headers: { 'X-Followup-Rule': mission, 'X-Followup-Event': 'tricky {1}, "x"' },
            },
        }]);
        expect(new Date(rows[0]!.content.renderAt as string).toISOString()).toBe(now.toISOString());
        const [mail] = await readOutbox(outbox);
        expect(mail!.subject).toBe(`${name}, your cart is waiting`.replace('\n', ' '));
        expect(mail!.text.trim()).toBe(`Hi ${name}, your cart of €1.00 is waiting.`);
        expect(mail!.html.trim()).toBe(`<p>Hi O&#39;Brien &quot;Bob&quot; \\ {a,b} NULL ☃ &lt;b&gt;&amp;amp;&lt;/b&gt;\nline2 \u{1F600}, your cart of €1.00 is waiting.</p>`);
        expect(mail!.file).toBe(`${mission}~tricky%20%7B1%7D%2C%20%22x%22.eml`);
    });

    describe('dispatch', () => {
        /** A transport answering from a script, recording what it was given. */
        function scripted(answers: (to: string, attempt: number) => SendResult): Transport & { calls: string[] } {
            const calls: string[] = [];
            return {
                description: 'scripted',
                calls,
                async send(message) {
                    calls.push(message.to);
                    return answers(message.to, calls.filter((c) => c === message.to).length);
                },
                async close() {},
            };
        }

        it('retries temporary failures with a capped exponential backoff, then gives up; permanent failures fail at once', async () => {
            const db = ctx.store;
            await cart(db, 'flaky', due);
            await cart(db, 'down', due);
            await cart(db, 'refused', due);
            await cart(db, 'thrower', due);
            const report = await runRules(db, plans, { now, onlyRule: mission });
            expect(report.total.queued).toBe(4);
            const transport = scripted((to, attempt) => {
                if (to.startsWith('flaky')) return attempt < 2 ? { status: 'retry', error: '421 busy' } : { status: 'sent' };
                if (to.startsWith('down')) return { status: 'retry', error: 'connection refused', retryAfterMs: 1000 };
                if (to.startsWith('thrower')) throw new Error('socket hang up');
                return { status: 'failed', error: '550 no such user' };
            });
            const retry = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 90_000 };
            const dispatch = (at: Date) => dispatchOutbox(db, { transports: { email: transport }, plans, now: at, retry });

            const first = await dispatch(now);
            expect(first.total).toEqual({ sent: 0, failed: 1, stopped: 0, suppressed: 0, capped: 0, retrying: 3 });
            const outbox = async () => (await db.query<{ recipient: string; status: string; attempts: number; next_attempt_at: Date; last_error: string | null }>(
                `SELECT recipient, status, attempts, next_attempt_at, last_error FROM outbox ORDER BY recipient`)).rows;
            expect((await outbox()).map((r) => [r.recipient, r.status, r.attempts, r.next_attempt_at.getTime() - now.getTime(), r.last_error])).toEqual([
                ['down@example.com', 'pending', 1, 60_000, 'connection refused'],
                ['flaky@example.com', 'pending', 1, 60_000, '421 busy'],
                ['refused@example.com', 'failed', 1, 0, '550 no such user'],
                ['thrower@example.com', 'pending', 1, 60_000, 'socket hang up'],
            ]);
            // Not due again yet: nothing is tried.
            expect((await dispatch(shift(now, { seconds: 59 }))).total.retrying).toBe(0);
            const second = await dispatch(shift(now, { minutes: 1 }));
            expect(second.total).toMatchObject({ sent: 1, retrying: 2 });
            const rows = await outbox();
            expect(rows.find((r) => r.recipient.startsWith('down'))!.next_attempt_at).toEqual(shift(now, { minutes: 1, seconds: 90 })); // 120 s capped at 90 s
            const third = await dispatch(shift(now, { hours: 1 }));
            expect(third.total).toMatchObject({ failed: 2, retrying: 0 });
            expect((await outbox()).map((r) => [r.recipient, r.status, r.attempts])).toEqual([
                ['down@example.com', 'failed', 3], ['flaky@example.com', 'sent', 2], ['refused@example.com', 'failed', 1], ['thrower@example.com', 'failed', 3],
            ]);
            const { rows: deliveries } = await db.query<{ event_id: string; status: string }>(
                `SELECT event_id, status FROM deliveries WHERE rule IS NOT NULL ORDER BY event_id`);
            expect(deliveries).toEqual([
                { event_id: 'down', status: 'failed' }, { event_id: 'flaky', status: 'sent' },
                { event_id: 'refused', status: 'failed' }, { event_id: 'thrower', status: 'failed' },
            ]);
        });

        it('leaves rows of rules this process has no plan for', async () => {
            const db = ctx.store;
            await cart(db, 'ana', due);
            await runRules(db, plans, { now, onlyRule: mission });
            const transport = scripted(() => ({ status: 'sent' }));
            const others = plans.filter((p) => p.rule !== mission);
            const report = await dispatchOutbox(db, { transports: { email: transport }, plans: others, now });
            expect(report.total.sent).toBe(0);
            expect(transport.calls).toEqual([]);
            expect(await count(db, `outbox WHERE status = 'pending'`)).toBe(1);
        });

        it('records a follow-up that has no recipient as failed, with the reason, and goes on', async () => {
            const db = ctx.store;
            await cart(db, 'ana', due);
            await cart(db, 'nobody', due, { email: '  ' });
            const outbox = newOutbox();
            const { report } = await runAndDispatch(db, plans, { now, onlyRule: mission, outboxDir: outbox });
            expect(report.total).toMatchObject({ selected: 2, sent: 1, failed: 1 });
            expect(await recipients(outbox)).toEqual(['ana@example.com']);
            const { rows } = await db.query<{ status: string; last_error: string }>(
                `SELECT status, last_error FROM outbox WHERE delivery_id = $1`, [`${mission}:nobody`]);
            expect(rows).toEqual([{ status: 'failed', last_error: 'no email recipient: email is empty or missing' }]);
        });
    });
});
