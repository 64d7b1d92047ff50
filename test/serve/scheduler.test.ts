/**
 * The scheduler of `followup serve` (docs/language.md §4, README.md "Running followup serve") on PGlite and PostgreSQL 15:
 * with an injected clock stepping through several minutes, a rule `schedule every 1 minute` runs once
 * per period — also with two schedulers polling the same store at once — with the fire instant as its
 * `now`; after downtime the missed periods are caught up by one run; a rule without a schedule runs
 * at 00:00 UTC; a stale claim is taken over; and the dispatch workers send each due follow-up once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '@followup/compiler';
import { createOutboxFolderTransport, openStore, startDispatchWorkers, startScheduler, type Store } from '@followup/runtime';
import { claimScheduledRun } from '../../packages/runtime/src/scheduler/run-claims.js';
import { forEachEngine } from '../support/stores.js';
import { count, plansOf, readOutbox, tempDir } from '../runtime/support.js';
import { everyMinuteSource, iso, manualClock, minute, recordingLog, recordingMetrics, resetAll, seedCart, waitFor } from './scheduler-support.js';

const plans: RenderPlan[] = await plansOf({ 'shop.followup': everyMinuteSource });
const temp = tempDir('scheduler');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

async function claimsOf(db: Store, rule: string) {
    const { rows } = await db.query<{ due_at: Date; finished: boolean; outcome: string | null; attempts: number; claimed_by: string }>(
        'SELECT due_at, finished_at IS NOT NULL AS finished, outcome, attempts, claimed_by FROM scheduled_runs WHERE rule = $1 ORDER BY due_at', [rule]);
    return rows.map((r) => ({ ...r, due_at: iso(r.due_at) }));
}

async function runsOf(db: Store, rule: string) {
    const { rows } = await db.query<{ window_start: Date; now: Date; selected: number; sent: number }>(
        'SELECT window_start, now, selected, sent FROM runs WHERE rule = $1 ORDER BY now', [rule]);
    return rows.map((r) => ({ from: iso(r.window_start), now: iso(r.now), selected: r.selected, queued: r.sent }));
}

forEachEngine('scheduler', (ctx) => {
    let second: Store | undefined;
    beforeAll(async () => {
        // Two processes on PostgreSQL have a pool each; PGlite is one process's embedded database.
        second = ctx.engine === 'postgres' ? await openStore(ctx.target) : undefined;
    });
    afterAll(async () => second?.close());

    it('runs a rule due every minute once per period, with two schedulers polling one store, and sends each follow-up once', async () => {
        const db = ctx.store;
        await resetAll(db);
        const outboxDir = path.join(temp, `${ctx.engine}-outbox`);
        const clock = manualClock('2026-11-23T10:00:30Z');
        // Carts sent 20 s apart from 09:57:10 to 10:00:10: due (2 minutes later) in four successive periods.
        const carts = Array.from({ length: 10 }, (_, i) => `c${i}`);
        for (const [i, id] of carts.entries()) await seedCart(db, id, new Date(Date.parse('2026-11-23T09:57:10Z') + i * 20_000));

        const metrics = [recordingMetrics(), recordingMetrics()];
        const log = recordingLog();
        const transport = createOutboxFolderTransport(outboxDir, { from: 'Shop <shop@example.com>' });
        const workers = startDispatchWorkers({ store: db, transports: { email: transport }, plans, clock: clock.now, log, metrics: metrics[0]!, pollMs: 60_000 });
        const schedulers = [db, second ?? db].map((store, i) =>
            startScheduler({ store, plans, clock: clock.now, log, metrics: metrics[i]!, pollMs: 60_000, owner: `process-${i}`, onRunFinished: () => workers.wake() }));
        const step = async (to: string) => {
            clock.set(to);
            await Promise.all(schedulers.map((s) => s.poll()));
        };
        try {
            for (const at of ['10:00:30', '10:00:45', '10:01:30', '10:02:00', '10:02:59', '10:03:30', '10:04:30', '10:05:30']) {
                await step(`2026-11-23T${at}Z`);
            }
            // Downtime: nobody polled from 10:05:30 to 10:15:30, while five more carts were sent.
            const late = Array.from({ length: 5 }, (_, i) => `late${i}`);
            for (const [i, id] of late.entries()) await seedCart(db, id, new Date(Date.parse('2026-11-23T10:04:00Z') + i * minute));
            await step('2026-11-23T10:15:30Z');
            await waitFor(async () => (await count(db, `outbox WHERE status = 'pending'`)) === 0 && fs.existsSync(outboxDir)
                && fs.readdirSync(outboxDir).filter((f) => f.endsWith('.eml')).length === 15, 'the outbox to drain');

            // One claim, finished, per period that came due while polling; one for the catch-up.
            const claims = await claimsOf(db, 'everyMinute');
            expect(claims.map((c) => c.due_at)).toEqual(['10:00', '10:01', '10:02', '10:03', '10:04', '10:05', '10:15'].map((t) => `2026-11-23T${t}:00.000Z`));
            expect(claims.every((c) => c.finished && c.outcome === 'ran' && c.attempts === 1)).toBe(true);
            // Each run's now is its fire instant; its window starts at the previous one (the first: now - lookback).
            expect(await runsOf(db, 'everyMinute')).toEqual([
                { from: '2026-11-23T09:59:00.000Z', now: '2026-11-23T10:00:00.000Z', selected: 3, queued: 3 },
                { from: '2026-11-23T10:00:00.000Z', now: '2026-11-23T10:01:00.000Z', selected: 3, queued: 3 },
                { from: '2026-11-23T10:01:00.000Z', now: '2026-11-23T10:02:00.000Z', selected: 3, queued: 3 },
                { from: '2026-11-23T10:02:00.000Z', now: '2026-11-23T10:03:00.000Z', selected: 1, queued: 1 },
                { from: '2026-11-23T10:03:00.000Z', now: '2026-11-23T10:04:00.000Z', selected: 0, queued: 0 },
                { from: '2026-11-23T10:04:00.000Z', now: '2026-11-23T10:05:00.000Z', selected: 0, queued: 0 },
                { from: '2026-11-23T10:05:00.000Z', now: '2026-11-23T10:15:00.000Z', selected: 5, queued: 5 },
            ]);
            // The rule without a schedule ran once, at 00:00 UTC of the day (its latest fire instant).
            expect((await claimsOf(db, 'daily')).map((c) => c.due_at)).toEqual(['2026-11-23T00:00:00.000Z']);
            expect(await runsOf(db, 'daily')).toEqual([{ from: '2026-11-22T00:00:00.000Z', now: '2026-11-23T00:00:00.000Z', selected: 0, queued: 0 }]);

            // Every cart decided once, its follow-up delivered once, timed at its run's now.
            const { rows: decisions } = await db.query<{ event_id: string; outcome: string; sent_at: Date; status: string }>(
                `SELECT x.event_id, x.outcome, d.sent_at, d.status FROM decisions x JOIN deliveries d ON d.id = x.followup_delivery_id
                 WHERE x.rule = 'everyMinute' ORDER BY x.event_id`);
            expect(decisions.map((d) => d.event_id)).toEqual([...carts, ...late].sort());
            expect(decisions.every((d) => d.outcome === 'send' && d.status === 'sent')).toBe(true);
            expect(iso(decisions.find((d) => d.event_id === 'c9')!.sent_at)).toBe('2026-11-23T10:03:00.000Z');
            const mails = await readOutbox(outboxDir);
            expect(mails.map((m) => m.file)).toEqual([...carts, ...late].map((id) => `everyMinute~${id}.eml`).sort());
            expect(mails.find((m) => m.file === 'everyMinute~c3.eml')!.to).toBe('user-c3@example.com');

            // Metrics: one duration per run, split between the two schedulers; 15 queued, 15 sent; depth 0.
            const runs = metrics.flatMap((m) => m.observations('followup_run_duration_seconds'));
            expect(runs.filter((o) => o.labels['rule'] === 'everyMinute')).toHaveLength(7);
            const labels = (outcome: string) => ({ rule: 'everyMinute', channel: 'email', outcome });
            expect(metrics[0]!.counter('followup_messages_total', labels('queued')) + metrics[1]!.counter('followup_messages_total', labels('queued'))).toBe(15);
            expect(metrics[0]!.counter('followup_messages_total', labels('sent'))).toBe(15);
            expect(metrics[0]!.gauge('followup_outbox_depth')).toBe(0);
            expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
        } finally {
            await Promise.all(schedulers.map((s) => s.stop()));
            await workers.stop();
        }
    });

    it('of many simultaneous claims of one period, exactly one wins', async () => {
        const db = ctx.store;
        await resetAll(db);
        const due = new Date('2026-11-23T11:00:00Z');
        // On PostgreSQL each query may take its own pooled connection: these really race.
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claimScheduledRun(i % 2 ? db : (second ?? db), 'everyMinute', due, `p${i}`, 60_000)));
        expect(results.filter((r) => r.claimed)).toEqual([{ claimed: true, attempt: 1 }]);
        expect(results.filter((r) => !r.claimed)).toHaveLength(7);
        expect(await count(db, 'scheduled_runs')).toBe(1);
        // An older period is not claimed once a later one is.
        expect(await claimScheduledRun(db, 'everyMinute', new Date('2026-11-23T10:59:00Z'), 'late', 60_000)).toEqual({ claimed: false, settled: true });
    });

    it('takes over a claim whose process stopped heart-beating, not one that is alive; the run still happens once', async () => {
        const db = ctx.store;
        await resetAll(db);
        const clock = manualClock('2026-11-23T12:00:10Z');
        await seedCart(db, 'x1', new Date('2026-11-23T11:57:30Z'));
        // A process claimed 12:00 and died (heartbeat an hour old); another holds 'daily' and is alive.
        await db.query(`INSERT INTO scheduled_runs (rule, due_at, claimed_by, claimed_at, heartbeat_at)
                        VALUES ('everyMinute', '2026-11-23T12:00:00Z', 'dead', now() - interval '1 hour', now() - interval '1 hour'),
                               ('daily', '2026-11-23T00:00:00Z', 'alive', now(), now())`);
        const log = recordingLog();
        const scheduler = startScheduler({ store: db, plans, clock: clock.now, log, metrics: recordingMetrics(), pollMs: 60_000, claimTimeoutMs: 5_000, owner: 'me' });
        try {
            // The loop's first poll (at start) took the stale claim and ran 12:00; this one comes after it.
            const results = await scheduler.poll();
            expect(results.map((r) => [r.rule, r.outcome])).toEqual([['daily', 'claimed_elsewhere']]);
            expect(await claimsOf(db, 'everyMinute')).toEqual([
                { due_at: '2026-11-23T12:00:00.000Z', finished: true, outcome: 'ran', attempts: 2, claimed_by: 'me' },
            ]);
            expect(await claimsOf(db, 'daily')).toEqual([
                { due_at: '2026-11-23T00:00:00.000Z', finished: false, outcome: null, attempts: 1, claimed_by: 'alive' },
            ]);
            expect(log.lines.some((l) => l.message.includes('took over a stale claim'))).toBe(true);
            // The dead process had not committed its run: the one that took over decided the cart, once.
            expect(await count(db, `decisions WHERE rule = 'everyMinute'`)).toBe(1);
            // Polling again in the same period changes nothing.
            expect((await scheduler.poll()).map((r) => [r.rule, r.outcome])).toEqual([['daily', 'claimed_elsewhere']]);
            expect(await count(db, `runs WHERE rule = 'everyMinute'`)).toBe(1);
        } finally {
            await scheduler.stop();
        }
    });

    it('a period whose run a `followup run --now` already covered is recorded as nothing new; no run row, no second decision', async () => {
        const db = ctx.store;
        await resetAll(db);
        // Someone ran the rule by hand as of 12:30:30; the scheduler then reaches the 12:30 period.
        await db.query(`INSERT INTO rule_watermarks (rule, watermark) VALUES ('everyMinute', '2026-11-23T12:30:30Z')`);
        const scheduler = startScheduler({
            store: db, plans: plans.filter((p) => p.rule === 'everyMinute'), clock: () => new Date('2026-11-23T12:30:40Z'),
            log: recordingLog(), metrics: recordingMetrics(), pollMs: 60_000,
        });
        try {
            await waitFor(async () => (await claimsOf(db, 'everyMinute')).some((c) => c.finished), 'the loop to settle 12:30');
            expect((await claimsOf(db, 'everyMinute')).map((c) => [c.due_at, c.outcome])).toEqual([['2026-11-23T12:30:00.000Z', 'nothing_new']]);
            expect(await count(db, 'runs')).toBe(0);
        } finally {
            await scheduler.stop();
        }
    });

    it('dispatch workers: wake() drains at once (rule and transactional rows), stop() waits for the batch in flight', async () => {
        const db = ctx.store;
        await resetAll(db);
        const outboxDir = path.join(temp, `${ctx.engine}-workers`);
        await seedCart(db, 't1', new Date('2026-11-23T09:00:00Z'));
        // A transactional message queued by ingestion: its delivery (rule NULL) and its outbox row.
        await db.query(`INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at, status) VALUES
                        ('tx-t1', 't1', 'welcome', 'email', 'user-t1@example.com', '2026-11-23T09:00:00Z', 'queued')`);
        await db.query(`INSERT INTO outbox (delivery_id, rule, channel, recipient, content, next_attempt_at)
                        VALUES ('tx-t1', NULL, 'email', 'user-t1@example.com', $1::jsonb, '2026-11-23T09:00:00Z')`,
            [JSON.stringify({ eventId: 't1', subject: 'Welcome', text: 'Hello', headers: {} })]);
        const metrics = recordingMetrics();
        const sent: string[] = [];
        let releaseSend: () => void = () => undefined;
        const gate = new Promise<void>((r) => (releaseSend = r));
        const folder = createOutboxFolderTransport(outboxDir, { from: 'Shop <shop@example.com>' });
        let sending = false;
        const transport = { send: async (m: Parameters<typeof folder.send>[0]) => { sending = true; await gate; return folder.send(m); }, close: () => folder.close() };
        const workers = startDispatchWorkers({
            store: db, transports: { email: transport }, plans, clock: () => new Date('2026-11-23T09:00:01Z'),
            log: recordingLog(), metrics, pollMs: 60_000, onSent: (m) => sent.push(m.delivery),
        });
        // The first drain is under way (blocked in the transport); stop() must wait for it to settle.
        await waitFor(() => sending, 'the first drain to reach the transport');
        const stopped = workers.stop();
        let done = false;
        void stopped.then(() => (done = true));
        await new Promise((r) => setTimeout(r, 100));
        expect(done).toBe(false);
        releaseSend();
        await stopped;
        expect(sent).toEqual(['tx-t1']);
        expect(await count(db, `outbox WHERE status = 'sent'`)).toBe(1);
        expect(metrics.counter('followup_messages_total', { rule: '', channel: 'email', outcome: 'sent' })).toBe(1);
        expect((await readOutbox(outboxDir)).map((m) => m.subject)).toEqual(['Welcome']);

        // wake(): a follow-up queued after the workers went to sleep (poll of a minute) is sent at once.
        const again = startDispatchWorkers({ store: db, transports: { email: folder }, plans, clock: () => new Date('2026-11-23T09:05:00Z'), log: recordingLog(), metrics, pollMs: 60_000 });
        try {
            await waitFor(() => metrics.gauge('followup_outbox_depth') === 0, 'the first (empty) drain');
            await seedCart(db, 't2', new Date('2026-11-23T09:01:00Z'));
            const scheduler = startScheduler({ store: db, plans: plans.filter((p) => p.rule === 'everyMinute'), clock: () => new Date('2026-11-23T09:03:10Z'), log: recordingLog(), metrics, pollMs: 60_000, onRunFinished: () => again.wake() });
            const started = Date.now();
            await waitFor(async () => (await count(db, `outbox WHERE status = 'sent'`)) === 2, 'the follow-up to be sent', 10_000);
            expect(Date.now() - started).toBeLessThan(10_000);
            await scheduler.stop();
            expect((await readOutbox(outboxDir)).map((m) => m.file)).toContain('everyMinute~t2.eml');
        } finally {
            await again.stop();
        }
    });
});
