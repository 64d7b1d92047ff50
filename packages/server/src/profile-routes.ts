// POST /v1/profiles: a person's latest data, as a `followup import` profile record without its kind:
// `{ "key"?, "at"?, "data" }`. The key defaults to the data's key field; the latest `at` wins, and a
// profile replaces the whole data (no merge). Events targeting the profile read it at ingestion.
import type { FastifyInstance } from 'fastify';
import type { ProfilePlan } from '@followup/compiler';
import { idProblem, jsonPointer, normalisePhonesAt, parseInstant } from '@followup/values';
import { profileEnvelopeSchema } from './ingest/envelope-schema.js';
import { unstorableProblems } from './ingest/problems.js';
import type { ServeContext } from './serve-context.js';
import type { BodyLimits } from './start-server.js';

interface ProfileBody {
    key?: string;
    at?: string;
    data: Record<string, unknown>;
}

export function registerProfileRoute(app: FastifyInstance, options: { plan: ProfilePlan; context: ServeContext; limits: BodyLimits; phoneRegion?: string }): void {
    const { plan, context } = options;
    app.post<{ Body: ProfileBody }>('/v1/profiles', { schema: { body: profileEnvelopeSchema(plan) }, bodyLimit: options.limits.event }, async (request, reply) => {
        const problems = unstorableProblems(request.body);
        if (problems.length > 0) return reply.code(400).send({ error: 'some values cannot be stored; nothing was stored', problems });
        const { data } = request.body;
        const fromData = plan.key ? data[plan.key] : undefined;
        const key = request.body.key ?? (fromData === undefined || fromData === null ? undefined : String(fromData));
        if (key === undefined) return reply.code(400).send({ error: 'nothing was stored', problems: [{ path: '/key', message: 'missing: give the key, or the key field in data' }] });
        if (fromData !== undefined && fromData !== null && String(fromData) !== key) {
            return reply.code(400).send({ error: 'nothing was stored', problems: [{ path: `/data/${plan.key}`, message: `must equal the key "${key}"` }] });
        }
        const keyProblem = idProblem(key);
        if (keyProblem) return reply.code(400).send({ error: 'nothing was stored', problems: [{ path: request.body.key !== undefined ? '/key' : `/data/${plan.key}`, message: keyProblem }] });
        // Phone numbers are kept in E.164 (docs/language.md §2): rewritten, or refused.
        const phones = normalisePhonesAt(data, plan.phonePaths ?? [], options.phoneRegion);
        if (phones.length > 0) {
            return reply.code(400).send({ error: 'nothing was stored', problems: phones.map((p) => ({ path: `/data${jsonPointer(p.path)}`, message: p.message })) });
        }
        const payload = JSON.stringify(data);
        const at = request.body.at !== undefined ? parseInstant(request.body.at)! : context.clock();
        await context.store.query(
            // A new version, valid from `at` (every version is kept: rules read the one of their now).
            `INSERT INTO profiles (key, payload, updated_at) VALUES ($1, $2::jsonb, $3)
             ON CONFLICT (key, updated_at) DO UPDATE SET payload = EXCLUDED.payload`,
            [key, payload, at.toISOString()],
        );
        return reply.code(202).send({ profile: key });
    });
}
