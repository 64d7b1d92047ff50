// The operator page of `followup serve` (docs/measuring.md, "The operator page"): read-only, behind a
// key. GET /ui is the page; it reads GET /ui/api/* (JSON) as of the serve clock's now:
//   /ui/api/overview          every rule (its goal, holdout, latest run) and the outbox depth
//   /ui/api/rules/<rule>      the rule's last runs, its decisions per day, its report (with the HTML section)
//   /ui/api/explain?q=<x>     an event id, or an address: every rule's verdict (`followup explain`)
// The key: FOLLOWUP_UI_KEYS when set, else the API keys; as `Authorization: Bearer <key>`, or as the
// password of HTTP Basic authentication (any user name), which browsers ask for themselves.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RenderPlan } from '@followup/compiler';
import { buildReport, ExplainInputError, explainAddress, explainEvent, ruleSection, type EventExplanation } from '@followup/runtime';
import { createApiKeyCheck } from '../api-keys.js';
import type { ServeContext, ServePlugin } from '../serve-context.js';
import { decisionsPerDay, lastRuns, latestRuns, outboxDepth } from './operations.js';
import { operatorPage } from './ui-page.js';

export interface OperatorUiOptions {
    plans: readonly RenderPlan[];
    /** The keys that open the page. */
    keys: readonly string[];
}

/** `Basic base64(user:key)` → `Bearer key`, so one constant-time check serves both. */
function bearerOf(authorization: string | undefined): string | undefined {
    const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization ?? '');
    if (!basic) return authorization;
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : `Bearer ${decoded.slice(colon + 1)}`;
}

const PAGE_HEADERS = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
};

export function operatorUi(options: OperatorUiOptions): ServePlugin {
    const check = createApiKeyCheck(options.keys);
    const plans = [...options.plans];
    const planOf = (rule: string) => plans.find((p) => p.rule === rule);
    return async (app: FastifyInstance, context: ServeContext) => {
        await app.register(async (ui) => {
            // Every /ui route, page and data alike: a valid key, or 401 with a Basic challenge.
            ui.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
                if (options.keys.length > 0 && check.verify(bearerOf(request.headers.authorization)) !== undefined) return;
                await reply.code(401).header('WWW-Authenticate', 'Basic realm="followup operator", charset="UTF-8"').headers(PAGE_HEADERS)
                    .send({ error: 'the operator page needs a key: FOLLOWUP_UI_KEYS (or an API key) as the password' });
                return reply;
            });
            ui.addHook('onSend', async (_request, reply, payload) => {
                reply.headers(PAGE_HEADERS);
                return payload;
            });

            ui.get('/ui', { schema: { hide: true } }, async (_request, reply) => {
                const nonce = randomBytes(16).toString('base64');
                return reply
                    .type('text/html; charset=utf-8')
                    .header('Content-Security-Policy',
                        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; ` +
                        `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
                    .send(operatorPage(nonce));
            });

            ui.get('/ui/api/overview', { schema: { hide: true } }, async () => {
                const now = context.clock();
                const [latest, outbox] = [await latestRuns(context.store, now), await outboxDepth(context.store, now)];
                return {
                    now: now.toISOString(),
                    outbox,
                    rules: plans.map((p) => ({
                        rule: p.rule, event: p.event, message: p.message, channel: p.channel,
                        trigger: `${p.trigger.name}${p.trigger.channel ? ` ${p.trigger.channel}` : ''} sent ${p.trigger.delay.text} ago`,
                        schedule: `every ${p.schedule.every.text}${p.schedule.weekday ? ` on ${p.schedule.weekday}` : ''}${p.schedule.at ? ` at ${p.schedule.at} in ${p.schedule.zone}` : ''}`,
                        goal: p.goal ? { event: p.goal.event, within: p.goal.within.text, value: p.goal.value } : null,
                        holdout: p.holdout ? { share: p.holdout.share } : null,
                        lastRun: latest.get(p.rule) ?? null,
                    })),
                };
            });

            ui.get<{ Params: { rule: string } }>('/ui/api/rules/:rule', { schema: { hide: true } }, async (request, reply) => {
                const plan = planOf(request.params.rule);
                if (!plan) return reply.code(404).send({ error: `no rule '${request.params.rule}'`, rules: plans.map((p) => p.rule) });
                const now = context.clock();
                const report = await buildReport(context.store, [plan], { now, daily: true });
                return {
                    now: now.toISOString(),
                    rule: plan.rule,
                    runs: await lastRuns(context.store, plan.rule, now),
                    days: await decisionsPerDay(context.store, plan.rule, now),
                    report,
                    reportHtml: ruleSection(report.rules[0]!, 0),
                };
            });

            ui.get<{ Querystring: { q?: string } }>('/ui/api/explain', { schema: { hide: true } }, async (request, reply) => {
                const q = (request.query.q ?? '').trim();
                if (q === '' || q.length > 320) return reply.code(400).send({ error: 'give an event id or an address (q=...)' });
                const now = context.clock();
                let explanations: EventExplanation[];
                try {
                    explanations = [await explainEvent(context.store, plans, q, now)];
                } catch (error) {
                    if (!(error instanceof ExplainInputError)) throw error;
                    try {
                        explanations = await explainAddress(context.store, plans, q, now);
                    } catch (inner) {
                        if (!(inner instanceof ExplainInputError)) throw inner;
                        return reply.code(404).send({ error: `no event '${q}', and no message sent to '${q}', as of ${now.toISOString()}` });
                    }
                }
                return { now: now.toISOString(), query: q, explanations };
            });
        });
    };
}
