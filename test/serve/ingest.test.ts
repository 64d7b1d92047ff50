// Event ingestion by `followup serve` (in-process startServer on a real store, both engines): the
// 202 with the event and delivery ids, the transactional email at a real SMTP server, validation
// that names every bad path and stores nothing, batches all or nothing, duplicates, suppressions,
// Idempotency-Key (also under concurrency), API keys, body limits, profiles, /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { compileProject } from '@followup/compiler';
import { loadProject } from '@followup/language';
import { runRules } from '@followup/runtime';
import { IDEMPOTENCY_KEY_TTL_MS, pruneIdempotencyKeys } from '@followup/server';
import { forEachEngine } from '../support/stores.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { API_KEY, cartData, count, eventually, examplePlans, NOW, OTHER_API_KEY, post, repo, startTestServer, storedCounts, type TestServer } from './serve-support.js';

forEachEngine('ingestion', (ctx) => {
    let sink: SmtpSink;
    let serve: TestServer;
    let url: string;
    beforeAll(async () => {
        sink = await startSmtpSink();
        serve = await startTestServer(ctx.store, await examplePlans('cart-abandonment'), { smtpUrl: sink.url, limits: { event: 64 * 1024, batchEvents: 100 } });
        url = serve.url;
    });
    afterAll(async () => {
        await serve?.close();
        await sink?.close();
    });

    it('answers 202 with the event id and the delivery id; the transactional email arrives at the SMTP server', async () => {
        const r = await post(`${url}/v1/events/cartAbandonment`, { id: 'cart-1', at: '2026-11-20T09:55:00Z', data: cartData(1) });
        expect(r.status).toBe(202);
        expect(r.body).toEqual({ event: 'cart-1', deliveries: ['transactional.email:cart-1'] });

        await sink.waitForMessages(1);
        const mail = sink.messages[0]!;
        expect(mail.envelope.to).toEqual(['user1@example.com']);
        expect(mail.parsed!.subject).toBe('User1, you left something in your cart');
        expect(mail.parsed!.text).toContain('https://shop.example/cart/1');
        expect(mail.parsed!.html).toContain('User1');

        const { rows: events } = await ctx.store.query<{ type: string; occurred_at: Date; payload: unknown }>(`SELECT type, occurred_at, payload FROM events WHERE id = 'cart-1'`);
        expect(events).toEqual([{ type: 'cartAbandonment', occurred_at: new Date('2026-11-20T09:55:00Z'), payload: cartData(1) }]);
        // The original delivery: rule NULL, timed at the clock's now, sent once the SMTP server took it.
        await eventually(async () => (await count(ctx.store, 'deliveries', `id = 'transactional.email:cart-1' AND status = 'sent'`)) === 1);
        const { rows: deliveries } = await ctx.store.query(`SELECT event_id, message, channel, recipient, sent_at, status, rule FROM deliveries WHERE event_id = 'cart-1'`);
        expect(deliveries).toEqual([{ event_id: 'cart-1', message: 'transactional', channel: 'email', recipient: 'user1@example.com', sent_at: NOW, status: 'sent', rule: null }]);
        expect(await count(ctx.store, 'outbox', `delivery_id = 'transactional.email:cart-1' AND status = 'sent' AND rule IS NULL`)).toBe(1);
    });

    it('gives an event without an id a new UUID, and one without "at" the time it arrived', async () => {
        const r = await post(`${url}/v1/events/cartAbandonment`, { data: cartData(2) });
        expect(r.status).toBe(202);
        expect(r.body.event).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(r.body.deliveries).toEqual([`transactional.email:${r.body.event}`]);
        const { rows } = await ctx.store.query<{ occurred_at: Date }>('SELECT occurred_at FROM events WHERE id = $1', [r.body.event]);
        expect(rows[0]!.occurred_at).toEqual(NOW);
    });

    it('an event that does not match its schema: 400 listing each bad path, and nothing stored', async () => {
        const before = await storedCounts(ctx.store);
        const data = cartData(3, {
            customerId: 42,
            email: 'not-an-email',
            cartTotal: 'abc',
            cartUrl: 'ftp://shop.example',
            abandonedAt: '2026-11-20',
            items: [{ sku: 'a', name: 'Shoe', price: '12.5', quantity: 1 }, { sku: 'b', name: 'Hat', price: 'cheap', quantity: 1.5 }],
            firstname: 'Typo',
        });
        delete data['firstName'];
        const r = await post(`${url}/v1/events/cartAbandonment`, { id: 'bad-1', data, extra: 1 });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatch(/nothing was stored/);
        const paths = r.body.problems.map((p: { path: string }) => p.path).sort();
        expect(paths).toEqual([
            '/data/abandonedAt', '/data/cartTotal', '/data/cartUrl', '/data/customerId', '/data/email', '/data/firstName',
            '/data/firstname', '/data/items/1/price', '/data/items/1/quantity', '/extra',
        ]);
        const byPath = new Map(r.body.problems.map((p: { path: string; message: string }) => [p.path, p.message]));
        expect(byPath.get('/data/email')).toBe('expected an email address, got "not-an-email"');
        expect(byPath.get('/data/firstName')).toBe('missing (a required field)');
        expect(byPath.get('/data/firstname')).toBe('unknown field: not declared');
        expect(byPath.get('/data/items/1/quantity')).toBe('expected an integer, got 1.5');
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('an unknown event type is a 404 naming the declared ones; a body that is not JSON is a 400', async () => {
        const r = await post(`${url}/v1/events/cartAbandonmnet`, { data: {} });
        expect(r.status).toBe(404);
        expect(r.body.types).toEqual(['cartAbandonment', 'purchase']);
        expect(r.body.error).toBe("no event type 'cartAbandonmnet' is declared (did you mean 'cartAbandonment'?); nothing was stored");
        const broken = await post(`${url}/v1/events/cartAbandonment`, '{"data": {');
        expect(broken.status).toBe(400);
    });

    it('a batch (JSON array or JSON lines) is all or nothing: one bad event rejects it, with paths into the batch', async () => {
        const before = await storedCounts(ctx.store);
        const bad = await post(`${url}/v1/events`, [
            { type: 'cartAbandonment', id: 'batch-1', data: cartData(11) },
            { type: 'purchase', id: 'batch-2', data: { customerId: 'c11', email: 'user11@example.com', orderId: 'o1', total: 10, currency: 'EUR', note: 'x' } },
            { type: 'nope', data: {} },
        ]);
        expect(bad.status).toBe(400);
        expect(bad.body.problems.map((p: { path: string }) => p.path)).toEqual(['/1/data/note', '/2/type']);
        expect(await storedCounts(ctx.store)).toEqual(before);

        const lines = [
            { type: 'cartAbandonment', id: 'batch-1', data: cartData(11) },
            { type: 'purchase', id: 'batch-2', data: { customerId: 'c11', email: 'user11@example.com', orderId: 'o1', total: 10, currency: 'EUR' } },
        ].map((e) => JSON.stringify(e)).join('\n');
        const ok = await post(`${url}/v1/events`, `${lines}\n`, { contentType: 'application/x-ndjson' });
        expect(ok.status).toBe(202);
        expect(ok.body).toEqual({ events: [{ event: 'batch-1', deliveries: ['transactional.email:batch-1'] }, { event: 'batch-2', deliveries: [] }] });
        expect(await count(ctx.store, 'events', `id IN ('batch-1', 'batch-2')`)).toBe(2);
    });

    it('a batch with many bad events lists the first 1,000 problems and counts every bad event', async () => {
        const events = Array.from({ length: 100 }, (_, i) => ({ type: 'cartAbandonment', data: { typo: i, other: true } }));
        const r = await post(`${url}/v1/events`, events);
        expect(r.status).toBe(400);
        expect(r.body.error).toBe('100 of 100 events do not match their schema; nothing was stored');
        expect(r.body.problems).toHaveLength(1000);
        expect(r.body.truncated).toBe(true);
        expect(r.body.problems[0]).toEqual({ path: '/0/data/customerId', message: 'missing (a required field)' });
    });

    it('an event id already stored is a duplicate: 202 with the stored deliveries, nothing new', async () => {
        const before = await storedCounts(ctx.store);
        const r = await post(`${url}/v1/events/cartAbandonment`, { id: 'cart-1', data: cartData(99) });
        expect(r.status).toBe(202);
        expect(r.body).toEqual({ event: 'cart-1', deliveries: ['transactional.email:cart-1'], duplicate: true });
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('a suppressed address gets no transactional message: the delivery is recorded as suppressed, and the answer says why', async () => {
        await ctx.store.query(`INSERT INTO suppressions (channel, address, reason, at) VALUES ('email', 'gone@example.com', 'hard_bounce', $1)`, [NOW]);
        const r = await post(`${url}/v1/events/cartAbandonment`, { id: 'cart-gone', data: cartData(5, { email: ' Gone@Example.com' }) });
        expect(r.status).toBe(202);
        expect(r.body.deliveries).toEqual(['transactional.email:cart-gone']);
        expect(r.body.notSent).toEqual([{ message: 'transactional', channel: 'email', reason: expect.stringMatching(/suppressed on email/) }]);
        expect(await count(ctx.store, 'deliveries', `event_id = 'cart-gone' AND status = 'suppressed'`)).toBe(1);
        expect(await count(ctx.store, 'outbox', `delivery_id = 'transactional.email:cart-gone'`)).toBe(0);
    });

    it('a reused Idempotency-Key returns the first answer and stores nothing new; another request under it is refused', async () => {
        const body = { data: cartData(20) }; // no id: without the key, a retry would be a second event
        const first = await post(`${url}/v1/events/cartAbandonment`, body, { headers: { 'idempotency-key': 'order-20-cart' } });
        expect(first.status).toBe(202);
        const after = await storedCounts(ctx.store);
        const again = await post(`${url}/v1/events/cartAbandonment`, body, { headers: { 'idempotency-key': 'order-20-cart' } });
        expect(again.status).toBe(202);
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(await storedCounts(ctx.store)).toEqual(after);

        const other = await post(`${url}/v1/events/cartAbandonment`, { data: cartData(21) }, { headers: { 'idempotency-key': 'order-20-cart' } });
        expect(other.status).toBe(422);
        // Keys are per API key: the same key from another API key is another request.
        const otherClient = await post(`${url}/v1/events/cartAbandonment`, body, { key: OTHER_API_KEY, headers: { 'idempotency-key': 'order-20-cart' } });
        expect(otherClient.status).toBe(202);
        expect(otherClient.body.event).not.toBe(first.body.event);
        expect(await count(ctx.store, 'events', `payload->>'customerId' = 'c20'`)).toBe(2);
    });

    it('concurrent requests with one Idempotency-Key store one event and all get its answer', async () => {
        const body = [{ type: 'cartAbandonment', data: cartData(30) }, { type: 'cartAbandonment', data: cartData(31) }];
        const answers = await Promise.all(Array.from({ length: 8 }, () => post(`${url}/v1/events`, body, { headers: { 'idempotency-key': 'batch-30' } })));
        expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
        for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
        expect(await count(ctx.store, 'events', `payload->>'customerId' IN ('c30', 'c31')`)).toBe(2);
        expect(await count(ctx.store, 'idempotency_keys', `key = 'batch-30'`)).toBe(1);
    });

    it('idempotency keys are forgotten after their time to live', async () => {
        await ctx.store.query(
            `INSERT INTO idempotency_keys (scope, key, request_hash, status, answer, created_at) VALUES ('s', 'old', 'h', 202, '{}', $1), ('s', 'recent', 'h', 202, '{}', $2)`,
            [new Date(NOW.getTime() - 25 * 3_600_000), new Date(NOW.getTime() - 3_600_000)],
        );
        expect(await pruneIdempotencyKeys(ctx.store, new Date(NOW.getTime() - IDEMPOTENCY_KEY_TTL_MS))).toBe(1);
        expect(await count(ctx.store, 'idempotency_keys', `scope = 's'`)).toBe(1);
    });

    it('GET /v1/events/<type>/schema gives the JSON Schema of the data (with an API key)', async () => {
        const r = await fetch(`${url}/v1/events/cartAbandonment/schema`, { headers: { authorization: `Bearer ${API_KEY}` } });
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/^application\/schema\+json/);
        expect(await r.json()).toMatchObject({ title: 'cartAbandonment', required: expect.arrayContaining(['email', 'items']), additionalProperties: false });
        expect((await fetch(`${url}/v1/events/cartAbandonment/schema`)).status).toBe(401);
    });

    it('a missing or wrong API key gets 401 and stores nothing', async () => {
        const before = await storedCounts(ctx.store);
        const body = { id: 'unauth-1', data: cartData(40) };
        for (const key of [null, 'wrong-key', `${API_KEY}x`, API_KEY.slice(0, -1), '']) {
            const r = await post(`${url}/v1/events/cartAbandonment`, body, { key });
            expect(r.status, `key ${JSON.stringify(key)}`).toBe(401);
        }
        expect((await post(`${url}/v1/events`, [{ type: 'cartAbandonment', ...body }], { key: 'nope' })).status).toBe(401);
        const basic = await post(`${url}/v1/events/cartAbandonment`, body, { key: null, headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` } });
        expect(basic.status).toBe(401);
        // The route the router matches decides, not how the URL is spelt.
        for (const spelling of ['/v1/%65vents/cartAbandonment', '/v1/events/cart%41bandonment', '/v1/events/cartAbandonment/', '/v1/%65vents', '/v1/profile%73']) {
            const r = await fetch(`${url}${spelling}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
            expect([401, 404], spelling).toContain(r.status);
        }
        expect((await fetch(`${url}/v1/%65vents/cartAbandonment/schema`)).status).toBe(401);
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('a body over the limit gets 413; a batch over its event count gets 400; nothing stored', async () => {
        const before = await storedCounts(ctx.store);
        const big = await post(`${url}/v1/events/cartAbandonment`, { data: cartData(50, { firstName: 'x'.repeat(70 * 1024) }) });
        expect(big.status).toBe(413);
        const many = await post(`${url}/v1/events`, Array.from({ length: 101 }, (_, i) => ({ type: 'cartAbandonment', data: cartData(i) })));
        expect(many.status).toBe(400);
        expect(await storedCounts(ctx.store)).toEqual(before);
    });

    it('a string the store cannot keep (NUL) is a 400 naming its path', async () => {
        const r = await post(`${url}/v1/events/cartAbandonment`, { data: cartData(60, { firstName: 'A\u0000na' }) });
        expect(r.status).toBe(400);
        expect(r.body.problems).toEqual([{ path: '/data/firstName', message: expect.stringMatching(/NUL/) }]);
    });

    it('/metrics shows the counters moving; /healthz and /readyz answer', async () => {
        const scrape = async () => (await fetch(`${url}/metrics`)).text();
        const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
        const before = await scrape();
        const r = await post(`${url}/v1/events/cartAbandonment`, { data: cartData(70) });
        expect(r.status).toBe(202);
        await eventually(async () => value(await scrape(), 'followup_messages_total{channel="email",outcome="sent",rule=""}') > value(before, 'followup_messages_total{channel="email",outcome="sent",rule=""}'));
        const after = await scrape();
        expect(value(after, 'followup_events_received_total{type="cartAbandonment"}')).toBe(value(before, 'followup_events_received_total{type="cartAbandonment"}') + 1);
        expect(value(after, 'followup_messages_total{channel="email",outcome="queued",rule=""}')).toBe(value(before, 'followup_messages_total{channel="email",outcome="queued",rule=""}') + 1);
        expect(value(after, 'followup_http_requests_total{method="POST",route="/v1/events/cartAbandonment",status="202"}')).toBeGreaterThan(
            value(before, 'followup_http_requests_total{method="POST",route="/v1/events/cartAbandonment",status="202"}'));
        expect(after).toMatch(/^# TYPE followup_run_duration_seconds histogram$/m);
        expect(after).toMatch(/^followup_outbox_depth \d+$/m);
        expect(after).toMatch(/^followup_http_request_duration_seconds_bucket\{route="\/v1\/events\/cartAbandonment",le="\+Inf"\} \d+$/m);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', events: 2 });
    });

    it('an ingested event\'s transactional delivery, once sent, is what a follow-up rule measures from', async () => {
        const project = await loadProject([path.join(repo, 'examples/cart-abandonment')]);
        const plans = compileProject(project).map((r) => r.plan);
        const due: string[] = [];
        // 3 days after the transactional email: the mission rule's follow-up is due (nobody opened).
        await runRules(ctx.store, plans, {
            now: new Date(NOW.getTime() + 3 * 86_400_000 + 3_600_000), dryRun: true, onlyRule: 'cartAbandonment_followup_email',
            onQueued: (m) => due.push(m.event),
        });
        expect(due).toContain('cart-1');
        expect(due).not.toContain('cart-gone'); // suppressed: never sent
    });

    it('logs carry no API key', () => {
        const text = serve.logs.join('');
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(OTHER_API_KEY);
    });
});

forEachEngine('ingestion of events targeting the profile', (ctx) => {
    let sink: SmtpSink;
    let serve: TestServer;
    beforeAll(async () => {
        sink = await startSmtpSink();
        serve = await startTestServer(ctx.store, await examplePlans('order-shipped'), { smtpUrl: sink.url });
    });
    afterAll(async () => {
        await serve?.close();
        await sink?.close();
    });

    const shipped = (customerId: string) => ({
        customerId, orderId: `o-${customerId}`, carrier: 'UPS', trackingUrl: 'https://track.example/1', reviewUrl: 'https://shop.example/review',
        items: [{ sku: 's', name: 'Lamp', quantity: 1 }], total: 30, currency: 'EUR', shippedAt: '2026-11-20T08:00:00Z',
    });

    it('POST /v1/profiles stores the latest data; the transactional message goes to the profile\'s address', async () => {
        const profile = await post(`${serve.url}/v1/profiles`, { data: { customerId: 'c1', email: 'ana@example.com', firstName: 'Ana', country: 'FR', emailOptIn: true } });
        expect(profile).toMatchObject({ status: 202, body: { profile: 'c1' } });
        const r = await post(`${serve.url}/v1/events/orderShipped`, { id: 'ship-1', data: shipped('c1') });
        expect(r.status).toBe(202);
        expect(r.body).toEqual({ event: 'ship-1', deliveries: ['transactional.email:ship-1'] });
        await sink.waitForMessages(1);
        expect(sink.messages[0]!.envelope.to).toEqual(['ana@example.com']);
        expect(sink.messages[0]!.parsed!.subject).toBe('Ana, your order o-c1 is on its way');
    });

    it('without a profile the event is stored and the answer says why nothing was sent', async () => {
        const r = await post(`${serve.url}/v1/events/orderShipped`, { id: 'ship-2', data: shipped('nobody') });
        expect(r.status).toBe(202);
        expect(r.body).toEqual({ event: 'ship-2', deliveries: [], notSent: [{ message: 'transactional', channel: 'email', reason: expect.stringMatching(/no profile/) }] });
        expect(await count(ctx.store, 'events', `id = 'ship-2'`)).toBe(1);
    });

    it('a profile whose key field disagrees with the key is refused', async () => {
        const r = await post(`${serve.url}/v1/profiles`, { key: 'c2', data: { customerId: 'c3', email: 'x@example.com', firstName: 'X', country: 'FR', emailOptIn: true } });
        expect(r.status).toBe(400);
        expect(r.body.problems[0].path).toBe('/data/customerId');
    });
});
