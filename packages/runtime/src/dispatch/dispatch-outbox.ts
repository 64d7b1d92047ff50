// Drains the outbox: claim a batch (row locks held while sending), recheck each rule's events as of
// the dispatch's now, send through the channel's transport, settle, commit — until nothing is due.
import type { RenderPlan } from '@followup/compiler';
import { recheckCaps } from '../executor/policies/caps.js';
import { recheck } from '../executor/rule-queries.js';
import type { Store, StoreEngine, StoreTx } from '../store/store.js';
import type { ChannelName, OutgoingMessage, SendResult, Transport } from '../transport/transport.js';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './backoff.js';
import { mapLimit } from './map-limit.js';
import { claimBatch, settle, type DecisionUpdate, type DeliveryUpdate, type OutboxRow, type OutboxUpdate } from './outbox-rows.js';

export interface DispatchOptions {
    transports: Partial<Record<ChannelName, Transport>>;
    /** The rules whose rows this process may send, with the recheck query of each. */
    plans: readonly RenderPlan[];
    /** The dispatch's clock: rows due by then are sent, and the recheck is evaluated as of it. */
    now: Date;
    /** Called for each message a transport accepted, once its row is committed as sent. */
    onSent?(message: SentMessage): void;
    /** Rows claimed per transaction (default 100). */
    batchSize?: number;
    /** Sends in flight at once within a batch (default 8). */
    concurrency?: number;
    retry?: RetryPolicy;
    /** Also send transactional rows (rule NULL), which have no recheck (default false). */
    transactional?: boolean;
}

export interface SentMessage {
    rule: string | null;
    event: string;
    delivery: string;
    channel: ChannelName;
    to: string;
    subject?: string;
    text?: string;
    title?: string;
}

export interface DispatchCounts {
    sent: number;
    failed: number;
    stopped: number;
    suppressed: number;
    /** Released from quiet hours but over a limit now (a limit added while it was held). */
    capped: number;
    /** Temporary failures, pending again for a later attempt. */
    retrying: number;
}

export interface DispatchReport {
    total: DispatchCounts;
    /** Per rule ('' for transactional rows). */
    byRule: Record<string, DispatchCounts>;
}

export async function dispatchOutbox(store: Store, options: DispatchOptions): Promise<DispatchReport> {
    const report: DispatchReport = { total: zero(), byRule: {} };
    const plans = new Map(options.plans.map((p) => [p.rule, p]));
    for (;;) {
        const sent: SentMessage[] = [];
        const claimed = await store.transaction((tx) => dispatchBatch(tx, store.engine, plans, options, report, sent));
        // Reported only once committed: a message is "sent" when the store says so.
        for (const message of sent) options.onSent?.(message);
        if (claimed === 0) return report;
    }
}

