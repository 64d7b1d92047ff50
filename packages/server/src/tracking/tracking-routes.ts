// The tracking endpoints of followup serve:
//   GET  /t/o/<token>  the open pixel: a 1×1 GIF; records an open (machine opens flagged)
//   GET  /t/c/<token>  a click: 302 to the URL signed into the token; records a click
//   GET  /u/<token>    the unsubscribe page: a button that POSTs to the same URL (never unsubscribes
//                      by itself: link scanners and prefetchers follow GET links)
//   POST /u/<token>    RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`), and the form
// A token whose signature does not verify gets 404 and nothing else: no redirect, nothing recorded.
//
// What is recorded: the first open by a person and the first machine open of each delivery, and the
// first click of each (delivery, URL); repeats only move the counters. The rules only ask whether an
// open or a click exists (docs/language.md §4), and this keeps a proxy refetching images from growing the
// table. Recording never holds a reader up: if the store fails, the pixel and the redirect are still
// served (the failure is logged and counted).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml, findDelivery, recordTracking, suppressAddress, verifyToken, type TrackingToken } from '@followup/runtime';
import { normaliseHttpUrl } from '@followup/values';
import type { ServeContext, ServePlugin } from '../serve-context.js';
import { machineOpener } from './machine-opens.js';

/** A transparent 1×1 GIF (42 bytes). */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const NO_STORE = 'no-store, no-cache, must-revalidate, private';

/** The one-click body is `List-Unsubscribe=One-Click`: whatever the content type, 16 KiB at most. */
const UNSUBSCRIBE_BODY_LIMIT = 16 * 1024;

// Wildcard routes: find-my-way caps `:param` segments at the server's maxParamLength (100 by
// default), shorter than a token that carries its URL.
type TokenParams = { Params: { '*': string } };

