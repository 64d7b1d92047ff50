/**
 * Helpers for the scheduler tests: a project with a rule due every minute, abandoned carts with their
 * original deliveries, a clock the test moves, and metrics and logs kept in memory.
 */
import type { StoreTx } from '@followup/runtime';
import type { Logger, MetricsSink } from '@followup/runtime';
import { insertDelivery, insertEvent, resetStore } from '../support/sql-fixtures.js';

/** A cart event, its nudge message, and a rule due two minutes after the cart's email, looked at every minute. */
export const everyMinuteOnlySource = `
event cart {
  key customerId
  customerId: string
  email: email
  firstName: string
}

message nudge for cart email {
  subject: "{{ firstName }}, your cart is waiting"
  text: "Hi {{ firstName }}, your cart is waiting."
}

// Due two minutes after the cart's email, looked at every minute.
followup everyMinute {
  when cart sent 2 minutes ago
  then send nudge email
  schedule every 1 minute
}
`;

/** The same, and a rule without a schedule (every day at 00:00 in UTC). */
export const everyMinuteSource = `${everyMinuteOnlySource}
// No schedule: every day at 00:00 in UTC.
followup daily {
  when cart sent 2 minutes ago
  then send nudge email
}
`;

/** Cart `id` (customer c-<id>, user-<id>@example.com) and its original email, sent at `sentAt`. */
export async function seedCart(db: StoreTx, id: string, sentAt: Date): Promise<void> {
    await insertEvent(db, { id, type: 'cart', occurredAt: sentAt, payload: { customerId: `c-${id}`, email: `user-${id}@example.com`, firstName: `Name ${id}` } });
    await insertDelivery(db, { id: `d-${id}`, eventId: id, sentAt, recipient: `user-${id}@example.com` });
}

/** A clock the test sets. */
export function manualClock(start: string | Date) {
    let at = new Date(start).getTime();
    return {
        now: () => new Date(at),
        set: (to: string | Date) => void (at = new Date(to).getTime()),
        advance: (ms: number) => void (at += ms),
    };
}

export interface RecordedMetrics extends MetricsSink {
    counter(name: string, labels: Record<string, string>): number;
    gauge(name: string): number | undefined;
    observations(name: string): { value: number; labels: Record<string, string> }[];
}

/** MetricsSink that keeps what it is told, for assertions. */
export function recordingMetrics(): RecordedMetrics {
    const key = (name: string, labels: Record<string, string> = {}) => `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    const counters = new Map<string, number>();
    const gauges = new Map<string, number>();
    const observed: { name: string; value: number; labels: Record<string, string> }[] = [];
    return {
        increment: (name, labels, by = 1) => void counters.set(key(name, labels), (counters.get(key(name, labels)) ?? 0) + by),
        setGauge: (name, value, labels) => void gauges.set(key(name, labels), value),
        observe: (name, value, labels = {}) => void observed.push({ name, value, labels }),
        counter: (name, labels) => counters.get(key(name, labels)) ?? 0,
        gauge: (name) => gauges.get(key(name)),
        observations: (name) => observed.filter((o) => o.name === name),
    };
}

export interface RecordedLog extends Logger {
    lines: { level: string; message: string; fields?: Record<string, unknown> }[];
}

export function recordingLog(): RecordedLog {
    const lines: RecordedLog['lines'] = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
    return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** Resolves once `check` returns true, polling every 20 ms; fails after `ms`. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

export const minute = 60_000;
export const iso = (d: Date | number) => new Date(d).toISOString();

/** Empties the store, the scheduler's claims included. */
export async function resetAll(db: StoreTx): Promise<void> {
    await resetStore(db);
    await db.query('TRUNCATE scheduled_runs');
}
