// Rendering at dispatch (schema v11, dispatch/deferred.ts): a follow-up's outbox row holds no message,
// and dispatch renders it from the event and the profile as of the decision, with the templates of the
// project it dispatches. On both engines, with the outbox folder's files parsed back.
import { beforeEach, expect, it } from 'vitest';
import {
    createOutboxFolderTransport, dispatchOutbox, runRules, trackingDecorator, type RenderPlan, type SentMessage, type Store,
} from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { eventWithDelivery, insertProfile, resetStore, shift } from '../support/sql-fixtures.js';
import { plansOf, readOutbox, outboxFolders } from './support.js';

const newOutbox = outboxFolders('deferred');

const project = (subject: string) => ({ 'shop.followup': `
profile { key customerId  customerId: string  email: email  firstName: string  country: string }
event orderShipped targeting profile { customerId: string  orderId: string }
message nudge for orderShipped email {
  subject: "${subject}"
  html: "<p>Order {{ orderId }} <a href=\\"https://shop.example/o\\">see it</a></p>"
  text: "Order {{ orderId }}"
}
when orderShipped sent 3 days ago then send nudge email` });

const now = new Date('2026-11-23T10:00:00Z');
const tracking = { publicUrl: 'https://t.shop.example', secret: 'a-secret-long-enough-for-the-tests-0123456789' };

async function dispatch(store: Store, plans: readonly RenderPlan[], at: Date, options: { tracked?: boolean } = {}) {
    const outbox = newOutbox();
    const sent: SentMessage[] = [];
    const report = await dispatchOutbox(store, {
        transports: { email: createOutboxFolderTransport(outbox, { from: 'Shop <shop@example.com>' }) },
        plans, now: at, onSent: (m) => sent.push(m),
        ...(options.tracked ? { decorate: trackingDecorator(tracking) } : {}),
    });
    return { report, sent, mails: await readOutbox(outbox) };
}