async function dispatchBatch(
    tx: StoreTx,
    engine: StoreEngine,
    plans: Map<string, RenderPlan>,
    options: DispatchOptions,
    report: DispatchReport,
    sent: SentMessage[],
): Promise<number> {
    const { now } = options;
    const rows = await claimBatch(tx, {
        now,
        rules: [...plans.keys()],
        transactional: options.transactional ?? false,
        limit: options.batchSize ?? 100,
    });
    if (rows.length === 0) return 0;

    const outbox: OutboxUpdate[] = [];
    const deliveries: DeliveryUpdate[] = [];
    const decisions: DecisionUpdate[] = [];
    const count = (row: OutboxRow, key: keyof DispatchCounts) => {
        report.total[key]++;
        (report.byRule[row.rule ?? ''] ??= zero())[key]++;
    };

    // The recheck, as of the dispatch's now: a purchase or an unsubscribe that arrived after the
    // selection still stops the follow-up (LANGUAGE.md §4); and its caps, counted over what was
    // decided ahead of it.
    const toSend: OutboxRow[] = [];
    for (const [rule, group] of groupByRule(rows)) {
        const plan = rule === null ? undefined : plans.get(rule);
        if (!plan || rule === null) {
            toSend.push(...group);
            continue;
        }
        const outcome = await recheck(tx, plan, group.map((r) => r.content.eventId), now);
        const stop = (row: OutboxRow, verdict: 'stopped' | 'suppressed' | 'capped', detail?: object) => {
            // Not sent, and the decision says why (explain reports it).
            outbox.push({ id: row.id, status: 'stopped', attempted: 0, nextAttemptAt: null, error: null });
            deliveries.push({ id: row.delivery_id, status: verdict === 'suppressed' ? 'suppressed' : 'cancelled' });
            decisions.push({ rule, eventId: row.content.eventId, outcome: verdict, ...(detail ? { detail } : {}) });
            count(row, verdict);
        };
        const passing: OutboxRow[] = [];
        for (const row of group) {
            const eventId = row.content.eventId;
            if (outcome.stopped.has(eventId)) stop(row, 'stopped');
            else if (outcome.suppressed.has(eventId)) stop(row, 'suppressed');
            else passing.push(row);
        }
        const capped = plan.limits.length > 0
            ? await recheckCaps(tx, engine, plan, passing.map((r) => ({ address: r.recipient, outboxId: r.id })), now)
            : [];
        passing.forEach((row, i) => {
            const cap = capped[i];
            if (cap) stop(row, 'capped', cap);
            else toSend.push(row);
        });
    }

    const results = await mapLimit(toSend, options.concurrency ?? 8, (row) => send(options.transports, row, now));
    const policy = options.retry ?? defaultRetryPolicy;
    toSend.forEach((row, i) => {
        const result = results[i]!;
        const attempts = row.attempts + 1;
        if (result.status === 'sent') {
            outbox.push({ id: row.id, status: 'sent', attempted: 1, nextAttemptAt: null, error: null });
            deliveries.push({ id: row.delivery_id, status: 'sent', ...(row.held_until ? { sentAt: now } : {}) });
            sent.push(sentMessage(row));
            count(row, 'sent');
        } else if (result.status === 'retry' && attempts < policy.maxAttempts) {
            const next = new Date(now.getTime() + retryDelayMs(policy, attempts, result.retryAfterMs));
            outbox.push({ id: row.id, status: 'pending', attempted: 1, nextAttemptAt: next, error: result.error });
            count(row, 'retrying');
        } else {
            const error = result.status === 'retry' ? `gave up after ${attempts} attempts: ${result.error}` : result.error;
            outbox.push({ id: row.id, status: 'failed', attempted: 1, nextAttemptAt: null, error });
            deliveries.push({ id: row.delivery_id, status: 'failed' });
            count(row, 'failed');
        }
    });
    await settle(tx, { outbox, deliveries, decisions });
    return rows.length;
}

async function send(transports: DispatchOptions['transports'], row: OutboxRow, now: Date): Promise<SendResult> {
    const transport = transports[row.channel];
    if (!transport) return { status: 'retry', error: `no transport configured for the ${row.channel} channel` };
    const { content } = row;
    const message: OutgoingMessage = {
        deliveryId: row.delivery_id,
        channel: row.channel,
        to: row.recipient,
        rule: row.rule,
        eventId: content.eventId,
        ...(content.subject !== undefined ? { subject: content.subject } : {}),
        ...(content.html !== undefined ? { html: content.html } : {}),
        ...(content.text !== undefined ? { text: content.text } : {}),
        ...(content.title !== undefined ? { title: content.title } : {}),
        headers: content.headers ?? {},
        date: now,
    };
    try {
        return await transport.send(message);
    } catch (error) {
        // A transport that throws has not said the message was refused for good: try again later.
        return { status: 'retry', error: (error as Error).message ?? String(error) };
    }
}

function groupByRule(rows: readonly OutboxRow[]): Map<string | null, OutboxRow[]> {
    const groups = new Map<string | null, OutboxRow[]>();
    for (const row of rows) {
        const group = groups.get(row.rule);
        if (group) group.push(row);
        else groups.set(row.rule, [row]);
    }
    return groups;
}

function sentMessage(row: OutboxRow): SentMessage {
    const { content } = row;
    return {
        rule: row.rule,
        event: content.eventId,
        delivery: row.delivery_id,
        channel: row.channel,
        to: row.recipient,
        ...(content.subject !== undefined ? { subject: content.subject } : {}),
        ...(content.text !== undefined ? { text: content.text } : {}),
        ...(content.title !== undefined ? { title: content.title } : {}),
    };
}

function zero(): DispatchCounts {
    return { sent: 0, failed: 0, stopped: 0, suppressed: 0, capped: 0, retrying: 0 };
}
