// Requests to `followup serve`, and history lines for `followup import`, made from valid events of
// the cart-abandonment example by mutation: types, encodings, sizes, duplicate keys, unicode edge
// cases, header variations, routes. Seeded: a failing request can be made again from its number.
import { e164 } from '@followup/values';
import { rng, type Rng } from './mutate.js';

export { rng, type Rng };

/**
 * An event's data as the store keeps it: as written, but for its phone numbers, which are stored in
 * E.164 (the example's only phone field is cartAbandonment's top-level `phone`).
 */
export function asStored(data: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
    if (typeof copy['phone'] === 'string') copy['phone'] = e164(copy['phone']) ?? copy['phone'];
    return copy;
}

export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

/** A stack frame, a source file, SQL: none may reach a client, a log line or a CLI's error output. */
export const LEAK = /\n\s+at |\bat [\w.<>$]+ \(|node_modules|file:\/\/|\.ts:\d+|\.js:\d+|\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b|\bWITH \w+ AS \(|\$\d+::/;
const chance = (r: Rng, p: number) => r() < p;

/** Strings at the edges of what JSON, UTF-16, PostgreSQL and the value rules allow. */
export const oddStrings: readonly string[] = [
    '', ' ', '\t', '\n', 'a\u0000b', '\u0000', 'lone \ud800 high', 'lone \udc00 low', 'pair \ud83d\ude00', '\ufeffbom', '\uffff', '\ufffe',
    'rtl \u202e gnp.exe', 'zero\u200bwidth', 'e\u0301 combining', 'Ω≈ç√', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '日本語', '"quoted"', "it's", '\\backslash', '</script><script>alert(1)</script>',
    "'; DROP TABLE events; --", '{{ firstName }}', '<%= it %>', '${process.exit()}', 'x'.repeat(1000), 'é'.repeat(300), '\r\nX-Injected: 1', 'null', 'true', '0',
];

/** Numbers (and number-like text) at the edges. `RAW:` values are written into the JSON text as they are. */
export const oddNumbers: readonly (number | string)[] = [
    0, -0, 1, -1, 0.1, 1e21, 1e-7, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1.7976931348623157e308, 5e-324, 19.99, 'RAW:1e400', 'RAW:-1e400', 'RAW:1e-400',
    'RAW:1.0', 'RAW:1E2', 'RAW:-0.0', '19.99', '.5', '+5', '5.', '1e3', '1e1000', 'NaN', 'Infinity', '0x10', '1,5', ' 5', '9'.repeat(1001),
];

export const oddInstants: readonly string[] = [
    '2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123456789+01:00', '2026-11-20t10:00z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
    '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59.999Z', '9999-12-31T23:30:00-01:00', '10000-01-01T00:00:00Z', '2026-02-30T10:00:00Z',
    '2024-02-29T10:00:00Z', '2026-11-20T10:00:00+16:00', '2026-11-20T10:00:00+15:59', '2026-11-20T24:00:00Z', '2026-11-20 10:00:00Z',
    '2026-11-20T10:00:00', '2026-11-20', 'now', '', '+002026-11-20T10:00:00Z',
];

const oddValues = (r: Rng): unknown => {
    switch (Math.floor(r() * 7)) {
        case 0: return pick(r, oddStrings);
        case 1: return pick(r, oddNumbers);
        case 2: return pick(r, oddInstants);
        case 3: return pick(r, [null, true, false, [], {}, [1, 2], { a: 1 }, [[[[[]]]]]]);
        case 4: return `user${Math.floor(r() * 1000)}${pick(r, ['@example.com', '@EXAMPLE.com', ' @example.com', '@example', '@@x.y', '\t@x.io'])}`;
        case 5: return pick(r, ['https://shop.example/café', 'https://shop.example/a\r\nb', 'javascript:alert(1)', 'ftp://x.y/z', 'https://', '//x.y', 'https://x.y/' + 'p'.repeat(3000)]);
        default: return Math.floor(r() * 1e6) - 5e5;
    }
};

let counter = 0;
/** A fresh id (unique across the run), sometimes with odd characters that are still an id. */
export function freshId(r: Rng, prefix: string): string {
    const n = `${prefix}-${++counter}`;
    return chance(r, 0.1) ? `${n}-${pick(r, ['日本', '😀', 'é', ' space', '\t', '"q"', "'", '/', '%20', '..', '\\'])}` : n;
}

/** A valid cartAbandonment's data. */
export function cartData(r: Rng): Record<string, unknown> {
    const n = Math.floor(r() * 100_000);
    const data: Record<string, unknown> = {
        customerId: `c${n}`,
        email: `user${n}@example.com`,
        firstName: pick(r, ['Ana', 'Zoë', 'Łukasz', '美咲', 'O\'Brien', 'Jean-Luc']),
        cartTotal: pick(r, [120.5, '99.90', 0, 15, '1e2']),
        currency: pick(r, ['EUR', 'USD']),
        items: Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({ sku: `s${i}`, name: pick(r, ['Shoe', 'Hat', 'Sac à dos']), price: pick(r, [60.25, '10.00', 3]), quantity: 1 + i })),
        cartUrl: `https://shop.example/cart/${n}`,
        loyaltyMember: chance(r, 0.5),
        abandonedAt: '2026-11-20T09:55:00Z',
    };
    if (chance(r, 0.3)) data['phone'] = chance(r, 0.5) ? null : '+33 6 12 34 56 78';
    return data;
}

export function purchaseData(r: Rng): Record<string, unknown> {
    const n = Math.floor(r() * 100_000);
    return { customerId: `c${n}`, email: `user${n}@example.com`, orderId: `o${n}`, total: pick(r, [42, '42.00']), currency: 'EUR' };
}

const fieldsOf = (data: Record<string, unknown>) => Object.keys(data);

/** One value-level mutation of an event's data (in place). */
function mutateData(r: Rng, data: Record<string, unknown>): string {
    const field = pick(r, fieldsOf(data));
    switch (Math.floor(r() * 6)) {
        case 0:
            data[field] = oddValues(r);
            return `data.${field}=odd`;
        case 1:
            delete data[field];
            return `data.${field} deleted`;
        case 2:
            data[pick(r, ['firstname', 'extra', '__proto__', 'constructor', '', 'é'])] = oddValues(r);
            return 'data unknown field';
        case 3: {
            const items = data['items'];
            if (Array.isArray(items) && items.length > 0) {
                const item = items[0] as Record<string, unknown>;
                item[pick(r, ['sku', 'name', 'price', 'quantity'])] = oddValues(r);
                return 'data.items[0].x=odd';
            }
            data[field] = null;
            return `data.${field}=null`;
        }
        case 4:
            data[field] = pick(r, oddStrings);
            return `data.${field}=odd string`;
        default:
            data[field] = pick(r, oddNumbers);
            return `data.${field}=odd number`;
    }
}

/** An event envelope `{ id?, at?, data }` (with `type` for a batch item), mutated or not. */
export function envelope(r: Rng, type: 'cartAbandonment' | 'purchase', options: { batch: boolean; ids: string[] }): { value: Record<string, unknown>; mutations: string[] } {
    const mutations: string[] = [];
    const data = type === 'cartAbandonment' ? cartData(r) : purchaseData(r);
    const value: Record<string, unknown> = {};
    if (options.batch) value['type'] = type;
    if (chance(r, 0.85)) value['id'] = freshId(r, 'f');
    if (chance(r, 0.3)) value['at'] = chance(r, 0.6) ? '2026-11-20T10:00:00Z' : pick(r, oddInstants);
    value['data'] = data;
    const count = chance(r, 0.25) ? 0 : 1 + Math.floor(r() * 2);
    for (let i = 0; i < count; i++) {
        switch (Math.floor(r() * 10)) {
            case 0:
                value['id'] = pick(r, [...oddStrings, 'x'.repeat(199), 'x'.repeat(200), 'y'.repeat(201), 42, null, true, ['a']]);
                mutations.push('id=odd');
                break;
            case 1:
                if (options.ids.length > 0) {
                    value['id'] = pick(r, options.ids);
                    mutations.push('id=earlier id');
                }
                break;
            case 2:
                value['at'] = pick(r, [...oddInstants, 1_700_000_000, null]);
                mutations.push('at=odd');
                break;
            case 3:
                value[pick(r, ['extra', 'kind', 'ID', 'Data'])] = 1;
                mutations.push('envelope unknown key');
                break;
            case 4:
                value['data'] = pick(r, [null, [], 'data', 42, {}]);
                mutations.push('data=odd');
                break;
            case 5:
                if (options.batch) {
                    value['type'] = pick(r, ['purchase', 'cartabandonment', '', null, 'nope', 'toString', '__proto__']);
                    mutations.push('type=odd');
                }
                break;
            default:
                mutations.push(mutateData(r, data));
        }
    }
    return { value, mutations };
}

/** JSON text of `value`, with `RAW:` strings written as raw JSON (numbers JSON.stringify cannot write). */
export function toJson(value: unknown): string {
    return JSON.stringify(value).replace(/"RAW:([^"]*)"/g, '$1');
}

