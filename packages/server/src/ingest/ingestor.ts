// Ingestion: accepted events (validated against their schemas by the routes) → prepared (addressed,
// rendered, decorated) → recorded with their transactional deliveries and outbox rows, in one
// statement (group-committed with other requests) or, with an Idempotency-Key, in one transaction
// with the stored answer. Only then is the request answered; sending happens after the commit.
import type { EventPlan, IngestionPlans } from '@followup/compiler';
import { jsonPointer, normalisePhonesAt } from '@followup/values';
import type { MetricsSink, Store, StoreTx } from '@followup/runtime';
import { GroupCommitWriter, type GroupCommitOptions } from './group-commit.js';
import { claimIdempotencyKey, saveIdempotentAnswer, type IdempotencyClaim, type StoredAnswer } from './idempotency.js';
import { EventPreparer, type DecorateMessage, type IncomingEvent, type NotSent, type PreparedEvent } from './prepare-events.js';
import type { Problem } from './problems.js';
import { mapInChunks, WRITE_CHUNK_EVENTS, yieldToEventLoop } from './chunks.js';
import { recordEvents, storedDeliveries, type RecordResult } from './record-events.js';

/** What the API answers about one accepted event. */
export interface EventAnswer {
    event: string;
    /** The transactional deliveries recorded for it (queued for sending, or suppressed/failed: see notSent). */
    deliveries: string[];
    /** Transactional messages of its type not sent, and why (no recipient, suppressed address, rendering failed). */
    notSent?: NotSent[];
    /** The id was already stored: nothing new was recorded; `deliveries` are the stored ones. */
    duplicate?: true;
}

/** Data the store cannot keep (NUL, lone surrogates): answered 400 like schema problems. */
export class IngestRejected extends Error {
    constructor(
        readonly problems: Problem[],
        /** `unstorable`: values the store cannot keep; `invalid`: values that are not what they are declared (phone numbers). */
        readonly reason: 'unstorable' | 'invalid' = 'unstorable',
    ) {
        super('the events cannot be stored');
    }
}

export interface IngestorOptions {
    store: Store;
    plans: IngestionPlans;
    clock: () => Date;
    metrics: MetricsSink;
    decorate?: DecorateMessage;
    /** Called after each commit with the transactional deliveries queued (to wake a dispatcher). */
    onQueued?: (deliveryIds: string[]) => void;
    groupCommit?: GroupCommitOptions;
    /** Where phone numbers without a country code are read (followup.config.json `phoneRegion`). */
    phoneRegion?: string;
}

export interface IngestRequest {
    events: IncomingEvent[];
    /** JSON Pointer of each event in the body (`` for a single event, `/3` in a batch), for problems. */
    pointers: string[];
    idempotency?: IdempotencyClaim;
    /** Shapes the answers into the response (status and body): what an Idempotency-Key stores. */
    answer(events: EventAnswer[]): StoredAnswer;
}

export type IngestOutcome = StoredAnswer & { replayed?: boolean; mismatch?: boolean };

export class Ingestor {
    readonly plans: Map<string, EventPlan>;
    private readonly preparer: EventPreparer;
    private readonly writer: GroupCommitWriter;

    constructor(private readonly options: IngestorOptions) {
        this.plans = new Map(options.plans.events.map((p) => [p.event, p]));
        this.preparer = new EventPreparer(options.plans.events, options.decorate);
        this.writer = new GroupCommitWriter(options.store, options.clock, options.groupCommit);
    }

    async ingest(request: IngestRequest): Promise<IngestOutcome> {
        const { store, clock } = this.options;
        // Phone numbers are kept in E.164 (docs/language.md §2): rewritten in the data, or refused.
        const phones = request.events.flatMap((e, i) => {
            const paths = this.plans.get(e.type)?.phonePaths ?? [];
            return paths.length === 0 ? [] : normalisePhonesAt(e.data, paths, this.options.phoneRegion)
                .map((p) => ({ path: `${request.pointers[i]}/data${jsonPointer(p.path)}`, message: p.message }));
        });
        if (phones.length > 0) throw new IngestRejected(phones, 'invalid');

        // The routes have checked every value against the value rules (unstorableProblems): what is
        // recorded below is exactly what was posted, phone numbers in E.164.
        const payloads = await mapInChunks(request.events, (e) => JSON.stringify(e.data));

        const now = clock();
        const profiles = await this.loadProfiles(request.events, now);
        const prepared = await mapInChunks(request.events, (e, i) => this.preparer.prepare(e, payloads[i]!, now, this.profileOf(e, profiles)));

        if (!request.idempotency) {
            // A small request joins the group commit; a large one is written in chunks, in its own transaction.
            const recorded = prepared.length <= WRITE_CHUNK_EVENTS
                ? await this.writer.write(prepared)
                : await store.transaction((tx) => recordInChunks(tx, prepared, now));
            const answers = await this.answers(prepared, recorded);
            this.committed(prepared, recorded);
            return request.answer(answers);
        }
        const claim = request.idempotency;
        let recorded: RecordResult | undefined;
        const outcome = await store.transaction(async (tx): Promise<IngestOutcome> => {
            const claimed = await claimIdempotencyKey(tx, claim, now);
            if (claimed.kind === 'mismatch') return { status: 422, body: {}, mismatch: true };
            if (claimed.kind === 'replay') return { ...claimed.answer, replayed: true };
            recorded = await recordInChunks(tx, prepared, now);
            const answer = request.answer(await this.answers(prepared, recorded, tx));
            await saveIdempotentAnswer(tx, claim, answer);
            return answer;
        });
        if (recorded) this.committed(prepared, recorded);
        return outcome;
    }