forEachEngine('rendering at dispatch', (ctx) => {
    beforeEach(async () => {
        await resetStore(ctx.store);
        await insertProfile(ctx.store, { key: 'c-ana', updatedAt: '2026-11-01T00:00:00Z', payload: { customerId: 'c-ana', email: 'ana@example.com', firstName: 'Ana', country: 'DE' } });
        await eventWithDelivery(ctx.store, {
            id: 'order-1', type: 'orderShipped', sentAt: shift(now, { days: -3, hours: -1 }), recipient: 'ana@example.com',
            payload: { customerId: 'c-ana', orderId: 'A-17' },
        });
    });

    it('records no message, and sends what the decision rendered though the profile changed before dispatch', async () => {
        const plans = await plansOf(project('{{ profile.firstName }}, order {{ orderId }} is on its way'));
        const run = await runRules(ctx.store, plans, { now });
        expect(run.total.queued).toBe(1);
        const { rows } = await ctx.store.query<{ content: Record<string, unknown> }>('SELECT content FROM outbox');
        expect(Object.keys(rows[0]!.content).sort()).toEqual(['eventId', 'headers', 'renderAt', 'rule']);
        // The profile changes after the decision: dispatch still renders the version valid at it.
        await insertProfile(ctx.store, { key: 'c-ana', updatedAt: shift(now, { minutes: 30 }), payload: { customerId: 'c-ana', email: 'ana@example.com', firstName: 'Annie', country: 'DE' } });
        const { report, sent, mails } = await dispatch(ctx.store, plans, shift(now, { hours: 1 }));
        expect(report.total.sent).toBe(1);
        expect(sent.map((m) => m.subject)).toEqual(['Ana, order A-17 is on its way']);
        expect(mails.map((m) => [m.to, m.subject, m.text.trim()])).toEqual([['ana@example.com', 'Ana, order A-17 is on its way', 'Order A-17']]);
        expect(mails[0]!.headers.get('x-followup-rule')).toBe(plans[0]!.rule);
    });

    it('renders with the templates of the project it dispatches: a fix deployed in between reaches the follow-up', async () => {
        const typo = await plansOf(project('Yuor order {{ orderId }}'));
        await runRules(ctx.store, typo, { now });
        const fixed = await plansOf(project('Your order {{ orderId }}'));
        expect(fixed[0]!.rule).toBe(typo[0]!.rule);
        const { sent } = await dispatch(ctx.store, fixed, now);
        expect(sent.map((m) => m.subject)).toEqual(['Your order A-17']);
    });

    it('applies tracking when decided with it; a process without tracking leaves the follow-up pending with the reason, to retry', async () => {
        const plans = await plansOf(project('Order {{ orderId }}'));
        await runRules(ctx.store, plans, { now, decorate: trackingDecorator(tracking) });
        const without = await dispatch(ctx.store, plans, now);
        expect(without.report.total).toMatchObject({ sent: 0, failed: 0, retrying: 1 });
        expect(without.mails).toEqual([]);
        const { rows } = await ctx.store.query<{ status: string; last_error: string; attempts: number; next_attempt_at: Date; delivery: string }>(
            'SELECT o.status, o.last_error, o.attempts, o.next_attempt_at, d.status AS delivery FROM outbox o JOIN deliveries d ON d.id = o.delivery_id');
        expect(rows).toEqual([{
            status: 'pending', delivery: 'queued', attempts: 1, next_attempt_at: new Date(now.getTime() + 60_000),
            last_error: expect.stringContaining('decided with tracking, but this process has none'),
        }]);

        // Once the configuration is fixed, the next dispatch after the backoff sends it tracked: links
        // redirected, open pixel, unsubscribe headers.
        const tracked = await dispatch(ctx.store, plans, shift(now, { minutes: 1 }), { tracked: true });
        expect(tracked.report.total.sent).toBe(1);
        const [mail] = tracked.mails;
        expect(mail!.html).toContain('https://t.shop.example/');
        expect(mail!.html).not.toContain('href="https://shop.example/o"');
        expect(mail!.headers.get('list')).toMatchObject({ unsubscribe: { url: expect.stringContaining('https://t.shop.example/') } });
    });

    it('fails a follow-up whose rule now sends on another channel, with the reason', async () => {
        const email = await plansOf(project('Order {{ orderId }}'));
        await runRules(ctx.store, email, { now });
        const movedToSms = email.map((plan) => ({ ...plan, channel: 'sms' as const }));
        const { report } = await dispatch(ctx.store, movedToSms, now);
        expect(report.total).toMatchObject({ sent: 0, failed: 1 });
        const { rows } = await ctx.store.query<{ status: string; last_error: string }>('SELECT status, last_error FROM outbox');
        expect(rows).toEqual([{ status: 'failed', last_error: `rule ${email[0]!.rule} now sends on sms; this follow-up was decided for email` }]);
    });

    it('does not track what was decided without tracking, even when the dispatching process has it', async () => {
        const plans = await plansOf(project('Order {{ orderId }}'));
        await runRules(ctx.store, plans, { now });
        const { mails } = await dispatch(ctx.store, plans, now, { tracked: true });
        expect(mails[0]!.html).toContain('href="https://shop.example/o"');
        expect(mails[0]!.headers.get('list')).toBeUndefined();
    });

    it('sends a row recorded with its message (before schema v11) as it is, without rendering it again', async () => {
        const plans = await plansOf(project('Order {{ orderId }}'));
        const rule = plans[0]!.rule;
        const deliveryId = `${rule}:order-1`;
        await ctx.store.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status, rule) VALUES ($1, 'order-1', 'nudge', 'email', 'ana@example.com', $2, 'queued', $3)`,
            [deliveryId, now, rule],
        );
        await ctx.store.query(
            `INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at) VALUES ($1, $2, 'email', 'ana@example.com', $3::jsonb, $4)`,
            [deliveryId, rule, JSON.stringify({ eventId: 'order-1', rule, subject: 'As recorded', text: 'Recorded text', headers: {} }), now],
        );
        const { sent, mails } = await dispatch(ctx.store, plans, now);
        expect(sent.map((m) => m.subject)).toEqual(['As recorded']);
        expect(mails.map((m) => m.text.trim())).toEqual(['Recorded text']);
    });
});