/** Text-level mutations of a JSON body: duplicate keys, truncation, garbage, BOM, white space. */
export function mutateText(r: Rng, text: string): { text: string; mutation?: string } {
    switch (Math.floor(r() * 14)) {
        case 0: {
            const i = text.indexOf('"id":');
            if (i < 0) return { text };
            return { text: `${text.slice(0, i)}"id":"dup-first-${++counter}",${text.slice(i)}`, mutation: 'duplicate key id' };
        }
        case 1: {
            const i = text.indexOf('"data":{');
            if (i < 0) return { text };
            return { text: `${text.slice(0, i + 8)}"firstName":"Dup",${text.slice(i + 8)}`, mutation: 'duplicate key in data' };
        }
        case 2: return { text: text.slice(0, Math.floor(r() * text.length)), mutation: 'truncated' };
        case 3: return { text: `${text}${pick(r, ['x', '}', ',', ' {}', '\u0000', '\n{}'])}`, mutation: 'trailing garbage' };
        case 4: return { text: `\ufeff${text}`, mutation: 'BOM' };
        case 5: return { text: ` \n\t${text}\r\n `, mutation: 'white space' };
        case 6: return { text: text.replace(/"/, "'"), mutation: 'single quote' };
        default: return { text };
    }
}

export interface FuzzRequest {
    label: string;
    method: 'POST' | 'GET' | 'PUT';
    path: string;
    headers: Record<string, string>;
    body?: string | Buffer;
}

export interface RequestPlan extends FuzzRequest {
    /** What was sent as text (undefined for binary bodies the server cannot read as UTF-8 JSON). */
    text?: string;
}

/** One request made from valid events by mutation. `key` is the API key; `ids` the ids used so far. */
export function fuzzRequest(r: Rng, key: string, ids: string[], replays: { key: string; body: string }[]): RequestPlan {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const labels: string[] = [];
    const batch = chance(r, 0.25);
    const type = chance(r, 0.8) ? 'cartAbandonment' : 'purchase';
    let path = batch ? '/v1/events' : `/v1/events/${type}`;
    let text: string;
    if (batch) {
        const size = chance(r, 0.05) ? 0 : chance(r, 0.1) ? 50 + Math.floor(r() * 450) : 1 + Math.floor(r() * 8);
        const items = Array.from({ length: size }, () => {
            const e = envelope(r, chance(r, 0.8) ? 'cartAbandonment' : 'purchase', { batch: true, ids });
            labels.push(...e.mutations);
            return e.value;
        });
        if (chance(r, 0.2)) {
            headers['content-type'] = pick(r, ['application/x-ndjson', 'application/jsonl']);
            text = items.map((i) => toJson(i)).join(pick(r, ['\n', '\r\n', '\n\n']));
            labels.push('json lines');
        } else text = toJson(items);
    } else {
        const e = envelope(r, type, { batch: false, ids });
        labels.push(...e.mutations);
        text = toJson(e.value);
    }
    if (chance(r, 0.15)) {
        const m = mutateText(r, text);
        text = m.text;
        if (m.mutation) labels.push(m.mutation);
    }
    // Sizes: past the body limits.
    if (chance(r, 0.01)) {
        text = toJson({ id: freshId(r, 'huge'), data: { ...cartData(r), firstName: 'h'.repeat(batch ? 11 * 1024 * 1024 : 1024 * 1024 + 10) } });
        labels.push('over the body limit');
    }
    // Routes.
    if (chance(r, 0.05)) {
        path = pick(r, ['/v1/events/nope', '/v1/events/CartAbandonment', `${path}/`, `/v1//events/${type}`, `/v1/%65vents/${type}`, `${path}?x=1&x=2`, '/v1/events/cartAbandonment/schema', '/v1/profiles', '/v1/webhooks/mailgun', '/u/abc', '/t/c/abc.def']);
        labels.push(`path ${path}`);
    }
    // Headers.
    if (chance(r, 0.15)) {
        switch (Math.floor(r() * 9)) {
            case 0: delete headers['authorization']; labels.push('no key'); break;
            case 1: headers['authorization'] = `Bearer ${key}x`; labels.push('wrong key'); break;
            case 2: headers['authorization'] = `bearer  ${key} `; labels.push('lower-case bearer'); break;
            case 3: headers['authorization'] = `Basic ${Buffer.from(`u:${key}`).toString('base64')}`; labels.push('basic auth'); break;
            case 4: headers['content-type'] = pick(r, ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'Application/JSON', 'application/json; charset=utf-8', 'multipart/form-data; boundary=x', 'application/octet-stream']); labels.push(`content-type ${headers['content-type']}`); break;
            case 5: delete headers['content-type']; labels.push('no content-type'); break;
            case 6: headers['idempotency-key'] = pick(r, ['', ' ', 'k'.repeat(256), 'k'.repeat(255), 'has space', `idem-${++counter}`]); labels.push('odd idempotency key'); break;
            case 7: headers['content-encoding'] = pick(r, ['gzip', 'br', 'identity']); labels.push('content-encoding'); break;
            default: headers['accept'] = pick(r, ['text/html', '*/*', 'application/xml']); labels.push('accept'); break;
        }
    }
    // Idempotency-Key: new, replayed with the same body (keys reordered), or reused for another body.
    if (chance(r, 0.1)) {
        if (replays.length > 0 && chance(r, 0.5)) {
            const earlier = pick(r, replays);
            headers['idempotency-key'] = earlier.key;
            const same = chance(r, 0.6);
            if (same) {
                text = reorderKeys(earlier.body);
                path = earlier.key.startsWith('b:') ? '/v1/events' : path;
            }
            labels.push(same ? 'idempotent replay' : 'idempotency key reused');
        } else {
            headers['idempotency-key'] = `${batch ? 'b:' : 's:'}idem-${++counter}`;
            replays.push({ key: headers['idempotency-key'], body: text });
            labels.push('idempotency key');
        }
    }
    // Encodings: bytes that are not UTF-8, UTF-16.
    let body: string | Buffer = text;
    let sentText: string | undefined = text;
    if (chance(r, 0.03)) {
        switch (Math.floor(r() * 3)) {
            case 0: body = Buffer.concat([Buffer.from(text.slice(0, 20)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(20))]); labels.push('invalid utf-8'); break;
            case 1: body = Buffer.from(`\ufeff${text}`, 'utf16le'); labels.push('utf-16'); break;
            default: body = Buffer.from(text, 'latin1'); labels.push('latin-1'); break;
        }
        sentText = (body as Buffer).toString('utf8');
    }
    return { label: labels.join(', ') || 'valid', method: 'POST', path, headers, body, text: sentText };
}

/** The same JSON with every object's keys in reverse order (an equal body for idempotency). */
function reorderKeys(text: string): string {
    try {
        const reverse = (v: unknown): unknown =>
            Array.isArray(v) ? v.map(reverse) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
        return toJson(reverse(JSON.parse(text)));
    } catch {
        return text;
    }
}

/** A history file of `lines` records made from valid ones by mutation (events, deliveries, opens, clicks, unsubscribes). */
export function historyFile(r: Rng, lines: number, ids: string[]): { lines: string[]; labels: string[] } {
    const out: string[] = [];
    const labels: string[] = [];
    const events: string[] = [];
    const deliveries: string[] = [];
    for (let i = 0; i < lines; i++) {
        const kinds = ['event', 'event', ...(events.length > 0 ? ['delivery', 'delivery'] : []), ...(deliveries.length > 0 ? ['open', 'click', 'bounce'] : []), 'unsubscribe'];
        const kind = events.length === 0 ? 'event' : pick(r, kinds);
        let record: Record<string, unknown>;
        switch (kind) {
            case 'event': {
                const id = freshId(r, 'imp');
                events.push(id);
                const type = chance(r, 0.8) ? 'cartAbandonment' : 'purchase';
                record = { kind, id, type, at: chance(r, 0.8) ? '2026-11-20T10:00:00Z' : pick(r, oddInstants), data: type === 'purchase' ? purchaseData(r) : cartData(r) };
                break;
            }
            case 'delivery': {
                const id = freshId(r, 'd');
                deliveries.push(id);
                record = { kind, id, event: pick(r, events), message: 'transactional', channel: 'email', to: `u${i}@example.com`, at: '2026-11-20T10:00:05Z' };
                break;
            }
            case 'open':
            case 'bounce':
                record = { kind, delivery: pick(r, deliveries), at: '2026-11-21T08:00:00Z', ...(kind === 'bounce' ? { hard: chance(r, 0.5) } : {}) };
                break;
            case 'click':
                record = { kind, delivery: pick(r, deliveries), at: '2026-11-21T08:01:00Z', url: pick(r, ['https://shop.example/cart', 'https://shop.example/café']) };
                break;
            default:
                record = { kind: 'unsubscribe', channel: 'email', to: pick(r, [`u${i}@example.com`, ` U${i}@Example.com\t`]), at: '2026-11-22T00:00:00Z' };
        }
        if (chance(r, 0.12)) {
            const field = pick(r, Object.keys(record).filter((k) => k !== 'kind'));
            const m = Math.floor(r() * 5);
            if (m === 0) record[field] = oddValues(r);
            else if (m === 1) delete record[field];
            else if (m === 2 && isObject(record['data'])) labels.push(mutateData(r, record['data']));
            else if (m === 3 && ids.length > 0) record['id'] = pick(r, ids);
            else record[field] = pick(r, [...oddStrings, ...oddInstants]);
            labels.push(`line ${i + 1}: ${field}`);
        }
        let text = toJson(record);
        if (chance(r, 0.03)) {
            const m = mutateText(r, text);
            text = m.text;
            if (m.mutation) labels.push(`line ${i + 1}: ${m.mutation}`);
        }
        out.push(text);
        if (typeof record['id'] === 'string') ids.push(record['id']);
    }
    return { lines: out, labels };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
