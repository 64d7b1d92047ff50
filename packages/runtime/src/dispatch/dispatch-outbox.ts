// Drains the outbox, a batch at a time, in three steps that never hold the store while a message is
// sent (on the embedded store, a transaction open across an SMTP exchange would stall ingestion):
//   1. claim (a short transaction): lease due rows nobody holds (`claimed_until`, `claimed_by`; picked
//      with FOR UPDATE SKIP LOCKED), recheck each rule's events as of the dispatch's now (stopped and
//      suppressed rows are settled right there);
//   2. send, with no transaction open; the lease is renewed while the batch is in flight;
//   3. settle (one statement): the rows still held become sent, failed, or pending again with a
//      backoff.
// With idempotent transports only (the outbox folder: a message sent again is a no-op), batches
// overlap by one: once a batch's messages are sent, its flush (the transports making them durable)
// and its settle run while the next batch is claimed and sent; the next batch's flush waits for them.
// A claim's recheck counts caps over the follow-ups decided ahead (not over those sent), so it does
// not depend on the earlier batch being settled. Measured on the outbox folder: claims, flushes and
// settles were ~40% of a drain during which nothing was sent (bench/README.md). Over SMTP or webhooks a
// batch is settled before the next is sent, so that a store failing at the settle leaves one batch,
// not two, to be sent again.
// A process that dies between 1 and 3 leaves its rows claimed: they are claimed and sent again once
// the lease has run out (at once on the embedded store, opened by one process at a time). The
// delivery id is the email's Message-ID, so a receiver can tell a retry of a message that did leave.
import type { RenderPlan } from '@followup/compiler';
import { recheckCaps } from '../executor/policies/caps.js';
import { recheck } from '../executor/rule-queries.js';
import type { Store, StoreTx } from '../store/store.js';
import type { ChannelName, OutgoingMessage, SendResult, Transport } from '../transport/transport.js';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './backoff.js';
import { mapLimit } from './map-limit.js';
import type { CapDetail } from '../executor/policies/caps.js';
import type { ContentDecorator } from '../tracking/decorate.js';
import { renderDeferred } from './deferred.js';
import { claimRows, claimToken, recordStopped, renewLease, settle, type DecisionUpdate, type OutboxRow, type RowOutcome } from './outbox-rows.js';
import { settleBounded } from './bounded-settle.js';
import { refreshPlannerStatisticsEvery } from '../executor/planner-statistics.js';
import type { Logger } from '../observability/observability.js';

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
    /** How long a claim holds its rows without being renewed (default 60 s; renewed every third of it while sending). */
    leaseMs?: number;
    /** Checked before each claim: true ends the drain (the batch in hand is always sent and settled). */
    shouldStop?: () => boolean;
    /** Tracking, for follow-ups decided with it (rendered here, deferred.ts); without it such a row waits, retried with backoff. */
    decorate?: ContentDecorator;
    /** Told when a settle ran past its bound and was tried again (bounded-settle.ts). */
    log?: Logger;
    /** The statement timeouts of a settle's attempts on a PostgreSQL server (default 10 s, then 30 s, then none). */
    settleTimeoutsMs?: readonly number[];
}

export const DEFAULT_LEASE_MS = 60_000;

/** How often a dispatcher looks whether the tables it reads need new planner statistics (one catalog query). */
const STATISTICS_EVERY_MS = 5_000;

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
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    /** The previous batch's flush and settle, still running (only with idempotent transports). */
    let finishing: Promise<void> | undefined;
    const overlap = Object.values(options.transports).every((transport) => transport?.idempotent === true);
    try {
        for (let batch = 0; !options.shouldStop?.(); batch++) {
            // The embedded store's statements run on this thread and resolve in microtasks: between two
            // batches the event loop gets a turn (requests, timers), whatever the transport.
            if (batch > 0) await new Promise((resolve) => setImmediate(resolve));
            // Fresh enough statistics for the claim, the recheck and the settle, whoever else analyses or not.
            await refreshPlannerStatisticsEvery(store, STATISTICS_EVERY_MS);
            const token = claimToken();
            // 1. Claim (short transaction): the recheck's stopped and suppressed rows are settled in it.
            const claim = await store.transaction((tx) => claimBatch(tx, plans, options, { token, leaseMs, embedded: store.engine === 'pglite' }));
            if (claim.rows === 0) break;
            for (const [row, outcome] of claim.stopped) count(report, row, outcome);
            for (const [row, outcome] of claim.unsendable) count(report, row, outcome.status === 'failed' ? 'failed' : 'retrying');
            if (claim.toSend.length === 0) continue;

            // 2. Send, no transaction open; the lease is renewed while the batch is in flight.
            const renewal = setInterval(() => {
                renewLease(store, token, leaseMs).catch(() => {
                    // The store is unreachable: the lease may run out; the settle below says what we still hold.
                });
            }, Math.max(100, Math.floor(leaseMs / 3)));
            let results: SendResult[];
            try {
                results = await mapLimit(claim.toSend, options.concurrency ?? 8, (row) => send(options.transports, row, options.now));
                await finishing; // flushes in batch order: this one makes durable what the last one left
            } catch (error) {
                clearInterval(renewal);
                throw error;
            }
            finishing = finishBatch(store, options, report, claim.toSend, results, { token, leaseMs }, renewal);
            finishing.catch(() => {}); // awaited with the next batch, or below
            if (!overlap) await finishing;
        }
    } finally {
        await finishing;
    }
    return report;
}

