#!/usr/bin/env node
// Writes examples/cart-abandonment/history.jsonl: two weeks of a small shop's history before
// 2026-11-23T10:00:00Z, for `followup import` and then `followup run --now 2026-11-23T10:00:00Z`.
//
//   node scripts/generate-history.mjs [--out <file>] [--week-after <file>] [--seed <n>]   (after npm run build)
//
// Deterministic: the same seed gives the same bytes. Names, items, amounts and minutes are drawn from
// a seeded generator; what matters to the rules is laid out by hand below (`scenario`), so that a first
// run at 2026-11-23T10:00:00Z of examples/cart-abandonment/rules.followup decides:
//
//   cartAbandonment_followup_email (sent 3 days ago, window 11-19T10:00 .. 11-20T10:00):
//       4 sent; 2 suppressed (a hard bounce, an unsubscribe given as "Mia.Roux@Example.com ");
//       not selected: 1 opened, 1 clicked (a click proves the open), 1 failed delivery (never sent)
//   bigCartLastChance (sent 7 days ago, window 11-15T10:00 .. 11-16T10:00):
//       2 sent; 1 suppressed (hard bounce); not selected: 1 bought since, 1 small cart, 1 in GBP, 1 opened
//   loyalOpenedNoPurchase (sent 1 day ago, lookback 2 days, window 11-20T10:00 .. 11-22T10:00):
//       2 sent (sms); 2 expired (due more than 1 day before now); not selected: 1 bought since,
//       1 without a phone, 1 not a loyalty member
//   cartReminderChase: nothing (it is chained on follow-ups, and the history has none yet)
//
// Carts older than the windows (from 11-09) and newer ones (after 11-22T10:00) are selected by no rule.
//
// Measuring (docs/measuring.md): bigCartLastChance holds 10% out and has a goal (a purchase within 7
// days). So that the report has something to measure, the history also holds 2,500 shoppers (s0001 to
// s2500) with a big cart whose email went out in bigCartLastChance's window; 4% of them buy before the
// run (no last chance for them). What happens next is in a second file, --week-after
// (examples/cart-abandonment/week-after.jsonl), imported after the run: their purchases in the week
// after 2026-11-23T10:00:00Z — 8% of the shoppers the rule holds out buy, 15% of those it writes to.
// Who is held out is the rule's own split (the runtime's holdoutPoint), so the follow-up really "works".
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seeded } from '../bench/measured-history.mjs';
import { holdoutPoint } from '../packages/runtime/dist/executor/policies/holdout.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
    options: {
        out: { type: 'string', default: resolve(repo, 'examples/cart-abandonment/history.jsonl') },
        'week-after': { type: 'string', default: resolve(repo, 'examples/cart-abandonment/week-after.jsonl') },
        seed: { type: 'string', default: '20261123' },
    },
});

// A small seeded generator (mulberry32), so that the file is the same on every machine.
const random = seeded(Number(values.seed));
const int = (min, max) => min + Math.floor(random() * (max - min + 1));
const pick = (list) => list[Math.floor(random() * list.length)];

const firstNames = ['Ana', 'Ben', 'Chloé', 'David', 'Elif', 'Farid', 'Greta', 'Hugo', 'Inès', 'Jonas', 'Kenji', 'Lena', 'Marco',
    'Nadia', 'Oscar', 'Paula', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Ugo', 'Vera', 'Wim', 'Xavier', 'Yara', 'Zoé', 'Alma', 'Bruno',
    'Clara', 'Dario', 'Emma', 'Felix', 'Gaia', 'Henrik', 'Ida', 'Jules', 'Karim', 'Lucie', 'Milan', 'Nora'];
const lastNames = ['Martin', 'Schmidt', 'Rossi', 'Garcia', 'Dubois', 'Novak', 'Jansen', 'Silva', 'Berg', 'Moreau', 'Weber', 'Costa'];
const catalog = [
    { sku: 'TSH-001', name: 'Organic cotton T-shirt', price: 24.9 },
    { sku: 'HOO-014', name: 'Merino hoodie', price: 89 },
    { sku: 'SNK-220', name: 'Trail running shoes', price: 129.95 },
    { sku: 'BAG-031', name: 'Canvas backpack', price: 59.5 },
    { sku: 'CAP-007', name: 'Wool beanie', price: 19 },
    { sku: 'JKT-102', name: 'Rain jacket', price: 149 },
    { sku: 'SOC-003', name: 'Hiking socks (3 pairs)', price: 17.5 },
    { sku: 'BTL-010', name: 'Insulated bottle', price: 32 },
    { sku: 'GLV-045', name: 'Touchscreen gloves', price: 27.9 },
    { sku: 'LMP-300', name: 'Head lamp', price: 44.99 },
];

const NOW = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** `d` days and `h` hours before now, plus a few random minutes (never crossing the hour). */
const before = (d, h = 0) => NOW - d * DAY - h * HOUR + int(0, 40) * 60_000;

