// examples/cart-abandonment/history.jsonl: generated deterministically by scripts/generate-history.mjs,
// valid against the example's schemas, and laid out so that a first run of the example's rules at
// 2026-11-23T10:00:00Z sends some follow-ups, suppresses some and expires some. The rules' compiled
// selection queries are run here as the executor's first run does (watermark = now - lookback).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { compileProject, type RenderPlan } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { importHistory } from '@followup/runtime';
import { forEachEngine } from '../support/stores.js';
import { example, exampleSchemas, repo } from './support.js';

const history = path.join(example, 'history.jsonl');
const now = new Date('2026-11-23T10:00:00Z');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-demo-history-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

it('is what scripts/generate-history.mjs writes, byte for byte', () => {
    const out = path.join(temp, 'history.jsonl');
    const run = spawnSync(process.execPath, [path.join(repo, 'scripts/generate-history.mjs'), '--out', out], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(history, 'utf8'));
});

/** The selection query's parameters: `$1` watermark, `$2` now, then the plan's values. */
function parameters(plan: RenderPlan, watermark: Date): unknown[] {
    return [...plan.queries.selection.parameters]
        .sort((a, b) => a.index - b.index)
        .map(p => (p.index === 1 ? watermark : p.index === 2 ? now : p.type === 'jsonb' && typeof p.value !== 'string' ? JSON.stringify(p.value) : p.value));
}

forEachEngine('the demo history', (ctx) => {
    it('imports whole against the example schemas', async () => {
        const schemas = await exampleSchemas();
        // No await between creating a readline interface and handing it over: it would drop lines.
        const lines = readline.createInterface({ input: fs.createReadStream(history), crlfDelay: Infinity });
        const result = await importHistory(ctx.store, lines, { schemas });
        expect(result).toEqual({
            lines: 139, records: 139, events: 42, deliveries: 38, tracking: 58, suppressions: 3, profiles: 0, skippedDuplicates: 0,
        });
    });

    it('gives a first run at 2026-11-23T10:00:00Z follow-ups to send, suppressed and expired ones', async () => {
        const project = await loadProject([example]);
        const plans = compileProject(project).map(r => r.plan);
        const outcome: Record<string, { send: string[]; suppressed: string[]; expired: string[] }> = {};
        for (const plan of plans) {
            const watermark = new Date(now.getTime() - plan.lookback.minutes * 60_000);
            const { rows } = await ctx.store.query<{ event_id: string; expired: boolean; suppressed: boolean }>(
                plan.queries.selection.sql, parameters(plan, watermark));
            outcome[plan.rule] = {
                send: rows.filter(r => !r.expired && !r.suppressed).map(r => r.event_id),
                suppressed: rows.filter(r => !r.expired && r.suppressed).map(r => r.event_id),
                expired: rows.filter(r => r.expired).map(r => r.event_id),
            };
        }
        expect(outcome).toEqual({
            bigCartLastChance: { send: ['cart-010', 'cart-011'], suppressed: ['cart-012'], expired: [] },
            cartAbandonment_followup_email: { send: ['cart-020', 'cart-021', 'cart-022', 'cart-028'], suppressed: ['cart-023', 'cart-024'], expired: [] },
            cartReminderChase: { send: [], suppressed: [], expired: [] },
            loyalOpenedNoPurchase: { send: ['cart-031', 'cart-035'], suppressed: [], expired: ['cart-029', 'cart-030'] },
        });
    });
});