/** Steps 2's end and 3: flush the transports, settle (one statement) what this claim still holds, count. */
async function finishBatch(
    store: Store,
    options: DispatchOptions,
    report: DispatchReport,
    rows: readonly OutboxRow[],
    sent: SendResult[],
    { token, leaseMs }: { token: string; leaseMs: number },
    renewal: NodeJS.Timeout,
): Promise<void> {
    // The lease is renewed until the settle commits: a settle tried again after its bound ran out
    // (bounded-settle.ts) still holds its rows.
    let written: Set<number>;
    let outcomes: RowOutcome[];
    try {
        const results = await flushTransports(options.transports, rows, sent);
        outcomes = rows.map((row, i) => outcomeOf(row, results[i]!, options));
        written = await settleBounded(store, outcomes, token, {
            renewLease: () => renewLease(store, token, leaseMs),
            ...(options.log ? { log: options.log } : {}),
            ...(options.settleTimeoutsMs ? { timeoutsMs: options.settleTimeoutsMs } : {}),
        });
    } finally {
        clearInterval(renewal);
    }
    rows.forEach((row, i) => {
        if (!written.has(row.id)) return; // the lease ran out and another dispatcher took the row over
        const outcome = outcomes[i]!;
        count(report, row, outcome.status === 'sent' ? 'sent' : outcome.status === 'failed' ? 'failed' : 'retrying');
        // Reported only once committed: a message is "sent" when the store says so.
        if (outcome.status === 'sent') options.onSent?.(sentMessage(row));
    });
}

interface Claim {
    /** Rows selected (0: nothing is due). */
    rows: number;
    /** Rows the recheck stopped, suppressed or capped, settled in the claim's transaction. */
    stopped: [OutboxRow, StopVerdict][];
    /** Rows that could not be rendered, settled in the claim's transaction (failed, or pending again with a backoff). */
    unsendable: [OutboxRow, RowOutcome][];
    /** Rows leased to this claim, to send. */
    toSend: OutboxRow[];
}

/**
 * Step 1, in one short transaction: claim (select and lease, one statement), recheck, render the rows
 * recorded without their message, settle the stopped ones and those that cannot be rendered.
 */
async function claimBatch(
    tx: StoreTx,
    plans: Map<string, RenderPlan>,
    options: DispatchOptions,
    claim: { token: string; leaseMs: number; embedded: boolean },
): Promise<Claim> {
    const rows = await claimRows(tx, {
        now: options.now,
        rules: [...plans.keys()],
        transactional: options.transactional ?? false,
        limit: options.batchSize ?? 100,
        embedded: claim.embedded,
        token: claim.token,
        leaseMs: claim.leaseMs,
    });
    if (rows.length === 0) return { rows: 0, stopped: [], unsendable: [], toSend: [] };
    const rechecked = await recheckRows(tx, plans, rows, options.now);
    const { stopped, caps } = rechecked;
    const rendered = await renderDeferred(tx, plans, rechecked.toSend, options.decorate);
    const toSend = rendered.ready;
    // As a transport's answer would be: failed, or pending again after a backoff (failed once out of attempts).
    const unsendable = rendered.unsendable.map(([row, result]): [OutboxRow, RowOutcome] => [row, outcomeOf(row, result, options)]);
    if (unsendable.length > 0) await settle(tx, unsendable.map(([, outcome]) => outcome), claim.token);
    if (stopped.length > 0) {
        // Not sent, and the decision says why (explain reports it).
        await settle(
            tx,
            stopped.map(([row, verdict]): RowOutcome => ({
                id: row.id, deliveryId: row.delivery_id, status: 'stopped', nextAttemptAt: null, error: null,
                delivery: verdict === 'suppressed' ? 'suppressed' : 'cancelled',
            })),
            claim.token,
        );
        await recordStopped(tx, stopped.map(([row, verdict]): DecisionUpdate => ({
            rule: row.rule!, eventId: row.content.eventId, outcome: verdict, ...(caps.has(row.id) ? { detail: caps.get(row.id)! } : {}),
        })));
    }
    return { rows: rows.length, stopped, unsendable, toSend };
}

