// POST /v1/events/<type> (one event) and POST /v1/events (a batch: a JSON array, or JSON lines),
// each event `{ "id"?, "at"?, "data" }` as in a `followup import` event record (a batch item also has
// its "type"). Validated against the event's JSON Schema with every problem's path; a batch is all or
// nothing. Answered 202 once recorded, with the event id(s) and the transactional delivery ids.
import { closestName, type Logger, type MetricsSink } from '@followup/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestionPlans, JsonSchema } from '@followup/compiler';
import { batchItemHeadSchema, eventEnvelopeSchema } from './ingest/envelope-schema.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH, requestHash, type IdempotencyClaim } from './ingest/idempotency.js';
import { IngestRejected, type EventAnswer, type Ingestor, type IngestRequest } from './ingest/ingestor.js';
import type { IncomingEvent } from './ingest/prepare-events.js';
import { mapInChunks } from './ingest/chunks.js';
import { envelopeProblems, problemsFromAjv, type AjvErrorLike, type Problem } from './ingest/problems.js';
import type { BodyLimits } from './start-server.js';

export interface EventRoutesOptions {
    ingestor: Ingestor;
    plans: IngestionPlans;
    limits: BodyLimits;
    log: Logger;
    metrics: MetricsSink;
}

/** Problems listed in a batch's 400 at most (the count of invalid events is always complete). */
const MAX_BATCH_PROBLEMS = 1000;

const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/jsonlines', 'application/json-lines'];

type ScopedRequest = FastifyRequest & { apiKeyScope: string };
type Validate = ((value: unknown) => boolean) & { errors?: AjvErrorLike[] | null };