export const trackingRoutes: ServePlugin = async (app: FastifyInstance, ctx: ServeContext) => {
    await app.register(async scope => {
        // Mail clients POST the one-click body as a form (urlencoded or multipart, RFC 8058 §3.1);
        // its content is not needed: the signed token says who unsubscribes.
        for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
            scope.addContentTypeParser(type, { parseAs: 'string', bodyLimit: UNSUBSCRIBE_BODY_LIMIT }, (_req, body, done) => done(null, body));
        }
        // No length limit here: a token over MAX_TOKEN_LENGTH fails verifyToken, and gets the 404 of
        // every token that does not verify (a 400 would tell a prober something).
        const tokenParams = {
            params: { type: 'object', properties: { '*': { type: 'string' } }, required: ['*'] },
        };

        scope.get<TokenParams>('/t/o/*', { schema: tokenParams }, async (request, reply) => {
            const token = verified(request.params['*'], 'open', ctx);
            if (!token) return notFound(reply);
            const opener = machineOpener({ userAgent: request.headers['user-agent'], ip: request.ip });
            const machine = opener !== undefined;
            // HEAD (fastify answers it from this route) is a link checker's, not a reader's.
            if (request.method !== 'HEAD') await safely(ctx, 'open', async () => {
                const recorded = await recordTracking(ctx.store, {
                    deliveryId: token.deliveryId,
                    kind: 'open',
                    at: ctx.clock(),
                    machine,
                    sourceKey: `pixel:open:${machine ? 'machine' : 'person'}:${digest(token.deliveryId)}`,
                });
                ctx.metrics.increment('followup_tracking_total', { kind: 'open', source: 'pixel', machine: String(machine), recorded: String(recorded) });
            });
            return reply.code(200).header('content-type', 'image/gif').header('cache-control', NO_STORE).send(TRANSPARENT_GIF);
        });

        scope.get<TokenParams>('/t/c/*', { schema: tokenParams }, async (request, reply) => {
            const token = verified(request.params['*'], 'click', ctx);
            if (!token) return notFound(reply);
            // The Location header carries the URL as the WHATWG parser writes it: non-ASCII characters
            // percent-encoded, tabs and line breaks gone (raw, they would be sent as Latin-1, or refused).
            const location = normaliseHttpUrl(token.url);
            if (location === undefined) return notFound(reply);
            if (request.method !== 'HEAD') await safely(ctx, 'click', async () => {
                const recorded = await recordTracking(ctx.store, {
                    deliveryId: token.deliveryId,
                    kind: 'click',
                    at: ctx.clock(),
                    url: token.url,
                    link: token.link,
                    sourceKey: `pixel:click:${digest(token.deliveryId, token.url)}`,
                });
                ctx.metrics.increment('followup_tracking_total', { kind: 'click', source: 'redirect', recorded: String(recorded) });
            });
            return reply.code(302).header('location', location).header('cache-control', NO_STORE).header('referrer-policy', 'no-referrer').send();
        });

        scope.get<TokenParams>('/u/*', { schema: tokenParams }, async (request, reply) => {
            if (!verified(request.params['*'], 'unsubscribe', ctx)) return notFound(reply);
            return page(reply, 200, 'Unsubscribe', `
    <p>Stop receiving these emails?</p>
    <form method="post" action="${escapeHtml(request.params['*'])}">
      <input type="hidden" name="List-Unsubscribe" value="One-Click">
      <button type="submit">Unsubscribe</button>
    </form>`);
        });

        scope.post<TokenParams>('/u/*', { schema: tokenParams, bodyLimit: UNSUBSCRIBE_BODY_LIMIT }, async (request, reply) => {
            const token = verified(request.params['*'], 'unsubscribe', ctx);
            if (!token) return notFound(reply);
            const delivery = await findDelivery(ctx.store, [token.deliveryId]);
            if (!delivery) return notFound(reply);
            const suppressed = await suppressAddress(ctx.store, {
                channel: delivery.channel,
                address: delivery.recipient,
                reason: 'unsubscribe',
                at: ctx.clock(),
                source: `unsubscribe:${delivery.id}`,
            });
            ctx.metrics.increment('followup_tracking_total', { kind: 'unsubscribe', source: 'one-click', recorded: String(suppressed) });
            ctx.log.info('unsubscribed', { delivery: delivery.id, channel: delivery.channel });
            return page(reply, 200, 'Unsubscribed', '\n    <p>You are unsubscribed: you will not receive these emails any more.</p>');
        });
    });
};

/** The token's content when it verifies and is of `kind`; logs and counts a rejection otherwise. */
function verified<K extends TrackingToken['kind']>(raw: string, kind: K, ctx: ServeContext): Extract<TrackingToken, { kind: K }> | undefined {
    const token = verifyToken(raw, ctx.secret);
    if (token?.kind === kind) return token as Extract<TrackingToken, { kind: K }>;
    ctx.metrics.increment('followup_tracking_rejected_total', { kind });
    // The token itself is not logged: it is a bearer credential for that delivery's links.
    ctx.log.warn('tracking token rejected', { kind, length: raw.length });
    return undefined;
}

function notFound(reply: FastifyReply): FastifyReply {
    return reply.code(404).header('cache-control', NO_STORE).type('text/plain; charset=utf-8').send('Not found\n');
}

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
    return reply
        .code(status)
        .header('cache-control', NO_STORE)
        .header('content-security-policy', "default-src 'none'; form-action 'self'; style-src 'unsafe-inline'")
        .type('text/html; charset=utf-8')
        .send(`<!doctype html>
<html>
  <head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
  <body style="font-family: sans-serif">${body}
  </body>
</html>
`);
}

async function safely(ctx: ServeContext, kind: string, record: () => Promise<void>): Promise<void> {
    try {
        await record();
    } catch (error) {
        ctx.metrics.increment('followup_tracking_errors_total', { kind });
        ctx.log.error('tracking not recorded', { kind, error: (error as Error).message });
    }
}

/** A short, fixed-length digest for building source keys out of unbounded values (ids, URLs). */
function digest(...parts: string[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}
