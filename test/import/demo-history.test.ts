// examples/cart-abandonment/history.jsonl: generated deterministically by scripts/generate-history.mjs,
// valid against the example's schemas, and laid out so that a first run of the example's rules at
// 2026-11-23T10:00:00Z sends some follow-ups, suppresses some and expires some. The rules' compiled
// selections (and the rechecks that find the suppressed) are run here as the executor's first run does
// (watermark = now - lookback).
// week-after.jsonl holds the purchases of the week after: with them, the report of bigCartLastChance
// (holdout 10%, goal: a purchase within 7 days) finds a lift whose interval is above 0, as `npm start` says.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { compileProject } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { buildReport, importHistory, recheck, runRules, selectDue } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { example, exampleSchemas, repo } from './support.js';

const history = path.join(example, 'history.jsonl');
const weekAfter = path.join(example, 'week-after.jsonl');
const now = new Date('2026-11-23T10:00:00Z');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-demo-history-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

it('is what scripts/generate-history.mjs writes, byte for byte (and the week after too)', () => {
    const out = path.join(temp, 'history.jsonl');
    const after = path.join(temp, 'week-after.jsonl');
    const run = spawnSync(process.execPath, [path.join(repo, 'scripts/generate-history.mjs'), '--out', out, '--week-after', after], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(history, 'utf8'));
    expect(fs.readFileSync(after, 'utf8')).toBe(fs.readFileSync(weekAfter, 'utf8'));
});

/** The ids of the 2,500 shoppers' carts (cart-s0001 ...) that no purchase in the history stops. */
function shoppersWithoutPurchase(): string[] {
    const records = fs.readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; id?: string; data?: { customerId?: string } });
    const bought = new Set(records.filter((r) => r.type === 'purchase').map((r) => r.data?.customerId));
    return records.filter((r) => r.type === 'cartAbandonment' && r.id!.startsWith('cart-s') && !bought.has(r.data?.customerId)).map((r) => r.id!).sort();
}

forEachEngine('the demo history', (ctx) => {
    it('imports whole against the example schemas', async () => {
        const schemas = await exampleSchemas();
        // No await between creating a readline interface and handing it over: it would drop lines.
        const lines = readline.createInterface({ input: fs.createReadStream(history), crlfDelay: Infinity });
        const result = await importHistory(ctx.store, lines, { schemas });
        expect(result).toEqual({
            lines: 5228, records: 5228, events: 2631, deliveries: 2538, tracking: 58, suppressions: 3, profiles: 0, skippedDuplicates: 0,
        });
    });

    it('gives a first run at 2026-11-23T10:00:00Z follow-ups to send, suppressed and expired ones', async () => {
        const project = await loadProject([example]);
        const plans = compileProject(project).map(r => r.plan);
        const outcome: Record<string, { send: string[]; suppressed: string[]; expired: string[] }> = {};
        for (const plan of plans) {
            const watermark = new Date(now.getTime() - plan.lookback.minutes * 60_000);
            const rows = await selectDue(ctx.store, plan, watermark, now);
            const live = rows.filter(r => !r.expired).map(r => r.event_id);
            const { stopped, suppressed } = await recheck(ctx.store, plan, live, now);
            expect([...stopped]).toEqual([]);
            outcome[plan.rule] = {
                send: live.filter(id => !suppressed.has(id)),
                suppressed: live.filter(id => suppressed.has(id)),
                expired: rows.filter(r => r.expired).map(r => r.event_id),
            };
        }
        const shoppers = shoppersWithoutPurchase();
        expect(shoppers.length).toBe(2411); // 2,500, less the ~4% who bought before the run
        const big = outcome['bigCartLastChance']!;
        expect(big.send.filter((id) => id.startsWith('cart-s')).sort()).toEqual(shoppers);
        big.send = big.send.filter((id) => !id.startsWith('cart-s'));
        expect(outcome).toEqual({
            bigCartLastChance: { send: ['cart-010', 'cart-011'], suppressed: ['cart-012'], expired: [] },
            cartAbandonment_followup_email: { send: ['cart-020', 'cart-021', 'cart-022', 'cart-028'], suppressed: ['cart-023', 'cart-024'], expired: [] },
            cartReminderChase: { send: [], suppressed: [], expired: [] },
            loyalOpenedNoPurchase: { send: ['cart-031', 'cart-035'], suppressed: [], expired: ['cart-029', 'cart-030'] },
        });
    });

    it('a week later, the report of bigCartLastChance finds that the last chance made people buy', async () => {
        const project = await loadProject([example]);
        const plans = compileProject(project).map(r => r.plan);
        const run = await runRules(ctx.store, plans, { now });
        expect(run.total).toMatchObject({ selected: 2424, heldOut: 229, suppressed: 3, expired: 2 });
        const schemas = await exampleSchemas();
        const lines = readline.createInterface({ input: fs.createReadStream(weekAfter), crlfDelay: Infinity });
        expect(await importHistory(ctx.store, lines, { schemas })).toMatchObject({ events: 347 });
        const report = await buildReport(ctx.store, plans.filter(p => p.rule === 'bigCartLastChance'), { now: new Date('2026-11-30T10:00:00Z') });
        const big = report.rules[0]!;
        expect(big.verdict).toBe('measured');
        expect({ sent: big.sentGroup!.converted, of: big.sentGroup!.measured, heldOut: big.heldOutGroup!.converted, among: big.heldOutGroup!.measured })
            .toEqual({ sent: 330, of: 2184, heldOut: 17, among: 229 });
        expect(big.lift!.absolute.lower).toBeGreaterThan(0);
    });
});