    /** Resolves when no write is queued or in flight. */
    idle(): Promise<void> {
        return this.writer.idle();
    }

    /** Each profile as of `now`: its latest version at or before it. */
    private async loadProfiles(events: IncomingEvent[], now: Date): Promise<Map<string, Record<string, unknown>>> {
        const keys = new Set<string>();
        for (const e of events) {
            const plan = this.plans.get(e.type);
            if (plan && this.preparer.needsProfile(plan)) {
                const key = e.data[plan.profileKey!];
                if (typeof key === 'string' || typeof key === 'number') keys.add(String(key));
            }
        }
        const profiles = new Map<string, Record<string, unknown>>();
        if (keys.size === 0) return profiles;
        const { rows } = await this.options.store.query<{ key: string; payload: Record<string, unknown> }>(
            `SELECT DISTINCT ON (key) key, payload FROM profiles WHERE key = ANY ($1::text[]) AND updated_at <= $2
             ORDER BY key, updated_at DESC`,
            [[...keys], now.toISOString()],
        );
        for (const row of rows) profiles.set(row.key, row.payload);
        return profiles;
    }

    private profileOf(event: IncomingEvent, profiles: Map<string, Record<string, unknown>>): Record<string, unknown> | null | undefined {
        const plan = this.plans.get(event.type);
        if (!plan?.profileKey) return undefined;
        const key = event.data[plan.profileKey];
        return profiles.get(String(key)) ?? null;
    }

    private async answers(prepared: PreparedEvent[], recorded: RecordResult, tx?: Parameters<typeof storedDeliveries>[0]): Promise<EventAnswer[]> {
        const duplicates = prepared.filter((e) => !recorded.inserted.has(e.id)).map((e) => e.id);
        const stored = duplicates.length > 0 ? await storedDeliveries(tx ?? this.options.store, duplicates) : new Map();
        return prepared.map((e): EventAnswer => {
            if (!recorded.inserted.has(e.id)) {
                return { event: e.id, deliveries: (stored.get(e.id) ?? []).map((d: { id: string }) => d.id), duplicate: true };
            }
            const notSent = [...e.notSent];
            for (const d of e.deliveries) {
                const status = recorded.deliveries.get(d.deliveryId);
                if (status === 'suppressed') notSent.push({ message: d.message, channel: d.channel, reason: `${d.recipient} is suppressed on ${d.channel} (unsubscribed, hard bounce or complaint)` });
                else if (status === 'failed') notSent.push({ message: d.message, channel: d.channel, reason: d.error ?? 'failed' });
            }
            return {
                event: e.id,
                deliveries: e.deliveries.filter((d) => recorded.deliveries.has(d.deliveryId)).map((d) => d.deliveryId),
                ...(notSent.length > 0 ? { notSent } : {}),
            };
        });
    }

    private committed(prepared: PreparedEvent[], recorded: RecordResult): void {
        const { metrics } = this.options;
        const queued: string[] = [];
        for (const e of prepared) {
            if (!recorded.inserted.has(e.id)) continue;
            metrics.increment('followup_events_received_total', { type: e.type });
            for (const d of e.deliveries) {
                const status = recorded.deliveries.get(d.deliveryId);
                if (status === undefined) continue;
                metrics.increment('followup_messages_total', { rule: '', channel: d.channel, outcome: status });
                if (status === 'queued') queued.push(d.deliveryId);
            }
        }
        if (queued.length > 0) this.options.onQueued?.(queued);
    }
}

/**
 * Writes `events` a chunk per statement, in the caller's transaction, with the event loop free between
 * them: on the embedded store a statement runs on this thread and resolves in a microtask, so without
 * an explicit turn the whole transaction would run without the event loop seeing a timer or a socket.
 */
async function recordInChunks(tx: StoreTx, events: readonly PreparedEvent[], now: Date): Promise<RecordResult> {
    const result: RecordResult = { inserted: new Set(), deliveries: new Map() };
    for (let i = 0; i < events.length; i += WRITE_CHUNK_EVENTS) {
        if (i > 0) await yieldToEventLoop();
        const chunk = await recordEvents(tx, events.slice(i, i + WRITE_CHUNK_EVENTS), now);
        for (const id of chunk.inserted) result.inserted.add(id);
        for (const [id, status] of chunk.deliveries) result.deliveries.set(id, status);
    }
    return result;
}