/**
 * One cart each: when its transactional email was sent, and what happened after. Fields:
 * big/small (cart total >= 100 or < 50), currency, loyal, phone, open/click (hours after sending),
 * bounce ('hard'), unsubscribe, purchase (hours after sending), failed (delivery never sent).
 */
const scenario = [
    // Older than every window: selected by no rule at the first run.
    { sent: before(14, -1), open: 2 }, { sent: before(13, 5), click: 6, purchase: 20 }, { sent: before(12, 2) },
    { sent: before(11, 8), open: 1, click: 1.2 }, { sent: before(10, 3), loyal: true, phone: true, open: 4 },
    { sent: before(9, 6) }, { sent: before(9, -4), open: 30 }, { sent: before(8, 4), big: true, purchase: 3 },
    { sent: before(8, 2), open: 12 },
    // bigCartLastChance: sent 7 days ago (11-15T10:00 .. 11-16T10:00).
    { sent: before(7, 20), big: true, currency: 'EUR' }, // sent
    { sent: before(7, 14), big: true, currency: 'USD', loyal: true }, // sent
    { sent: before(7, 9), big: true, currency: 'EUR', bounce: 'hard' }, // suppressed
    { sent: before(7, 6), big: true, currency: 'EUR', purchase: 26 }, // bought since: not selected
    { sent: before(7, 4), small: true, currency: 'EUR' }, // small cart
    { sent: before(7, 3), big: true, currency: 'GBP' }, // not EUR or USD
    { sent: before(7, 1), big: true, currency: 'USD', open: 5 }, // opened
    // Between the windows.
    { sent: before(5, 10), open: 3 }, { sent: before(4, 6), click: 8 }, { sent: before(4, 2) },
    // cartAbandonment_followup_email: sent 3 days ago (11-19T10:00 .. 11-20T10:00).
    { sent: before(3, 22) }, // sent
    { sent: before(3, 19), big: true }, // sent
    { sent: before(3, 15), loyal: true }, // sent
    { sent: before(3, 12), bounce: 'hard' }, // suppressed
    { sent: before(3, 8), unsubscribe: 30, firstName: 'Mia', email: 'mia.roux@example.com', unsubscribeAs: ' Mia.Roux@Example.com ' }, // suppressed
    { sent: before(3, 6), open: 2 }, // opened: not selected
    { sent: before(3, 4), click: 1 }, // clicked: not selected
    { sent: before(3, 3), failed: true }, // the delivery failed: never sent
    { sent: before(3, 1) }, // sent
    // loyalOpenedNoPurchase: sent 1 day ago, lookback 2 days (11-20T10:00 .. 11-22T10:00).
    { sent: before(2, 20), loyal: true, phone: true, open: 1 }, // expired
    { sent: before(2, 2), loyal: true, phone: true, open: 0.5, click: 0.6 }, // expired
    { sent: before(1, 18), loyal: true, phone: true, open: 2 }, // sent
    { sent: before(1, 12), loyal: true, phone: true, open: 3, purchase: 5 }, // bought since
    { sent: before(1, 8), loyal: true, open: 1 }, // no phone
    { sent: before(1, 6), phone: true, open: 1 }, // not a loyalty member
    { sent: before(1, 1), loyal: true, phone: true, open: 4 }, // sent
    // Too recent for any rule.
    { sent: before(0, 20), open: 2 }, { sent: before(0, 9) }, { sent: before(0, 3), loyal: true, phone: true },
];

function cartItems(spec) {
    for (;;) {
        const items = Array.from({ length: int(1, 3) }, () => {
            const product = pick(catalog);
            return { sku: product.sku, name: product.name, price: product.price, quantity: int(1, 2) };
        }).filter((item, i, all) => all.findIndex(o => o.sku === item.sku) === i);
        const total = Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100;
        if (spec.big && total < 100) continue;
        if (spec.small && total >= 50) continue;
        if (!spec.big && !spec.small && total >= 100 && random() < 0.7) continue; // most carts are modest
        return { items, total };
    }
}

const records = [];
const push = (at, record) => records.push({ at, record });
const used = new Set();

