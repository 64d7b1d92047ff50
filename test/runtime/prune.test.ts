// `followup prune` (packages/runtime/src/store/prune.ts) on the demo history, on both engines: two
// stores get the same history and the same daily runs; one is pruned at its safe bound along the way.
// After the prune, every run decides and sends exactly what it does on the store never pruned (no
// follow-up twice, none lost), explain gives the same verdicts for every event left, older history is
// gone, a --before past the bound is refused with nothing deleted, and a dry run deletes nothing and
// counts what the prune then deletes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, expect, it } from 'vitest';
import { compilePlans, type RenderPlan } from '@followup/compiler';
import { loadProject } from '@followup/language';
import {
    dispatchOutbox, explainEvent, importHistory, openStore, pruneStore, runRules, safePruneBound, storeTables, UnsafePruneError,
    type SentMessage, type Store,
} from '@followup/runtime';
import { createMemoryTransport } from '../../packages/runtime/src/scenario/memory-transport.js';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';
import { forEachEngine } from '../support/stores.js';
import { repo } from './support.js';

const example = path.join(repo, 'examples/cart-abandonment');
const DAY = 24 * 3600_000;

let plans: RenderPlan[];
let schemas: ReturnType<typeof projectSchemas>;
beforeAll(async () => {
    const loaded = await loadProject([example]);
    plans = compilePlans(loaded);
    schemas = projectSchemas(loaded);
});

async function load(store: Store): Promise<void> {
    for (const file of ['history.jsonl', 'week-after.jsonl']) {
        await importHistory(store, createInterface({ input: fs.createReadStream(path.join(example, file)) }), { schemas });
    }
}

/** One day's `followup run`: decide every rule, then dispatch; what was sent, in order. */
async function runDay(store: Store, now: Date): Promise<SentMessage[]> {
    await runRules(store, plans, { now });
    const transport = createMemoryTransport();
    const sent: SentMessage[] = [];
    await dispatchOutbox(store, { transports: { email: transport, sms: transport, push: transport }, plans, now, onSent: (m) => sent.push(m) });
    return sent.map((m) => ({ ...m })).sort((a, b) => a.delivery.localeCompare(b.delivery));
}

async function counts(store: Store): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of storeTables) out[table] = (await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    return out;
}

/**
 * Explain's answer, but for the detail of a trigger the rule passed over (its window is behind the
 * watermark, so its trigger may be older than the prune's bound): the run's finding may name an event
 * (a purchase `since`) that was pruned with the history. The verdict stays the same.
 */
async function explained(store: Store, id: string, now: Date) {
    const e = await explainEvent(store, plans, id, now);
    return { ...e, verdicts: e.verdicts.map((v) => (v.kind === 'passed-over' ? { ...v, reason: v.reason.replace(/; the run at .*$/, '') } : v)) };
}

async function decisionsSince(store: Store, since: Date) {
    return (await store.query(
        'SELECT rule, event_id, outcome, trigger_delivery_id, followup_delivery_id FROM decisions WHERE decided_at > $1 ORDER BY rule, event_id', [since])).rows;
}

