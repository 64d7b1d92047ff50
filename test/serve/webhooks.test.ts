// Provider webhooks on a real store (PGlite and PostgreSQL 15), with payloads signed in the test the
// way the providers document it: SendGrid's Signed Event Webhook (ECDSA P-256 over timestamp + raw
// body, base64 DER signature, base64 DER SPKI verification key) and Mailgun's
// (hex HMAC-SHA256 of timestamp + token under the webhook signing key).
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../packages/runtime/src/transport/mime.js';
import { providerWebhooks } from '../../packages/server/src/tracking/webhook-routes.js';
import { forEachEngine } from '../support/stores.js';
import { metricValue, seedDelivery, suppressionsOf, trackingApp, trackingOf, type TrackingApp } from './tracking-support.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sendgridPublicKey = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';

function signSendgrid(body: string, timestamp = String(nowSeconds), key: KeyObject = sendgridKeys.privateKey): Record<string, string> {
    const signature = sign('sha256', Buffer.from(timestamp + body), { key, dsaEncoding: 'der' }).toString('base64');
    return {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
    };
}

function mailgunBody(eventData: Record<string, unknown>, options: { timestamp?: number; token?: string; key?: string } = {}): string {
    const timestamp = String(options.timestamp ?? nowSeconds);
    const token = options.token ?? randomBytes(25).toString('hex');
    const signature = createHmac('sha256', options.key ?? MAILGUN_KEY).update(timestamp + token).digest('hex');
    return JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData });
}

/** A SendGrid event about our message (smtp-id is the Message-ID we sent). */
function sgEvent(deliveryId: string, event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        email: 'x@example.com', timestamp: nowSeconds - 60, 'smtp-id': messageIdFor(deliveryId), event,
        sg_event_id: `sg-${deliveryId}-${event}`, sg_message_id: 'sgmsg.filter0001.0', ...extra,
    };
}

/** A Mailgun event about our message (message.headers.message-id, without angle brackets). */
function mgEvent(deliveryId: string, event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        event, id: `mg-${deliveryId}-${event}`, timestamp: nowSeconds - 60.5, recipient: 'x@example.com',
        message: { headers: { 'message-id': messageIdFor(deliveryId).slice(1, -1), to: 'x@example.com' } }, ...extra,
    };
}