scenario.forEach((spec, i) => {
    const n = String(i + 1).padStart(3, '0');
    let firstName = spec.firstName;
    while (firstName === undefined || used.has(firstName)) firstName = pick(firstNames);
    used.add(firstName);
    const lastName = pick(lastNames);
    const email = spec.email ?? `${firstName.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${lastName.toLowerCase()}@example.com`;
    const customerId = `c${n}`;
    const { items, total } = cartItems(spec);
    const currency = spec.currency ?? (random() < 0.8 ? 'EUR' : 'USD');
    const sent = spec.sent;
    const at = sent - int(5, 55) * 1000; // the transactional email goes out seconds after the event
    const event = `cart-${n}`;
    const delivery = `dlv-${n}`;
    const data = {
        customerId,
        email,
        ...(spec.phone ? { phone: `+33 6 ${int(10, 99)} ${int(10, 99)} ${int(10, 99)} ${int(10, 99)}` } : {}),
        firstName,
        cartTotal: total,
        currency,
        items,
        cartUrl: `https://shop.example/cart/${customerId}-${int(100000, 999999).toString(36)}`,
        loyaltyMember: Boolean(spec.loyal),
        abandonedAt: iso(at - int(30, 90) * 60_000),
    };
    push(at, { kind: 'event', id: event, type: 'cartAbandonment', at: iso(at), data });
    push(sent, {
        kind: 'delivery', id: delivery, event, message: 'transactional', channel: 'email', to: email, at: iso(sent),
        ...(spec.failed ? { status: 'failed' } : {}),
    });
    if (spec.failed) return;
    const after = (hours) => sent + (Math.round(hours * 3600) + int(0, 59)) * 1000;
    if (spec.bounce) {
        push(after(0.01), { kind: 'bounce', delivery, at: iso(after(0.01)), hard: spec.bounce === 'hard' });
        return;
    }
    push(after(0.002), { kind: 'delivered', delivery, at: iso(after(0.002)) });
    if (spec.open !== undefined) push(after(spec.open), { kind: 'open', delivery, at: iso(after(spec.open)) });
    if (spec.click !== undefined) {
        const t = after(spec.click);
        push(t, { kind: 'click', delivery, at: iso(t), url: data.cartUrl, link: 'cart' });
    }
    if (spec.unsubscribe !== undefined) {
        const t = after(spec.unsubscribe);
        push(t, { kind: 'unsubscribe', channel: 'email', to: spec.unsubscribeAs ?? email, at: iso(t) });
    }
    if (spec.purchase !== undefined) {
        const t = after(spec.purchase);
        push(t, {
            kind: 'event', id: `order-${n}`, type: 'purchase', at: iso(t),
            data: { customerId, email, orderId: `SO-${2026_1100 + i}`, total, currency },
        });
    }
});

// ---------------------------------------------------------------- measuring bigCartLastChance

const SHOPPERS = 2500;
const RULE_SEED = 'bigCartLastChance';
const measured = seeded(Number(values.seed) + 1);
const mInt = (min, max) => min + Math.floor(measured() * (max - min + 1));
const mPick = (list) => list[Math.floor(measured() * list.length)];
/** The window bigCartLastChance's first run at NOW selects from: original emails sent in (11-15T10:00, 11-16T10:00]. */
const windowStart = NOW - 8 * DAY;
const weekAfter = [];
for (let i = 1; i <= SHOPPERS; i++) {
    const n = String(i).padStart(4, '0');
    const customerId = `s${n}`;
    const firstName = mPick(firstNames);
    const lastName = mPick(lastNames);
    const email = `${firstName.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${lastName.toLowerCase()}.${n}@example.com`;
    const product = mPick(catalog.filter((p) => p.price >= 50));
    const quantity = product.price >= 100 ? 1 : 2;
    const items = [{ sku: product.sku, name: product.name, price: product.price, quantity }];
    const total = Math.round(product.price * quantity * 100) / 100;
    const currency = measured() < 0.8 ? 'EUR' : 'USD';
    const sent = windowStart + Math.floor(((i - 0.5) * DAY) / SHOPPERS);
    const at = sent - mInt(5, 55) * 1000;
    const event = `cart-${customerId}`;
    push(at, {
        kind: 'event', id: event, type: 'cartAbandonment', at: iso(at),
        data: {
            customerId, email, firstName, cartTotal: total, currency, items,
            cartUrl: `https://shop.example/cart/${customerId}-${mInt(100000, 999999).toString(36)}`,
            loyaltyMember: measured() < 0.3, abandonedAt: iso(at - mInt(30, 90) * 60_000),
        },
    });
    push(sent, { kind: 'delivery', id: `dlv-${customerId}`, event, message: 'transactional', channel: 'email', to: email, at: iso(sent) });
    const order = (t) => ({ kind: 'event', id: `order-${customerId}`, type: 'purchase', at: iso(t), data: { customerId, email, orderId: `SO-${customerId}`, total, currency } });
    const buysBefore = measured() < 0.04;
    const boughtAt = sent + mInt(1, 5 * 24) * HOUR;
    if (buysBefore) {
        push(boughtAt, order(boughtAt));
        continue;
    }
    // The week after the run at NOW: the rule's own split decides who got the last chance.
    const heldOut = holdoutPoint(RULE_SEED, customerId) < 0.10;
    const buys = measured() < (heldOut ? 0.08 : 0.15);
    const when = NOW + mInt(1, 7 * 24 * 60 - 1) * 60_000 + mInt(0, 59) * 1000;
    if (buys) weekAfter.push({ at: when, record: order(when) });
}

for (const [file, list] of [[values.out, records], [values['week-after'], weekAfter]]) {
    list.sort((a, b) => a.at - b.at);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, list.map(r => JSON.stringify(r.record)).join('\n') + '\n');
    const kinds = {};
    for (const { record } of list) kinds[record.kind] = (kinds[record.kind] ?? 0) + 1;
    process.stdout.write(`Wrote ${list.length} records to ${file}: ${Object.entries(kinds).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
}