export function registerEventRoutes(app: FastifyInstance, options: EventRoutesOptions): void {
    const { ingestor, plans, limits, metrics } = options;
    const types = plans.events.map((p) => p.event);

    app.addContentTypeParser(JSON_LINES_TYPES, { parseAs: 'string', bodyLimit: limits.batch }, (_request, body, done) => {
        const events: unknown[] = [];
        const lines = (body as string).split('\n');
        for (let i = 0; i < lines.length; i++) {
            const line = lines[i]!.trim();
            if (line === '') continue;
            try {
                events.push(JSON.parse(line));
            } catch (error) {
                done(Object.assign(new Error(`line ${i + 1}: not valid JSON (${(error as Error).message}); nothing was stored`), { statusCode: 400 }), undefined);
                return;
            }
        }
        done(null, events);
    });

    for (const plan of plans.events) {
        const route = `/v1/events/${plan.event}`;
        app.post<{ Body: { id?: string; at?: string; data: Record<string, unknown> } }>(
            route,
            { schema: { body: eventEnvelopeSchema(plan) }, bodyLimit: limits.event },
            async (request, reply) => {
                const unstorable = envelopeProblems(request.body);
                if (unstorable.length > 0) return rejectUnstorable(reply, unstorable, 1);
                const event: IncomingEvent = { type: plan.event, ...request.body };
                return answer(request as ScopedRequest, reply, route, {
                    events: [event],
                    pointers: [''],
                    answer: ([one]) => ({ status: 202, body: one }),
                });
            },
        );
    }

    // The JSON Schema of each event's data (what `data` is validated against), for the shop's developers.
    for (const plan of plans.events) {
        app.get(`/v1/events/${plan.event}/schema`, async (_request, reply) => reply.type('application/schema+json').send(plan.schema));
    }

    app.post<{ Params: { type: string } }>('/v1/events/:type', async (request, reply) => {
        metrics.increment('followup_events_rejected_total', { reason: 'unknown_type' });
        const near = closestName(request.params.type, types);
        return reply.code(404).send({
            error: `no event type '${request.params.type}' is declared${near ? ` (did you mean '${near}'?)` : ''}; nothing was stored`, types,
        });
    });

    const itemHead = batchItemHeadSchema(types);
    const itemSchemas = new Map<string, JsonSchema>(plans.events.map((p) => [p.event, eventEnvelopeSchema(p, { withType: true })]));
    app.post('/v1/events', { bodyLimit: limits.batch }, async (request, reply) => {
        const body = request.body;
        if (!Array.isArray(body)) {
            return reply.code(400).send({ error: 'a batch is a JSON array of events, or JSON lines (Content-Type: application/x-ndjson); nothing was stored', problems: [{ path: '', message: 'expected an array' }] });
        }
        if (body.length === 0 || body.length > limits.batchEvents) {
            return reply.code(400).send({ error: `a batch holds 1 to ${limits.batchEvents} events; nothing was stored`, problems: [{ path: '', message: `got ${body.length} events` }] });
        }
        const problems: Problem[] = [];
        let invalid = 0;
        let unlisted = 0;
        const head = request.compileValidationSchema(itemHead) as Validate;
        await mapInChunks(body, (item: unknown, i: number) => {
            const before = problems.length;
            if (problems.length >= MAX_BATCH_PROBLEMS) {
                // Still counted, no longer listed: 10,000 wrong events are one mistake, not a 10 MB answer.
                const validate = request.compileValidationSchema(itemSchemas.get((item as { type?: string })?.type ?? '') ?? itemHead) as Validate;
                if (!validate(item)) {
                    invalid++;
                    unlisted++;
                }
                return;
            }
            if (!head(item)) {
                problems.push(...problemsFromAjv(head.errors ?? [], `/${i}`));
                invalid++;
                return;
            }
            const validate = request.compileValidationSchema(itemSchemas.get((item as { type: string }).type)!) as Validate;
            if (!validate(item)) problems.push(...problemsFromAjv(validate.errors ?? [], `/${i}`));
            if (problems.length > before) invalid++;
        });
        if (problems.length === 0) {
            // Values the store cannot keep exactly, ids given twice: problems of the batch as a whole.
            const unstorable = (await mapInChunks(body, (item: unknown, i: number) => envelopeProblems(item, `/${i}`, MAX_BATCH_PROBLEMS))).flat();
            const more = [...unstorable.slice(0, MAX_BATCH_PROBLEMS), ...repeatedIds(body as { id?: string }[])];
            if (more.length > 0) {
                metrics.increment('followup_events_rejected_total', { reason: 'unstorable' }, body.length);
                const events = new Set(more.map((p) => p.path.split('/')[1]));
                return reply.code(400).send({
                    error: `${events.size} of ${body.length} events have values that cannot be stored, or an id given twice; nothing was stored`,
                    problems: more.slice(0, MAX_BATCH_PROBLEMS),
                });
            }
        }
        if (problems.length > 0) {
            metrics.increment('followup_events_rejected_total', { reason: 'invalid' }, body.length);
            const listed = problems.slice(0, MAX_BATCH_PROBLEMS);
            return reply.code(400).send({
                error: `${invalid} of ${body.length} events do not match their schema; nothing was stored`,
                problems: listed,
                ...(problems.length > listed.length || unlisted > 0 ? { truncated: true } : {}),
            });
        }
        return answer(request as ScopedRequest, reply, '/v1/events', {
            events: body as IncomingEvent[],
            pointers: body.map((_: unknown, i: number) => `/${i}`),
            answer: (events) => ({ status: 202, body: { events } }),
        });
    });

    function rejectUnstorable(reply: FastifyReply, problems: Problem[], events: number) {
        metrics.increment('followup_events_rejected_total', { reason: 'unstorable' }, events);
        return reply.code(400).send({ error: 'some values cannot be stored; nothing was stored', problems });
    }

    async function answer(request: ScopedRequest, reply: FastifyReply, route: string, ingest: Omit<IngestRequest, 'idempotency'>) {
        const key = request.headers['idempotency-key'];
        let idempotency: IdempotencyClaim | undefined;
        if (key !== undefined) {
            if (typeof key !== 'string' || key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
                return reply.code(400).send({ error: `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters; nothing was stored` });
            }
            idempotency = { scope: request.apiKeyScope, key, requestHash: await requestHash(route, request.body) };
        }
        try {
            const outcome = await ingestor.ingest({ ...ingest, ...(idempotency ? { idempotency } : {}) });
            if (outcome.mismatch) {
                return reply.code(422).send({ error: 'this Idempotency-Key was used for another request; nothing was stored' });
            }
            if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
            return reply.code(outcome.status).send(outcome.body);
        } catch (error) {
            if (error instanceof IngestRejected) {
                metrics.increment('followup_events_rejected_total', { reason: error.reason }, ingest.events.length);
                const what = error.reason === 'invalid' ? 'some values are not what their fields declare' : 'some values cannot be stored';
                return reply.code(400).send({ error: `${what}; nothing was stored`, problems: error.problems });
            }
            throw error;
        }
    }
}

/** An id given to two events of one batch: the second (and later) ones, as problems. */
function repeatedIds(events: readonly { id?: string }[]): Problem[] {
    const first = new Map<string, number>();
    const problems: Problem[] = [];
    events.forEach((e, i) => {
        if (e.id === undefined) return;
        const seen = first.get(e.id);
        if (seen === undefined) first.set(e.id, i);
        else if (problems.length < MAX_BATCH_PROBLEMS) problems.push({ path: `/${i}/id`, message: `the same id as event /${seen}: each event of a batch needs its own id` });
    });
    return problems;
}

export type { EventAnswer };
