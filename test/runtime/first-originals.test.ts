// Schema v9: each original delivery carries whether it is its event's original (the earliest sent one
// no rule made), of any channel and of its own channel, kept by triggers whoever writes deliveries.
// The rules' selections test these flags instead of looking the original up per candidate, so every
// way an original can appear, change or go must keep them exact.
import { expect, it } from 'vitest';
import { dispatchOutbox, importHistory, migrate, migrations, openStore, type StoreTx, type Transport } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { insertDelivery, insertEvent, resetStore } from '../support/sql-fixtures.js';

const t = (hour: number) => `2026-11-20T${String(hour).padStart(2, '0')}:00:00Z`;

/** delivery id → [first_original, first_of_channel], for the event's originals. */
async function flags(db: StoreTx, eventId = 'e1'): Promise<Record<string, [boolean, boolean]>> {
    const { rows } = await db.query<{ id: string; first_original: boolean; first_of_channel: boolean }>(
        'SELECT id, first_original, first_of_channel FROM deliveries WHERE event_id = $1 AND rule IS NULL ORDER BY id', [eventId]);
    return Object.fromEntries(rows.map(r => [r.id, [r.first_original, r.first_of_channel]]));
}

forEachEngine('the original-delivery flags', (ctx) => {
    const given = async () => {
        await resetStore(ctx.store);
        await insertEvent(ctx.store, { id: 'e1', type: 'cart', payload: {} });
    };

    it('the only sent original is the original, of any channel and of its own', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'mail-10h', eventId: 'e1', sentAt: t(10) });
        expect(await flags(ctx.store)).toEqual({ 'mail-10h': [true, true] });
    });

    it('an earlier original recorded later takes over; per channel, each channel keeps its own', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'mail-10h', eventId: 'e1', sentAt: t(10) });
        await insertDelivery(ctx.store, { id: 'sms-08h', eventId: 'e1', sentAt: t(8), channel: 'sms' });
        expect(await flags(ctx.store)).toEqual({ 'mail-10h': [false, true], 'sms-08h': [true, true] });
        await insertDelivery(ctx.store, { id: 'mail-09h', eventId: 'e1', sentAt: t(9) });
        expect(await flags(ctx.store)).toEqual({ 'mail-09h': [false, true], 'mail-10h': [false, false], 'sms-08h': [true, true] });
    });

    it('the same instant: the smaller id first', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'b', eventId: 'e1', sentAt: t(10) });
        await insertDelivery(ctx.store, { id: 'a', eventId: 'e1', sentAt: t(10) });
        expect(await flags(ctx.store)).toEqual({ a: [true, true], b: [false, false] });
    });

    it('a queued original counts once it is sent (as dispatch settles it), and stops counting if it fails', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'mail-10h', eventId: 'e1', sentAt: t(10) });
        await insertDelivery(ctx.store, { id: 'mail-queued', eventId: 'e1', sentAt: t(7), status: 'queued' });
        expect(await flags(ctx.store)).toEqual({ 'mail-10h': [true, true], 'mail-queued': [false, false] });
        await ctx.store.query(`UPDATE deliveries SET status = 'sent', sent_at = $2 WHERE id = $1`, ['mail-queued', t(9)]);
        expect(await flags(ctx.store)).toEqual({ 'mail-10h': [false, false], 'mail-queued': [true, true] });
        await ctx.store.query(`UPDATE deliveries SET status = 'failed' WHERE id = 'mail-queued'`);
        expect(await flags(ctx.store)).toEqual({ 'mail-10h': [true, true], 'mail-queued': [false, false] });
    });

    it('follow-ups are never originals, and an original deleted hands over to the next', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'mail-10h', eventId: 'e1', sentAt: t(10) });
        await insertDelivery(ctx.store, { id: 'mail-11h', eventId: 'e1', sentAt: t(11) });
        await insertDelivery(ctx.store, { id: 'followup-08h', eventId: 'e1', sentAt: t(8), rule: 'r' });
        const { rows } = await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE rule IS NOT NULL AND (first_original OR first_of_channel)');
        expect(rows[0]!.n).toBe(0);
        await ctx.store.query(`DELETE FROM deliveries WHERE id = 'mail-10h'`);
        expect(await flags(ctx.store)).toEqual({ 'mail-11h': [true, true] });
    });

    // The settle writes the flags an event's only sent original has (so that the recount has nothing to
    // rewrite in that usual case); the recount must still correct them when the event has others.
    it('dispatch settles queued originals: exact flags whether the event has other originals or not', async () => {
        await given();
        const now = new Date(t(12));
        await insertEvent(ctx.store, { id: 'e2', type: 'cart', payload: {} });
        await insertEvent(ctx.store, { id: 'e3', type: 'cart', payload: {} });
        await insertDelivery(ctx.store, { id: 'e1-sms-08h', eventId: 'e1', sentAt: t(8), channel: 'sms' });
        await insertDelivery(ctx.store, { id: 'e1-mail-09h', eventId: 'e1', sentAt: t(9) });
        const queued = [['e1-mail-queued', 'e1'], ['e2-only', 'e2'], ['e3-b', 'e3'], ['e3-a', 'e3']];
        for (const [id, eventId] of queued) {
            await insertDelivery(ctx.store, { id: id!, eventId: eventId!, sentAt: now, status: 'queued' });
            await ctx.store.query(
                `INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
                 VALUES ($1, NULL, 'email', 'someone@example.com', jsonb_build_object('eventId', $2::text, 'subject', 'Hi', 'text', 'Hello', 'headers', '{}'::jsonb), $3)`,
                [id, eventId, now.toISOString()]);
        }
        const transport: Transport = { description: 'answers at once', idempotent: false, async send() { return { status: 'sent' }; }, async close() {} };
        const report = await dispatchOutbox(ctx.store, { transports: { email: transport }, plans: [], now, transactional: true });
        expect(report.total.sent).toBe(4);
        // e1: the sms at 08:00 stays the original, the mail at 09:00 the channel's; the one sent now is neither.
        expect(await flags(ctx.store, 'e1')).toEqual({ 'e1-mail-09h': [false, true], 'e1-mail-queued': [false, false], 'e1-sms-08h': [true, true] });
        expect(await flags(ctx.store, 'e2')).toEqual({ 'e2-only': [true, true] });
        // Two of one event settled in one statement at one instant: the smaller id first.
        expect(await flags(ctx.store, 'e3')).toEqual({ 'e3-a': [true, true], 'e3-b': [false, false] });
    });

    // The recount looks 1,500 events up one by one, or joins them at once (PGlite's default above 1,000).
    for (const [path, joinAbove] of [['each event by key', 1_000_000], ['joined at once', 1000]] as const) {
        it(`many events in one statement, as import writes them (1,500 events, ${path})`, async () => {
            await resetStore(ctx.store);
            const rows = await ctx.store.transaction(async (tx) => {
                await tx.exec(`SET LOCAL followup.recount_join_above = ${joinAbove}`);
                await tx.query(`INSERT INTO events (id, type, occurred_at, payload)
                    SELECT 'e' || i, 'cart', '2026-11-01T00:00:00Z', '{}'::jsonb FROM generate_series(1, 1500) i`);
                await tx.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status)
                    SELECT 'd' || i || '-' || k, 'e' || i, 'transactional', 'email', 'x@example.com', timestamptz '2026-11-20T10:00:00Z' - k * interval '1 hour', 'sent'
                      FROM generate_series(1, 1500) i, generate_series(1, 3) k`);
                // The earliest sent now fails: the next one takes over.
                await tx.query(`UPDATE deliveries SET status = 'failed' WHERE id LIKE '%-3' AND event_id IN ('e1', 'e1500')`);
                return (await tx.query<{ id: string }>('SELECT id FROM deliveries WHERE first_original ORDER BY id')).rows;
            });
            // The earliest of each event's three is the one sent 3 hours before 10:00, but for e1 and e1500.
            expect(rows.length).toBe(1500);
            expect(rows.filter(r => !r.id.endsWith('-3')).map(r => r.id).sort()).toEqual(['d1-2', 'd1500-2']);
        });
    }

    it('import writes the flags as its file gives them; an earlier original already in the store still wins', async () => {
        await given();
        await insertDelivery(ctx.store, { id: 'stored-07h', eventId: 'e1', sentAt: t(7), channel: 'sms' });
        const line = (record: object) => JSON.stringify(record);
        const records = [
            line({ kind: 'event', id: 'e2', type: 'cart', at: t(1), data: {} }),
            line({ kind: 'delivery', id: 'e2-mail-10h', event: 'e2', message: 'm', channel: 'email', to: 'a@example.com', at: t(10) }),
            line({ kind: 'delivery', id: 'e2-mail-09h', event: 'e2', message: 'm', channel: 'email', to: 'a@example.com', at: t(9) }),
            line({ kind: 'delivery', id: 'e2-failed-08h', event: 'e2', message: 'm', channel: 'email', to: 'a@example.com', at: t(8), status: 'failed' }),
            line({ kind: 'delivery', id: 'e2-sms-11h', event: 'e2', message: 'm', channel: 'sms', to: '+33600000000', at: t(11) }),
            // Earlier than the file's, but the store's sms delivery of e1 at 07:00 is earlier still.
            line({ kind: 'delivery', id: 'e1-mail-08h', event: 'e1', message: 'm', channel: 'email', to: 'a@example.com', at: t(8) }),
        ];
        await importHistory(ctx.store, (async function* () { yield* records; })());
        expect(await flags(ctx.store, 'e2')).toEqual({
            'e2-failed-08h': [false, false], 'e2-mail-09h': [true, true], 'e2-mail-10h': [false, false], 'e2-sms-11h': [false, true],
        });
        expect(await flags(ctx.store, 'e1')).toEqual({ 'e1-mail-08h': [false, true], 'stored-07h': [true, true] });
    });

    // PGlite has one connection: its transactions never overlap.
    if (ctx.engine === 'postgres') {
        it('two transactions recording originals of one event at once: the second waits, then counts both', async () => {
            await given();
            let inserted!: () => void;
            const aInserted = new Promise<void>(resolve => (inserted = resolve));
            let release!: () => void;
            const aMayCommit = new Promise<void>(resolve => (release = resolve));
            const a = ctx.store.transaction(async (tx) => {
                await insertDelivery(tx, { id: 'later', eventId: 'e1', sentAt: t(10) });
                inserted();
                await aMayCommit;
            });
            await aInserted;
            let bDone = false;
            const b = ctx.store.transaction(async (tx) => {
                await insertDelivery(tx, { id: 'earlier', eventId: 'e1', sentAt: t(9) });
            }).then(() => (bDone = true));
            await new Promise(resolve => setTimeout(resolve, 300));
            expect(bDone).toBe(false); // waiting for the event's row, which a holds
            release();
            await Promise.all([a, b]);
            // Without the wait, each would have counted only its own: both flagged as the original.
            expect(await flags(ctx.store)).toEqual({ earlier: [true, true], later: [false, false] });
        });
    }

    it('schema v9 flags the originals of a store migrated from v8', async () => {
        const target = await ctx.freshTarget();
        const store = await openStore(target, { migrate: false });
        try {
            await migrate(store, migrations.filter(m => m.version <= 8));
            await insertEvent(store, { id: 'e1', type: 'cart', payload: {} });
            await insertEvent(store, { id: 'e2', type: 'cart', payload: {} });
            await insertDelivery(store, { id: 'e1-late', eventId: 'e1', sentAt: t(10) });
            await insertDelivery(store, { id: 'e1-early-sms', eventId: 'e1', sentAt: t(8), channel: 'sms' });
            await insertDelivery(store, { id: 'e1-failed', eventId: 'e1', sentAt: t(7), status: 'failed' });
            await insertDelivery(store, { id: 'e2-only', eventId: 'e2', sentAt: t(12) });
            await insertDelivery(store, { id: 'e2-followup', eventId: 'e2', sentAt: t(13), rule: 'r' });
            expect((await migrate(store)).applied).toContain(9);
            expect(await flags(store, 'e1')).toEqual({ 'e1-early-sms': [true, true], 'e1-failed': [false, false], 'e1-late': [false, true] });
            expect(await flags(store, 'e2')).toEqual({ 'e2-only': [true, true] });
        } finally {
            await store.close();
        }
    });
});