forEachEngine('prune', (ctx) => {
    let control: Store;
    beforeAll(async () => {
        control = await openStore(await ctx.freshTarget());
        await load(ctx.store);
        await load(control);
        return () => control.close();
    });

    const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(new Date(from).getTime() + i * DAY));

    it('keeps what later runs and explain need: they send and say exactly what they would have without it', { timeout: 240_000 }, async () => {
        // Seventeen days of daily runs on both stores, at 00:00 UTC (01:00 in Paris: the sms policy's quiet
        // hours hold some follow-ups, still to be sent when the prune comes).
        for (const now of days('2026-11-10T00:00:00Z', 17)) {
            expect(await runDay(ctx.store, now)).toEqual(await runDay(control, now));
        }
        const pruneNow = new Date('2026-11-26T00:00:00Z');
        const bound = await safePruneBound(ctx.store, plans, pruneNow);
        // The rule with the longest delay (bigCartLastChance, 7 days) sets it: its watermark (the last
        // run) minus 7 days; its goal (purchase within 7 days) asks the same.
        expect(bound.safe.toISOString()).toBe('2026-11-19T00:00:00.000Z');
        expect(bound.needs[0]).toMatchObject({ rule: 'bigCartLastChance', what: 'selection' });
        expect(bound.needs.map((n) => n.what)).toEqual(expect.arrayContaining(['selection', 'cap', 'goal']));

        // Past the bound: refused, naming the rule and what it reads; nothing deleted.
        const untouched = await counts(ctx.store);
        const refused = await pruneStore(ctx.store, plans, { before: new Date(bound.safe.getTime() + 1000), now: pruneNow }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(UnsafePruneError);
        expect((refused as Error).message).toContain('bigCartLastChance: reads deliveries sent after 2026-11-19T00:00:00Z (its watermark 2026-11-26T00:00:00Z minus its delay 7 days)');
        expect((refused as Error).message).toContain('the latest safe --before is 2026-11-19T00:00:00Z: nothing was deleted');
        expect(await counts(ctx.store)).toEqual(untouched);

        // A dry run deletes nothing and counts what the prune then deletes (small batches: many transactions).
        const dry = await pruneStore(ctx.store, plans, { before: bound.safe, now: pruneNow, dryRun: true, batchSize: 100 });
        expect(await counts(ctx.store)).toEqual(untouched);
        const done = await pruneStore(ctx.store, plans, { before: bound.safe, now: pruneNow, batchSize: 100 });
        expect(done.counts).toEqual(dry.counts);
        expect(done.batches).toBeGreaterThan(3);
        // Most of the demo's carts are of 15-16 November, and still followed up after the 19th: only
        // the first days' go now (the rest in the second prune below).
        expect(done.counts.events).toBeGreaterThan(50);
        expect(done.counts.deliveries).toBeGreaterThan(5);
        expect(done.counts.decisions).toBeGreaterThan(0);
        const after = await counts(ctx.store);
        for (const table of ['events', 'deliveries', 'decisions'] as const) expect(after[table]).toBe(untouched[table]! - done.counts[table]);
        // Nothing that exactly-once and suppression stand on goes.
        for (const table of ['suppressions', 'rule_watermarks', 'rule_identities', 'recipient_locks'] as const) expect(after[table]).toBe(untouched[table]);

        // What is left of the time before the bound is only what something still refers to.
        const { rows: old } = await ctx.store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM events e WHERE e.occurred_at < $1
               AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.sent_at >= $1)
               AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = e.id AND x.decided_at >= $1)
               AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN outbox o ON o.delivery_id = d.id WHERE d.event_id = e.id AND o.status IN ('pending', 'sending'))`,
            [bound.safe]);
        expect(old[0]!.n).toBe(0);

        // Pruning again at the same bound finds nothing more.
        const again = await pruneStore(ctx.store, plans, { before: bound.safe, now: pruneNow });
        expect(Object.values(again.counts).reduce((a, b) => a + b, 0)).toBe(0);

        // Explain of every event left: the same verdicts as on the store never pruned.
        const { rows: left } = await ctx.store.query<{ id: string }>(`SELECT id FROM events WHERE type = 'cartAbandonment' ORDER BY id`);
        expect(left.length).toBeGreaterThan(50);
        const explainAt = new Date('2026-11-27T12:00:00Z');
        for (const { id } of left.filter((_, i) => i % 4 === 0)) {
            expect(await explained(ctx.store, id, explainAt)).toEqual(await explained(control, id, explainAt));
        }

        // Seven more days: every run decides and sends what it does on the control store.
        let sentAfter = 0;
        for (const now of days('2026-11-27T00:00:00Z', 7)) {
            const sent = await runDay(ctx.store, now);
            expect(sent).toEqual(await runDay(control, now));
            sentAfter += sent.length;
        }
        expect(sentAfter).toBeGreaterThan(0);
        expect(await decisionsSince(ctx.store, pruneNow)).toEqual(await decisionsSince(control, pruneNow));
        expect((await decisionsSince(ctx.store, pruneNow)).length).toBeGreaterThan(10);
        // The same now again: nothing (exactly once, also for what was pruned).
        expect(await runDay(ctx.store, new Date('2026-12-03T00:00:00Z'))).toEqual([]);
        // Every follow-up the pruned store holds is one the control store sent, once.
        const { rows: mine } = await ctx.store.query<{ id: string }>(`SELECT id FROM deliveries WHERE rule IS NOT NULL ORDER BY id`);
        const { rows: theirs } = await control.query<{ id: string }>(`SELECT id FROM deliveries WHERE rule IS NOT NULL ORDER BY id`);
        const theirIds = new Set(theirs.map((r) => r.id));
        expect(mine.every((r) => theirIds.has(r.id))).toBe(true);

        // A week later, nothing is due any more: a second prune takes the bulk of the history.
        const laterNow = new Date('2026-12-03T00:00:00Z');
        const later = await safePruneBound(ctx.store, plans, laterNow);
        expect(later.safe.toISOString()).toBe('2026-11-26T00:00:00.000Z');
        const bulk = await pruneStore(ctx.store, plans, { before: later.safe, now: laterNow });
        expect(bulk.counts.events).toBeGreaterThan(2000);
        expect(bulk.counts.deliveries).toBeGreaterThan(2000);
        expect(bulk.counts.decisions).toBeGreaterThan(1000);
        const kept = (await ctx.store.query<{ id: string }>(`SELECT id FROM events ORDER BY id`)).rows;
        expect(kept.length).toBeGreaterThan(0);
        for (const { id } of kept) expect(await explained(ctx.store, id, laterNow)).toEqual(await explained(control, id, laterNow));
        expect(await runDay(ctx.store, new Date('2026-12-04T00:00:00Z'))).toEqual(await runDay(control, new Date('2026-12-04T00:00:00Z')));
    });

    it('the same history imported again after a prune is never selected again (the watermark keeps it out)', { timeout: 120_000 }, async () => {
        const before = await counts(ctx.store);
        await load(ctx.store); // re-creates the pruned events and deliveries, without their decisions
        const restored = await counts(ctx.store);
        expect(restored['events']).toBeGreaterThan(before['events']!);
        const next = new Date('2026-12-05T00:00:00Z');
        const sent = await runDay(ctx.store, next);
        expect(sent).toEqual(await runDay(control, next));
    });
});
