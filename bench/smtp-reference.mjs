// PERFORMANCE.md's SMTP reference: bare nodemailer, a pool of 5 connections with `maxMessages:
// Infinity`, 2,000 emails of ~2.7 KB to a local smtp-server (1,452 /s there). The message and the
// sender are shared by bench/smtp.mjs (--baseline) and bench/run.mjs (the same sink, the same run).
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';

/** PERFORMANCE.md's figure for the reference, emails/s. */
export const REFERENCE_SMTP_PER_SECOND = 1452;

// ~2.7 KB on the wire: headers + a text part + an html part.
const paragraph = 'Hi Ada, you left 3 items in your cart at Shop. They are still waiting for you, and the prices are held until Sunday. ';
const text = paragraph.repeat(9);
const html = `<!doctype html><html><body><table width="100%"><tr><td><p>${paragraph.repeat(7)}</p><p><a href="https://shop.example/cart?u=ada">Back to your cart</a></p></td></tr></table></body></html>`;

/** The i-th message, in the shape followup's transports take. */
export const referenceMessage = i => ({
    deliveryId: `bench-${i}`,
    channel: 'email',
    to: `customer${i}@example.com`,
    rule: 'cart-abandonment',
    eventId: `ev-${i}`,
    subject: 'You left something in your cart',
    text,
    html,
    headers: { 'List-Unsubscribe': `<https://shop.example/u/${i}>` },
});

/** Bare nodemailer, pooled (5 connections). */
export function bareNodemailerSender(url, maxMessages = Infinity) {
    const t = nodemailer.createTransport({ pool: true, url, maxConnections: 5, maxMessages });
    const send = m =>
        t.sendMail({ from: 'Shop <hello@shop.example>', to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers, messageId: `<${m.deliveryId}@followup>` });
    return { send, close: async () => t.close() };
}

/**
 * The reference once: one warm-up message (the first connection), then `count` messages at once;
 * `received()` answers how many the sink has counted, to check they all arrived. Emails/s.
 */
export async function measureReferenceSmtp(url, received, count = 2000) {
    const sender = bareNodemailerSender(url);
    try {
        await sender.send(referenceMessage(-1));
        const before = await received();
        const t0 = performance.now();
        await Promise.all(Array.from({ length: count }, (_, i) => sender.send(referenceMessage(i))));
        const seconds = (performance.now() - t0) / 1000;
        const got = (await received()) - before;
        if (got !== count) throw new Error(`the SMTP reference: the sink counted ${got} of ${count}`);
        return count / seconds;
    } finally {
        await sender.close();
    }
}
