// Caps and quiet hours as a user sees them (the built binary: `npm test` builds first): the summary
// of `followup run` (human and --json), `followup explain`, and `/metrics` of `followup serve`, whose
// scheduler decides the same follow-ups.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../serve/serve-support.js';
import { startServe } from '../serve/serve-process.js';
import { bin, repo, tempDir } from '../runtime/support.js';

const temp = tempDir('policies-cli');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function followup(args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const source = `
event cartAbandonment { key customerId  customerId: string  email: email  firstName: string }
message followup for cartAbandonment email { subject: "{{ firstName }}, your cart is waiting" text: "Hi {{ firstName }}" }

followup nudge {
  when cartAbandonment sent 1 day ago then send followup email
  limit 1 per recipient per 7 days
  quiet hours 21:00 to 08:00 in "Europe/Paris"
  schedule every 1 hour
  lookback 2 days
}
`;

// Ana abandons two carts, Bob one, the evening before; the run is at 23:30 in Paris.
const history = [
    { kind: 'event', id: 'cart-a1', type: 'cartAbandonment', at: '2026-11-22T21:10:00Z', data: { customerId: 'c-ana', email: 'ana@example.com', firstName: 'Ana' } },
    { kind: 'delivery', id: 'd-a1', event: 'cart-a1', message: 'transactional', channel: 'email', to: 'ana@example.com', at: '2026-11-22T21:10:05Z' },
    { kind: 'event', id: 'cart-a2', type: 'cartAbandonment', at: '2026-11-22T21:11:00Z', data: { customerId: 'c-ana', email: 'ana@example.com', firstName: 'Ana' } },
    { kind: 'delivery', id: 'd-a2', event: 'cart-a2', message: 'transactional', channel: 'email', to: 'ana@example.com', at: '2026-11-22T21:11:05Z' },
    { kind: 'event', id: 'cart-b', type: 'cartAbandonment', at: '2026-11-22T21:20:00Z', data: { customerId: 'c-bob', email: 'bob@example.com', firstName: 'Bob' } },
    { kind: 'delivery', id: 'd-b', event: 'cart-b', message: 'transactional', channel: 'email', to: 'bob@example.com', at: '2026-11-22T21:20:05Z' },
];

function project(name: string): { dir: string; db: string } {
    const dir = path.join(temp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'shop.followup'), source);
    fs.writeFileSync(path.join(dir, 'history.jsonl'), history.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const db = path.join(dir, 'db');
    const imported = followup(['import', path.join(dir, 'history.jsonl'), '--project', dir, '--db', db]);
    expect(imported.code, imported.stderr).toBe(0);
    return { dir, db };
}

describe('caps and quiet hours in the CLI', () => {
    it('run prints capped and held in its summary (human and --json); explain tells why', () => {
        const human = project('human');
        const now = '2026-11-23T22:30:00Z';
        const run = followup(['run', human.dir, '--db', human.db, '--now', now]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe(
            'Ran 1 rule as of 2026-11-23T22:30:00.000Z: 3 selected, 0 sent, 0 suppressed, 0 expired, 0 stopped, 0 failed, 1 capped, 2 held for quiet hours.\n');

        const capped = followup(['explain', human.dir, '--db', human.db, '--now', now, '--event', 'cart-a2']);
        expect(capped.stdout).toContain(
            '✗ nudge  capped: 1 follow-up of this rule to ana@example.com since 2026-11-16T22:30:00Z (limit 1 per recipient per 7 days), decided at 2026-11-23T22:30:00Z');
        const held = followup(['explain', human.dir, '--db', human.db, '--now', now, '--event', 'cart-b', '--json']);
        expect(JSON.parse(held.stdout)[0].verdicts[0]).toMatchObject({
            rule: 'nudge', wouldSend: false, kind: 'held',
            reason: 'decided at 2026-11-23T22:30:00Z, held until 08:00 Europe/Paris (quiet hours 21:00–08:00; 2026-11-24T07:00:00Z)',
        });

        // The first run past 08:00 in Paris sends what was held.
        const morning = followup(['run', human.dir, '--db', human.db, '--now', '2026-11-24T07:30:00Z']);
        expect(morning.stdout).toContain('sent  nudge  cart-a1 → ana@example.com  "Ana, your cart is waiting"\n');
        expect(morning.stdout).toContain('sent  nudge  cart-b → bob@example.com  "Bob, your cart is waiting"\n');

        const json = project('json');
        const lines = followup(['run', json.dir, '--db', json.db, '--now', now, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines).toHaveLength(1);
        expect(lines[0].summary).toMatchObject({
            selected: 3, sent: 0, capped: 1, held: 2,
            rules: [{ rule: 'nudge', selected: 3, sent: 0, capped: 1, held: 2 }],
        });
        const dry = project('dry');
        const wouldHold = followup(['run', dry.dir, '--db', dry.db, '--now', now, '--dry-run']);
        expect(wouldHold.stdout).toContain(
            'would send  nudge  cart-a1 → ana@example.com  "Ana, your cart is waiting"  (held until 08:00 Europe/Paris: quiet hours)\n');
        expect(wouldHold.stdout).toContain('1 capped, 2 would be held for quiet hours.');
    });

    it("serve's scheduler decides the same, and /metrics counts capped and held", async () => {
        const { dir, db } = project('serve');
        // The scheduler runs the rule at its latest fire instant, 22:00 UTC (23:00 in Paris).
        const serve = await startServe([dir, '--db', db, '--now', '2026-11-23T22:30:00Z', '--no-send'], { FOLLOWUP_API_KEYS: 'policies-cli-key-5f0c1a' });
        try {
            let metrics = '';
            await eventually(async () => {
                metrics = await (await fetch(`${serve.url}/metrics`)).text();
                return metrics.includes('outcome="capped"');
            }, 30_000);
            expect(metrics).toContain('followup_messages_total{channel="email",outcome="capped",rule="nudge"} 1');
            expect(metrics).toContain('followup_messages_total{channel="email",outcome="held",rule="nudge"} 2');
            expect(metrics).toContain('followup_messages_total{channel="email",outcome="queued",rule="nudge"} 2');
        } finally {
            expect(await serve.stop()).toBe(0);
        }
    });
});