forEachEngine('provider webhooks', (engine) => {
    let t: TrackingApp;
    beforeAll(async () => {
        t = await trackingApp(engine.store, [providerWebhooks({ env: { FOLLOWUP_SENDGRID_PUBLIC_KEY: sendgridPublicKey, FOLLOWUP_MAILGUN_SIGNING_KEY: MAILGUN_KEY } })], NOW);
    });
    afterAll(async () => t?.app.close());

    const postSendgrid = (body: string, headers = signSendgrid(body)) => t.app.inject({ method: 'POST', url: '/v1/webhooks/sendgrid', payload: body, headers });
    const postMailgun = (body: string) => t.app.inject({ method: 'POST', url: '/v1/webhooks/mailgun', payload: body, headers: { 'content-type': 'application/json' } });

    describe('SendGrid', () => {
        it('records delivered, open (machine flag), click, and a hard bounce that suppresses the address', async () => {
            const a = await seedDelivery(engine.store, 'sg-a', 'Alice@Example.com');
            const b = await seedDelivery(engine.store, 'sg-b', 'bob@example.com');
            const c = await seedDelivery(engine.store, 'sg-c', 'carol@example.com');
            const body = JSON.stringify([
                sgEvent(a, 'processed'),
                sgEvent(a, 'delivered', { response: '250 OK' }),
                sgEvent(a, 'open', { useragent: 'Mozilla/5.0', ip: '17.1.2.3', sg_machine_open: true }),
                sgEvent(a, 'click', { url: 'https://shop.example/cart/1', useragent: 'Mozilla/5.0 (iPhone)' }),
                sgEvent(b, 'open', { sg_machine_open: false, useragent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120' }),
                sgEvent(c, 'bounce', { type: 'bounce', reason: '550 5.1.1 no such user', status: '5.1.1' }),
            ]);
            const r = await postSendgrid(body);
            expect(r.statusCode).toBe(200);
            expect(r.json()).toEqual({ recorded: 5, duplicate: 0, unmatched: 0, ignored: 1 });
            expect((await trackingOf(engine.store, a)).map((x) => [x.kind, x.machine, x.url])).toEqual([
                ['delivered', false, null], ['open', true, null], ['click', false, 'https://shop.example/cart/1'],
            ]);
            expect((await trackingOf(engine.store, b)).map((x) => [x.kind, x.machine, x.at.toISOString()])).toEqual([['open', false, new Date((nowSeconds - 60) * 1000).toISOString()]]);
            expect((await trackingOf(engine.store, c)).map((x) => [x.kind, x.hard, x.source_key])).toEqual([['bounce', true, `sendgrid:sg-${c}-bounce`]]);
            expect(await suppressionsOf(engine.store, 'carol@example.com')).toEqual([{ channel: 'email', reason: 'hard_bounce', source: `sendgrid:sg-${c}-bounce` }]);
        });

        it('records a duplicate of an event once (same sg_event_id)', async () => {
            const d = await seedDelivery(engine.store, 'sg-dup', 'dup@example.com');
            const body = JSON.stringify([sgEvent(d, 'open')]);
            expect((await postSendgrid(body)).json()).toMatchObject({ recorded: 1 });
            expect((await postSendgrid(body)).json()).toMatchObject({ recorded: 0, duplicate: 1 });
            // Also when SendGrid sends it again in another batch, signed again.
            expect((await postSendgrid(JSON.stringify([sgEvent(d, 'open'), sgEvent(d, 'delivered')]))).json()).toMatchObject({ recorded: 1, duplicate: 1 });
            expect((await trackingOf(engine.store, d)).map((x) => x.kind)).toEqual(['open', 'delivered']);
        });

        it('maps blocked (soft) bounces, spam reports, unsubscribes and drops', async () => {
            const soft = await seedDelivery(engine.store, 'sg-soft', 'soft@example.com');
            const spam = await seedDelivery(engine.store, 'sg-spam', 'spam@example.com');
            const unsub = await seedDelivery(engine.store, 'sg-unsub', 'unsub@example.com');
            const dropped = await seedDelivery(engine.store, 'sg-drop', 'drop@example.com');
            const body = JSON.stringify([
                sgEvent(soft, 'bounce', { type: 'blocked', reason: '421 try later' }),
                sgEvent(spam, 'spamreport'),
                sgEvent(unsub, 'group_unsubscribe', { asm_group_id: 1 }),
                sgEvent(dropped, 'dropped', { reason: 'Bounced Address' }),
            ]);
            expect((await postSendgrid(body)).json()).toEqual({ recorded: 4, duplicate: 0, unmatched: 0, ignored: 0 });
            expect((await trackingOf(engine.store, soft)).map((x) => [x.kind, x.hard])).toEqual([['bounce', false]]);
            expect(await suppressionsOf(engine.store, 'soft@example.com')).toEqual([]);
            expect((await trackingOf(engine.store, spam)).map((x) => x.kind)).toEqual(['complaint']);
            expect((await suppressionsOf(engine.store, 'spam@example.com')).map((s) => s.reason)).toEqual(['complaint']);
            expect(await trackingOf(engine.store, unsub)).toEqual([]);
            expect((await suppressionsOf(engine.store, 'unsub@example.com')).map((s) => s.reason)).toEqual(['unsubscribe']);
            expect((await trackingOf(engine.store, dropped)).map((x) => [x.kind, x.hard])).toEqual([['bounce', true]]);
            expect((await suppressionsOf(engine.store, 'drop@example.com')).map((s) => s.reason)).toEqual(['hard_bounce']);
        });

        it('finds the delivery from a followup_delivery custom argument, and counts events about unknown messages as unmatched', async () => {
            const d = await seedDelivery(engine.store, 'sg-arg', 'arg@example.com');
            const body = JSON.stringify([
                { ...sgEvent('unknown', 'open'), 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', followup_delivery: d, sg_event_id: 'sg-arg-1' },
                { ...sgEvent('never-sent', 'open'), sg_event_id: 'sg-unknown-1' },
            ]);
            expect((await postSendgrid(body)).json()).toEqual({ recorded: 1, duplicate: 0, unmatched: 1, ignored: 0 });
            expect((await trackingOf(engine.store, d)).map((x) => x.kind)).toEqual(['open']);
        });

        it('rejects a bad signature with 401 and records nothing: other key, changed body, changed timestamp, missing headers', async () => {
            const d = await seedDelivery(engine.store, 'sg-forged', 'forged@example.com');
            const body = JSON.stringify([sgEvent(d, 'bounce', { type: 'bounce' })]);
            const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
            const signed = signSendgrid(body);
            const attempts: [string, Record<string, string>, string][] = [
                ['other key', signSendgrid(body, String(nowSeconds), other), body],
                ['changed body', signed, body.replace('bounce', 'open')],
                ['changed timestamp', { ...signed, 'x-twilio-email-event-webhook-timestamp': String(nowSeconds + 1) }, body],
                ['no signature', { 'content-type': 'application/json', 'x-twilio-email-event-webhook-timestamp': String(nowSeconds) }, body],
                ['garbage signature', { ...signed, 'x-twilio-email-event-webhook-signature': 'not base64!' }, body],
            ];
            for (const [name, headers, payload] of attempts) {
                const r = await postSendgrid(payload, headers);
                expect(r.statusCode, name).toBe(401);
            }
            expect(await trackingOf(engine.store, d)).toEqual([]);
            expect(await suppressionsOf(engine.store, 'forged@example.com')).toEqual([]);
            expect(metricValue(t.metrics, 'followup_webhook_rejected_total', { provider: 'sendgrid' })).toBe(5);
        });

        it('answers 400 to a signed body that is not an array of events', async () => {
            const body = JSON.stringify({ event: 'open' });
            expect((await postSendgrid(body)).statusCode).toBe(400);
        });
    });

    describe('Mailgun', () => {
        it('records opened (machine flag), clicked, delivered, and a permanent failure that suppresses the address', async () => {
            const a = await seedDelivery(engine.store, 'mg-a', 'mg-a@example.com');
            const b = await seedDelivery(engine.store, 'mg-b', 'mg-b@example.com');
            const c = await seedDelivery(engine.store, 'mg-c', 'mg-c@example.com');
            const events = [
                mgEvent(a, 'delivered'),
                mgEvent(a, 'opened', { 'client-info': { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' } }),
                mgEvent(a, 'clicked', { url: 'https://shop.example/cart/9' }),
                mgEvent(b, 'opened', { 'client-info': { 'user-agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15' }, ip: '203.0.113.9' }),
                mgEvent(c, 'failed', { severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550 } }),
            ];
            for (const e of events) {
                const r = await postMailgun(mailgunBody(e));
                expect(r.statusCode).toBe(200);
                expect(r.json()).toMatchObject({ recorded: 1 });
            }
            expect((await trackingOf(engine.store, a)).map((x) => [x.kind, x.machine, x.url])).toEqual([
                ['delivered', false, null], ['open', true, null], ['click', false, 'https://shop.example/cart/9'],
            ]);
            expect((await trackingOf(engine.store, b)).map((x) => [x.kind, x.machine, x.at.toISOString()])).toEqual([['open', false, '2026-11-20T09:58:59.500Z']]);
            expect((await trackingOf(engine.store, c)).map((x) => [x.kind, x.hard])).toEqual([['bounce', true]]);
            expect((await suppressionsOf(engine.store, 'mg-c@example.com')).map((s) => s.reason)).toEqual(['hard_bounce']);
        });

        it('maps temporary failures (no suppression), complaints and unsubscribes', async () => {
            const soft = await seedDelivery(engine.store, 'mg-soft', 'mg-soft@example.com');
            const spam = await seedDelivery(engine.store, 'mg-spam', 'mg-spam@example.com');
            const unsub = await seedDelivery(engine.store, 'mg-unsub', 'mg-unsub@example.com');
            await postMailgun(mailgunBody(mgEvent(soft, 'failed', { severity: 'temporary' })));
            await postMailgun(mailgunBody(mgEvent(spam, 'complained')));
            await postMailgun(mailgunBody(mgEvent(unsub, 'unsubscribed')));
            expect((await trackingOf(engine.store, soft)).map((x) => [x.kind, x.hard])).toEqual([['bounce', false]]);
            expect(await suppressionsOf(engine.store, 'mg-soft@example.com')).toEqual([]);
            expect((await suppressionsOf(engine.store, 'mg-spam@example.com')).map((s) => s.reason)).toEqual(['complaint']);
            expect((await suppressionsOf(engine.store, 'mg-unsub@example.com')).map((s) => s.reason)).toEqual(['unsubscribe']);
        });

        it('records a duplicate event once: the same request again, or the same event id signed anew', async () => {
            const d = await seedDelivery(engine.store, 'mg-dup', 'mg-dup@example.com');
            const body = mailgunBody(mgEvent(d, 'opened'));
            expect((await postMailgun(body)).json()).toMatchObject({ recorded: 1 });
            const again = await postMailgun(body);
            expect(again.statusCode).toBe(200);
            expect(again.json()).toMatchObject({ recorded: 0, duplicate: 1 });
            expect((await postMailgun(mailgunBody(mgEvent(d, 'opened')))).json()).toMatchObject({ recorded: 0, duplicate: 1 });
            expect(await trackingOf(engine.store, d)).toHaveLength(1);
        });

        it('rejects a bad signature (401), a stale timestamp (401) and a token reused for another event (403), recording nothing', async () => {
            const d = await seedDelivery(engine.store, 'mg-forged', 'mg-forged@example.com');
            const bounce = mgEvent(d, 'failed', { severity: 'permanent' });
            expect((await postMailgun(mailgunBody(bounce, { key: 'key-wrong' }))).statusCode).toBe(401);
            const tampered = JSON.parse(mailgunBody(bounce)) as { signature: { signature: string } };
            tampered.signature.signature = tampered.signature.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
            expect((await postMailgun(JSON.stringify(tampered))).statusCode).toBe(401);
            expect((await postMailgun(mailgunBody(bounce, { timestamp: nowSeconds - 3600 }))).statusCode).toBe(401);
            expect((await postMailgun(mailgunBody(bounce, { timestamp: nowSeconds + 3600 }))).statusCode).toBe(401);
            // A captured signature (timestamp + token) attached to another event: refused.
            const e = await seedDelivery(engine.store, 'mg-first', 'mg-first@example.com');
            const token = 'captured-token-0123456789';
            expect((await postMailgun(mailgunBody(mgEvent(e, 'opened'), { token }))).statusCode).toBe(200);
            const replay = await postMailgun(mailgunBody(bounce, { token }));
            expect(replay.statusCode).toBe(403);
            expect(await trackingOf(engine.store, d)).toEqual([]);
            expect(await suppressionsOf(engine.store, 'mg-forged@example.com')).toEqual([]);
            // Malformed payloads: 400.
            expect((await postMailgun('{"event-data": {}}')).statusCode).toBe(400);
            expect((await postMailgun('not json')).statusCode).toBe(400);
        });
    });

    describe('values a client gets wrong (issue 11)', () => {
        it('a correctly signed SendGrid request from outside the 15-minute window is refused (401): an old unsubscribe cannot be replayed', async () => {
            await seedDelivery(engine.store, 'sg-old', 'resubscribed@example.com');
            const body = JSON.stringify([sgEvent('sg-old', 'unsubscribe', { email: 'resubscribed@example.com' })]);
            for (const timestamp of [nowSeconds - 10 * 365 * 86_400, nowSeconds - 16 * 60, nowSeconds + 16 * 60]) {
                const r = await postSendgrid(body, signSendgrid(body, String(timestamp)));
                expect(r.statusCode).toBe(401);
                expect(r.json().error).toContain('stale signature timestamp');
            }
            expect(await suppressionsOf(engine.store, 'resubscribed@example.com')).toEqual([]);
            expect((await postSendgrid(body, signSendgrid(body, String(nowSeconds - 60)))).statusCode).toBe(200);
        });

        it('a signed Mailgun request whose token holds a NUL, or is 1 MB long, is a 400, not a 500; nothing is recorded', async () => {
            const d = await seedDelivery(engine.store, 'mg-bad-token', 'mg-bad-token@example.com');
            for (const token of ['tok\u0000en', 'x'.repeat(1024 * 1024), '']) {
                const r = await postMailgun(mailgunBody(mgEvent(d, 'opened'), { token }));
                expect(r.statusCode).toBe(400);
            }
            expect(await trackingOf(engine.store, d)).toEqual([]);
        });

        it('provider events holding values the store cannot keep are answered 200 and counted invalid; the others of the batch are recorded', async () => {
            const d = await seedDelivery(engine.store, 'sg-values', 'values@example.com');
            const body = JSON.stringify([
                sgEvent(d, 'open', { sg_event_id: 'bad\u0000id' }),
                sgEvent(d, 'bounce', { sg_event_id: 'x'.repeat(5000), email: 'a@b.c' }),
                sgEvent(d, 'unsubscribe', { sg_event_id: 'sg-unsub-nul', email: 'nul\u0000@example.com' }),
                sgEvent(d, 'click', { sg_event_id: 'sg-lone', url: 'https://shop.example/\ud800' }),
                sgEvent(d, 'delivered', { followup_delivery: 'id\u0000' }),
            ]);
            const r = await postSendgrid(body);
            expect(r.statusCode).toBe(200);
            expect(r.json()).toEqual({ recorded: 1, duplicate: 0, unmatched: 0, ignored: 0, invalid: 4 });
            expect((await trackingOf(engine.store, d)).map((x) => x.kind)).toEqual(['delivered']);
            const m = await postMailgun(mailgunBody(mgEvent(d, 'opened', { id: 'mg\u0000id' })));
            expect(m.statusCode).toBe(200);
            expect(m.json()).toMatchObject({ invalid: 1 });
        });
    });
});

forEachEngine('provider webhooks without keys', (engine) => {
    it('answer 503 naming the variable to set', async () => {
        const t = await trackingApp(engine.store, [providerWebhooks({ env: {} })]);
        try {
            const r = await t.app.inject({ method: 'POST', url: '/v1/webhooks/sendgrid', payload: '[]', headers: { 'content-type': 'application/json' } });
            expect(r.statusCode).toBe(503);
            expect(r.json().error).toContain('FOLLOWUP_SENDGRID_PUBLIC_KEY');
            const m = await t.app.inject({ method: 'POST', url: '/v1/webhooks/mailgun', payload: '{}', headers: { 'content-type': 'application/json' } });
            expect(m.statusCode).toBe(503);
        } finally {
            await t.app.close();
        }
    });
});