type StopVerdict = 'stopped' | 'suppressed' | 'capped';

/**
 * The recheck, as of the dispatch's now, inside the claim's transaction: a purchase or an unsubscribe
 * that arrived after the selection still stops the follow-up (docs/language.md §4), and its caps are counted
 * again over the follow-ups decided ahead of it (docs/language.md §6). Transactional rows (rule NULL)
 * have no recheck. Every check a row must pass right before it is sent belongs here.
 */
export async function recheckRows(
    tx: StoreTx,
    plans: Map<string, RenderPlan>,
    rows: readonly OutboxRow[],
    now: Date,
): Promise<{ toSend: OutboxRow[]; stopped: [OutboxRow, StopVerdict][]; caps: Map<number, CapDetail> }> {
    const toSend: OutboxRow[] = [];
    const stopped: [OutboxRow, StopVerdict][] = [];
    const caps = new Map<number, CapDetail>();
    for (const [rule, group] of groupByRule(rows)) {
        const plan = rule === null ? undefined : plans.get(rule);
        if (!plan) {
            toSend.push(...group);
            continue;
        }
        const outcome = await recheck(tx, plan, group.map((r) => r.content.eventId), now);
        const passing: OutboxRow[] = [];
        for (const row of group) {
            const eventId = row.content.eventId;
            if (outcome.stopped.has(eventId)) stopped.push([row, 'stopped']);
            else if (outcome.suppressed.has(eventId)) stopped.push([row, 'suppressed']);
            else passing.push(row);
        }
        const reached = plan.limits.length > 0
            ? await recheckCaps(tx, plan, passing.map((r) => ({ address: r.recipient, outboxId: r.id })), now)
            : [];
        passing.forEach((row, i) => {
            const cap = reached[i];
            if (cap) {
                stopped.push([row, 'capped']);
                caps.set(row.id, cap);
            } else toSend.push(row);
        });
    }
    return { toSend, stopped, caps };
}

/** What a transport's answer makes of a row: sent, pending again after a backoff, or failed. */
function outcomeOf(row: OutboxRow, result: SendResult, options: DispatchOptions): RowOutcome {
    const policy = options.retry ?? defaultRetryPolicy;
    const attempts = row.attempts + 1;
    const base = { id: row.id, deliveryId: row.delivery_id };
    if (result.status === 'sent') {
        return { ...base, status: 'sent', nextAttemptAt: null, error: null, delivery: 'sent', ...(row.held_until ? { sentAt: options.now } : {}) };
    }
    if (result.status === 'retry' && attempts < policy.maxAttempts) {
        const next = new Date(options.now.getTime() + retryDelayMs(policy, attempts, result.retryAfterMs));
        return { ...base, status: 'pending', nextAttemptAt: next, error: result.error };
    }
    const error = result.status === 'retry' ? `gave up after ${attempts} attempts: ${result.error}` : result.error;
    return { ...base, status: 'failed', nextAttemptAt: null, error, delivery: 'failed' };
}

function count(report: DispatchReport, row: OutboxRow, key: keyof DispatchCounts): void {
    report.total[key]++;
    (report.byRule[row.rule ?? ''] ??= zero())[key]++;
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

/**
 * Flushes each transport the batch used (a transport may defer making its messages durable to this:
 * the outbox folder's fsyncs). A transport whose flush fails has its 'sent' answers turned into
 * temporary failures: the batch is not recorded as sent on the strength of data that may be lost.
 */
async function flushTransports(transports: DispatchOptions['transports'], rows: readonly OutboxRow[], results: SendResult[]): Promise<SendResult[]> {
    const used = [...new Set(rows.map((row) => transports[row.channel]).filter((t): t is Transport => t?.flush !== undefined))];
    const failed = new Map<Transport, string>();
    await Promise.all(used.map(async (transport) => {
        try {
            await transport.flush!();
        } catch (error) {
            failed.set(transport, (error as Error).message ?? String(error));
        }
    }));
    if (failed.size === 0) return results;
    return results.map((result, i) => {
        const error = failed.get(transports[rows[i]!.channel]!);
        return error !== undefined && result.status === 'sent' ? { status: 'retry', error } : result;
    });
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
