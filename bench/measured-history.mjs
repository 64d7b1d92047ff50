// A generated history for measuring follow-ups (docs/measuring.md), shared by the report tests
// (test/report), the bench (bench/report.mjs) and the demo's generator (scripts/generate-history.mjs):
// people who abandon a cart (one event and its sent transactional email each), and, once a rule has
// decided who is held out, their purchases in the week after the follow-up: with probability
// `heldOutRate` for the people held out and `sentRate` for the others. Whether the follow-up "works" is
// exactly the difference between the two rates, so the report must find it (or find none).
//
// Deterministic: a seeded generator (mulberry32), so the same arguments give the same history.

const HOUR = 3_600_000;

/** mulberry32: a small seeded generator in [0, 1). */
export function seeded(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * `people` carts of customers `<prefix>0`, `<prefix>1`, ..., their transactional emails sent evenly over
 * (sentFrom, sentTo] (Dates). Returns column arrays: event ids, customer ids, emails, sent instants (ISO).
 */
export function carts({ people, prefix = 'c', sentFrom, sentTo, eventPrefix = 'cart-' }) {
    const span = sentTo.getTime() - sentFrom.getTime();
    const out = { ids: [], customerIds: [], emails: [], sentAts: [] };
    for (let i = 0; i < people; i++) {
        out.ids.push(`${eventPrefix}${prefix}${i}`);
        out.customerIds.push(`${prefix}${i}`);
        out.emails.push(`${prefix}${i}@example.com`);
        out.sentAts.push(new Date(sentFrom.getTime() + Math.floor(((i + 1) * span) / people)).toISOString());
    }
    return out;
}

/**
 * Purchases after a follow-up decided at `decidedAt` (a Date): each customer buys once, with probability
 * `heldOutRate` when `isHeldOut(customerId)`, else `sentRate`, at a moment drawn in (decidedAt,
 * decidedAt + withinHours]. Returns column arrays: ids, customer ids, emails, instants (ISO), totals.
 */
export function purchases({ customerIds, isHeldOut, decidedAt, withinHours = 7 * 24, heldOutRate, sentRate, seed = 1, idPrefix = 'order-' }) {
    const random = seeded(seed);
    const out = { ids: [], customerIds: [], emails: [], ats: [], totals: [] };
    for (const customerId of customerIds) {
        const rate = isHeldOut(customerId) ? heldOutRate : sentRate;
        const buys = random() < rate;
        const when = random();
        const amount = 20 + Math.floor(random() * 18000) / 100;
        if (!buys) continue;
        out.ids.push(`${idPrefix}${customerId}`);
        out.customerIds.push(customerId);
        out.emails.push(`${customerId}@example.com`);
        // Strictly after the follow-up, at the latest at the end of the goal window.
        out.ats.push(new Date(decidedAt.getTime() + 1000 + Math.floor(when * (withinHours * HOUR - 1000))).toISOString());
        out.totals.push(amount);
    }
    return out;
}

/** Inserts carts (events of `type` and their sent transactional emails) in chunks: `store.query` only. */
export async function insertCarts(store, c, { type = 'cartAbandonment', chunk = 20_000 } = {}) {
    for (let start = 0; start < c.ids.length; start += chunk) {
        const slice = (a) => a.slice(start, start + chunk);
        await store.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT id, $5, at - interval '10 seconds', jsonb_build_object('customerId', customer, 'email', email, 'firstName', 'Customer')
             FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS r(id, customer, email, at)`,
            [slice(c.ids), slice(c.customerIds), slice(c.emails), slice(c.sentAts), type]);
        await store.query(
            `INSERT INTO deliveries (id, event_id, message, channel, recipient, sent_at)
             SELECT 'd-' || id, id, 'transactional', 'email', email, at
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS r(id, email, at)`,
            [slice(c.ids), slice(c.emails), slice(c.sentAts)]);
    }
}

/** Inserts purchases (events of type `purchase`: customerId, email, total). */
export async function insertPurchases(store, p, { chunk = 20_000 } = {}) {
    for (let start = 0; start < p.ids.length; start += chunk) {
        const slice = (a) => a.slice(start, start + chunk);
        await store.query(
            `INSERT INTO events (id, type, occurred_at, payload)
             SELECT id, 'purchase', at, jsonb_build_object('customerId', customer, 'email', email, 'total', total)
             FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::numeric[]) AS r(id, customer, email, at, total)`,
            [slice(p.ids), slice(p.customerIds), slice(p.emails), slice(p.ats), slice(p.totals)]);
    }
}
