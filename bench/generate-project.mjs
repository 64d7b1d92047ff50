// Generates a realistic, deterministic followup project for benchmarks: events with keys and
// varied field types, record types, messages (email with subject/html/text templates, sms) and
// follow-up rules (short and long forms, conditions, options, chains).
//
//   node bench/generate-project.mjs <dir> [--rules 1000] [--events 200] [--seed 1]
//
// The output checks with 0 errors and 0 warnings (`npx followup check <dir>`). Same arguments,
// same bytes.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seeded as mulberry32 } from './measured-history.mjs';

// ---------------------------------------------------------------- deterministic randomness

class Random {
    constructor(seed) { this.next = mulberry32(seed); }
    int(min, max) { return min + Math.floor(this.next() * (max - min + 1)); }
    chance(p) { return this.next() < p; }
    pick(list) { return list[Math.floor(this.next() * list.length)]; }
    shuffle(list) {
        const out = [...list];
        for (let i = out.length - 1; i > 0; i--) {
            const j = Math.floor(this.next() * (i + 1));
            [out[i], out[j]] = [out[j], out[i]];
        }
        return out;
    }
    sample(list, n) { return this.shuffle(list).slice(0, n); }
}

// ---------------------------------------------------------------- vocabulary

const nouns = ['cart', 'order', 'trial', 'subscription', 'invoice', 'account', 'wishlist', 'review', 'ticket', 'booking',
    'course', 'webinar', 'quote', 'payment', 'delivery', 'coupon', 'referral', 'survey', 'loyalty', 'download'];
const actions = ['Abandoned', 'Created', 'Started', 'Completed', 'Cancelled', 'Expired', 'Viewed', 'Failed', 'Renewed', 'Updated'];
const keyNames = ['customerId', 'accountId', 'userId', 'memberId', 'subscriberId'];

const cap = s => s[0].toUpperCase() + s.slice(1);

/** Optional fields an event may have, by kind. Each event takes a few of them. */
const fieldPool = {
    string: ['lastName', 'city', 'country', 'plan', 'tier', 'source', 'locale', 'productName', 'couponCode', 'referrer', 'status', 'segment'],
    int: ['quantity', 'itemCount', 'visits', 'loginCount', 'seats', 'points', 'attempts'],
    decimal: ['total', 'amount', 'balance', 'discount', 'price', 'credit'],
    boolean: ['loyaltyMember', 'newsletterOptIn', 'isTrial', 'firstPurchase', 'vip', 'autoRenew'],
    timestamp: ['occurredAt', 'createdAt', 'expiresAt', 'lastSeenAt'],
    date: ['birthday', 'renewalDate', 'dueDate'],
    url: ['detailsUrl', 'actionUrl', 'unsubscribeUrl'],
};

const stringValues = {
    lastName: ['Martin', 'Smith', 'Garcia'], city: ['Paris', 'Berlin', 'Lyon', 'Madrid'], country: ['FR', 'DE', 'BE', 'NL', 'ES', 'IT'],
    plan: ['free', 'pro', 'team', 'enterprise'], tier: ['gold', 'silver', 'bronze', 'platinum'], source: ['web', 'ios', 'android', 'store'],
    locale: ['fr-FR', 'en-GB', 'de-DE'], productName: ['Starter', 'Premium', 'Max'], couponCode: ['WELCOME', 'SPRING', 'VIP'],
    referrer: ['google', 'newsletter', 'partner'], status: ['open', 'pending', 'closed'], segment: ['b2b', 'b2c', 'edu'],
    firstName: ['Ana', 'Bob'], currency: ['EUR', 'USD', 'GBP', 'CHF'],
};

const zones = ['Europe/Paris', 'Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Tokyo', 'Europe/London'];
const linkNames = ['checkout', 'review', 'pricing', 'details', 'unsubscribe', 'renew', 'help'];

// ---------------------------------------------------------------- the model

function eventNames(count) {
    const names = [];
    for (let round = 0; names.length < count; round++) {
        for (let a = 0; a < actions.length && names.length < count; a++) {
            for (let n = 0; n < nouns.length && names.length < count; n++) {
                names.push(`${nouns[n]}${actions[a]}${round ? round + 1 : ''}`);
            }
        }
    }
    return names;
}

function buildModel(opts) {
    const rnd = new Random(opts.seed);
    const fileCount = Math.max(1, Math.min(20, Math.ceil(opts.events / 10)));
    const groups = Array.from({ length: fileCount }, (_, g) => ({
        index: g,
        slug: nouns[g % nouns.length] + (g >= nouns.length ? g : ''),
        line: `${cap(nouns[g % nouns.length])}${g >= nouns.length ? g : ''}Line`,
        address: `${cap(nouns[g % nouns.length])}${g >= nouns.length ? g : ''}Address`,
    }));
    // Record types: a line item and an address per file, with a few varied fields.
    for (const g of groups) {
        g.lineFields = [
            { name: 'sku', type: 'string' }, { name: 'name', type: 'string' },
            { name: 'price', type: 'decimal' }, { name: 'quantity', type: 'int' },
            ...rnd.sample([{ name: 'category', type: 'string' }, { name: 'discount', type: 'decimal', optional: true },
                { name: 'giftWrap', type: 'boolean' }, { name: 'addedAt', type: 'timestamp' }], rnd.int(0, 2)),
        ];
        g.addressFields = [
            { name: 'street', type: 'string' }, { name: 'city', type: 'string' }, { name: 'zip', type: 'string', optional: true },
            { name: 'country', type: 'string' },
        ];
    }

    const names = eventNames(opts.events);
    const events = names.map((name, i) => {
        const group = groups[i % fileCount];
        const key = keyNames[(i % nouns.length) % keyNames.length];
        const fields = [
            { name: key, type: 'string', kind: 'string' },
            { name: 'email', type: 'email', kind: 'email' },
            { name: 'firstName', type: 'string', kind: 'string' },
        ];
        const used = new Set(fields.map(f => f.name));
        const add = (name, type, kind, extra = {}) => {
            if (used.has(name)) return;
            used.add(name);
            fields.push({ name, type, kind, ...extra });
        };
        add(rnd.pick(fieldPool.decimal), 'decimal', 'decimal');
        add(rnd.pick(fieldPool.boolean), 'boolean', 'boolean');
        add(rnd.pick(fieldPool.timestamp), 'timestamp', 'timestamp');
        add('items', `list<${group.line}>`, 'list', { record: group.line, recordFields: group.lineFields });
        const hasCurrency = rnd.chance(0.7);
        if (hasCurrency) add('currency', 'string', 'string');
        const hasPhone = rnd.chance(0.4);
        if (hasPhone) add('phone', 'phone', 'phone', { optional: true });
        add(rnd.pick(fieldPool.url), 'url', 'url');
        const target = rnd.int(8, 15);
        const extras = rnd.shuffle([
            ...fieldPool.string.map(n => [n, 'string', 'string']), ...fieldPool.int.map(n => [n, 'int', 'int']),
            ...fieldPool.decimal.map(n => [n, 'decimal', 'decimal']), ...fieldPool.boolean.map(n => [n, 'boolean', 'boolean']),
            ...fieldPool.timestamp.map(n => [n, 'timestamp', 'timestamp']), ...fieldPool.date.map(n => [n, 'date', 'date']),
            ['shipTo', group.address, 'record'], ['tags', 'list<string>', 'stringList'],
        ]);
        for (const [n, type, kind] of extras) {
            if (fields.length >= target) break;
            add(n, type, kind, kind === 'record' ? { record: group.address, recordFields: group.addressFields, optional: rnd.chance(0.5) } : { optional: rnd.chance(0.15) });
        }
        // A second address field of the email type: rules sending email must then say `to email`.
        const twoEmails = rnd.chance(0.1);
        if (twoEmails) add('billingEmail', 'email', 'email', { optional: true });
        return { name, index: i, group, key, fields, hasCurrency, hasPhone, twoEmails, messages: [], rules: [] };
    });
    const byKey = new Map();
    for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    for (const e of events) e.related = byKey.get(e.key).filter(o => o !== e);

    for (const e of events) buildMessages(e, rnd);
    buildRules(events, opts.rules, rnd);
    return { groups, events };
}

// ---------------------------------------------------------------- templates

const fieldsOf = (e, kind) => e.fields.filter(f => f.kind === kind);

function moneyArg(e) {
    return e.hasCurrency ? 'currency' : `'${['EUR', 'USD', 'GBP'][e.index % 3]}'`;
}

function mainAmount(e) {
    return fieldsOf(e, 'decimal')[0].name;
}

/** `{{ item.x }}` cells for a line item, with filters fitting each field type. */
function itemCells(e, rnd, html) {
    const list = e.fields.find(f => f.kind === 'list');
    return list.recordFields.map(f => {
        const v = `item.${f.name}`;
        switch (f.type) {
            case 'decimal': return `{{ ${v} | money(${moneyArg(e)}) }}`;
            case 'string': return f.name === 'name' ? `{{ ${v} | truncate(${rnd.int(24, 60)}) }}` : `{{ ${v} | upper }}`;
            case 'timestamp': return `{{ ${v} | date('yyyy-MM-dd') }}`;
            case 'boolean': return `{{#if ${v}}}${html ? '<em>gift</em>' : '(gift)'}{{/if}}`;
            default: return `{{ ${v} }}`;
        }
    }).map(c => (html ? `<td>${c}</td>` : c)).join(html ? '' : ' · ');
}

function extraLines(e, rnd, html) {
    const lines = [];
    const wrap = s => (html ? `<p>${s}</p>` : s);
    for (const f of rnd.sample(e.fields.filter(f => !['email', 'list', 'phone', 'url'].includes(f.kind) && f.name !== e.key && f.name !== 'firstName'), rnd.int(2, 4))) {
        switch (f.kind) {
            case 'decimal': lines.push(wrap(`${cap(f.name)}: {{ ${f.name} | money(${moneyArg(e)}) }}`)); break;
            case 'int': lines.push(wrap(`{{#if ${f.name} > ${rnd.int(1, 5)}}}You have {{ ${f.name} }} ${f.name}.{{else}}Only {{ ${f.name} | default(0) }} so far.{{/if}}`)); break;
            case 'boolean': lines.push(wrap(`{{#if ${f.name}}}As a ${f.name} customer, you get priority support.{{else}}Upgrade to get priority support.{{/if}}`)); break;
            case 'timestamp': lines.push(wrap(`On {{ ${f.name} | date('yyyy-MM-dd HH:mm') }} (UTC).`)); break;
            case 'date': lines.push(wrap(`{{#if ${f.name} > '2026-01-01'}}Next date: {{ ${f.name} | date('dd/MM/yyyy') }}.{{/if}}`)); break;
            case 'string': lines.push(wrap(`${cap(f.name)}: {{ ${f.name} | default('n/a') | upper }}`)); break;
            case 'record': lines.push(wrap(`Ships to {{ ${f.name}.street }}, {{ ${f.name}.zip | default('') }} {{ ${f.name}.city | upper }}`)); break;
            case 'stringList': lines.push(wrap(`{{#each ${f.name} as tag}}#{{ tag | lower }} {{/each}}`)); break;
        }
    }
    return lines;
}

function htmlBody(e, rnd, headline) {
    const url = fieldsOf(e, 'url')[0].name;
    const amount = mainAmount(e);
    const flag = fieldsOf(e, 'boolean')[0].name;
    const ts = fieldsOf(e, 'timestamp')[0].name;
    return [
        '<!doctype html>',
        '<html>',
        '  <body style="font-family: sans-serif; color: #222">',
        `    <h1>{{ firstName | default('there') }}, ${headline}</h1>`,
        `    <p>Last update: {{ ${ts} | date('yyyy-MM-dd') }}</p>`,
        '    <table>',
        '      {{#each items as item}}',
        `      <tr>${itemCells(e, rnd, true)}</tr>`,
        '      {{/each}}',
        '    </table>',
        `    {{#if count(items) = 1}}<p>One item: {{ items[0].name }}</p>{{else}}<p>{{ count(items) }} items</p>{{/if}}`,
        `    <p>Total: <strong>{{ ${amount} | money(${moneyArg(e)}) }}</strong></p>`,
        `    {{#if ${amount} > ${rnd.int(50, 150)} and not ${flag}}}<p>Free shipping on this one.</p>{{else}}<p>Add a little more for free shipping.</p>{{/if}}`,
        ...extraLines(e, rnd, true).map(l => `    ${l}`),
        `    <p><a href="{{ ${url} }}" style="background: #0a6; color: #fff; padding: 8px 16px">Continue</a></p>`,
        '    <p style="font-size: 12px; color: #888">You receive this message because you have an account with us.</p>',
        '  </body>',
        '</html>',
    ];
}

function textBody(e, rnd, headline) {
    const url = fieldsOf(e, 'url')[0].name;
    return [
        `Hi {{ firstName | default('there') }},`,
        `${headline}: {{ count(items) }} items ({{ ${mainAmount(e)} | money(${moneyArg(e)}) }}).`,
        '{{#each items as item}}',
        `- ${itemCells(e, rnd, false)}`,
        '{{/each}}',
        ...extraLines(e, rnd, false),
        `{{ ${url} }}`,
    ];
}

const indent = (lines, pad) => lines.map(l => (l ? pad + l : l)).join('\n');
const triple = (lines, pad) => `"""\n${indent(lines, pad + '  ')}\n${pad}"""`;

const followupMessages = [
    { name: 'reminder', headline: 'a quick reminder', subject: 'a quick reminder about your {{ count(items) }} items' },
    { name: 'lastChance', headline: 'this is your last chance', subject: 'this is your last chance for {{ items[0].name | default(\'your items\') | truncate(30) }}' },
    { name: 'winback', headline: 'we miss you', subject: 'we miss you, here is something for you' },
];

function buildMessages(e, rnd) {
    const subjectOf = text => `"{{ firstName | default('there') }}, ${text}"`;
    // The transactional message, its HTML in a template file for a quarter of the events.
    const fileHtml = rnd.chance(0.25);
    e.messages.push({
        name: 'transactional', channel: 'email', subject: subjectOf(`your ${e.name.replace(/[A-Z].*/, '')} is confirmed`),
        html: fileHtml ? { file: `templates/${e.name}-transactional.html`, lines: htmlBody(e, rnd, 'thank you') } : { lines: htmlBody(e, rnd, 'thank you') },
        text: textBody(e, rnd, 'Thank you'),
    });
    const n = rnd.int(2, 3);
    for (const m of followupMessages.slice(0, n)) {
        e.messages.push({
            name: m.name, channel: 'email', subject: subjectOf(m.subject),
            html: rnd.chance(0.8) ? { lines: htmlBody(e, rnd, m.headline) } : undefined,
            text: textBody(e, rnd, cap(m.headline)),
        });
    }
    if (e.hasPhone) {
        const url = fieldsOf(e, 'url')[0].name;
        e.messages.push({ name: 'reminder', channel: 'sms', text: `"{{ firstName | truncate(20) }}, {{ count(items) }} items are waiting: {{ ${url} }}"` });
    }
}

function renderMessage(e, m) {
    const parts = [];
    if (m.subject) parts.push(`  subject: ${m.subject}`);
    if (m.html) parts.push(m.html.file ? `  html: file "${m.html.file}"` : `  html: ${triple(m.html.lines, '  ')}`);
    if (m.text) parts.push(`  text: ${Array.isArray(m.text) ? triple(m.text, '  ') : m.text}`);
    if (m.channel === 'sms') return `message ${m.name} for ${e.name} sms { text: ${m.text} }`;
    return `message ${m.name} for ${e.name} ${m.channel} {\n${parts.join('\n')}\n}`;
}

// ---------------------------------------------------------------- conditions

function comparisonFor(f, rnd) {
    const v = f.name;
    switch (f.kind) {
        case 'decimal': return rnd.pick([`${v} >= ${rnd.int(20, 200)}`, `${v} < ${rnd.int(10, 90)}.${rnd.int(1, 9)}`, `${v} > 0`]);
        case 'int': return rnd.pick([`${v} >= ${rnd.int(2, 5)}`, `${v} = ${rnd.int(1, 3)}`, `${v} in (1, 2, 3)`, `${v} != 0`]);
        case 'boolean': return `${v} = ${rnd.pick(['true', 'false'])}`;
        case 'timestamp': return `${v} > "2026-0${rnd.int(1, 9)}-01T00:00:00Z"`;
        case 'date': return `${v} >= "2026-0${rnd.int(1, 9)}-15"`;
        case 'url': return `${v} starts with "https://"`;
        case 'phone': return `${v} is not empty`;
        case 'list': return rnd.pick([`count(${v}) >= ${rnd.int(2, 4)}`, `${v} is not empty`, `${v}[0].price > ${rnd.int(5, 50)}`]);
        case 'stringList': return `${v} contains "${rnd.pick(['vip', 'beta', 'promo'])}"`;
        case 'record': return rnd.pick([`${v}.city = "${rnd.pick(stringValues.city)}"`, `${v}.country in ("FR", "BE", "DE")`]);
        case 'string': {
            const values = stringValues[v] ?? ['a', 'b', 'c'];
            return rnd.pick([
                `${v} = "${rnd.pick(values)}"`,
                `${v} in (${rnd.sample(values, Math.min(values.length, rnd.int(2, 3))).map(x => `"${x}"`).join(', ')})`,
                `${v} not in ("${rnd.pick(values)}")`,
                `${v} starts with "${rnd.pick(values).slice(0, 2)}"`,
                `${v} is not empty`,
            ]);
        }
        default: return undefined;
    }
}

/** 1 to 4 conjuncts, no field used twice, no contradicting engagement. */
function condition(e, rnd, { engagement = true, since = true } = {}) {
    const parts = [];
    if (engagement) {
        parts.push(rnd.pick(['not opened', 'not opened', 'opened', 'not clicked', `clicked link "${rnd.pick(linkNames)}"`, 'delivered and not opened', 'not bounced and not opened']));
    }
    const usable = e.fields.filter(f => f.name !== e.key && f.kind !== 'email');
    const chosen = rnd.sample(usable, rnd.int(0, 3));
    for (const f of chosen) {
        const c = comparisonFor(f, rnd);
        if (c) parts.push(c);
    }
    if (chosen.length >= 2 && rnd.chance(0.3)) {
        // Two comparisons as an alternative.
        const b = parts.pop();
        const a = parts.pop();
        parts.push(`(${a} or ${b})`);
    }
    if (since && e.related.length && rnd.chance(0.45)) parts.push(`not ${rnd.pick(e.related).name} since sent`);
    return parts;
}

function options(rnd) {
    const out = [];
    if (rnd.chance(0.7)) {
        out.push(rnd.pick([
            `schedule every day at ${String(rnd.int(6, 20)).padStart(2, '0')}:${rnd.pick(['00', '15', '30'])} in "${rnd.pick(zones)}"`,
            `schedule every ${rnd.int(1, 6)} hours`, 'schedule every hour', `schedule every ${rnd.int(10, 45)} minutes`,
            `schedule every week at 10:00 in "${rnd.pick(zones)}"`, 'schedule every day at 09:00',
        ]));
    }
    if (rnd.chance(0.5)) out.push(`expire ${rnd.int(1, 3)} ${rnd.pick(['days', 'hours'])}`);
    if (rnd.chance(0.35)) out.push(`lookback ${rnd.int(1, 7)} days`);
    if (rnd.chance(0.2)) out.push(`limit ${rnd.int(1, 3)} per recipient per ${rnd.int(1, 4)} weeks`);
    if (rnd.chance(0.15)) out.push(`quiet hours 22:00 to 0${rnd.int(6, 8)}:00 in "${rnd.pick(zones)}"`);
    return out;
}

// ---------------------------------------------------------------- rules

const ruleNameWords = ['Nudge', 'Chase', 'BigSpender', 'Winback', 'Loyal', 'Reengage', 'Upsell', 'Rescue', 'Followup', 'Check', 'Boost', 'Save'];

function buildRules(events, total, rnd) {
    const usedNames = new Set(events.map(e => e.name));
    const uniqueName = base => {
        let name = base;
        for (let i = 2; usedNames.has(name); i++) name = `${base}${i}`;
        usedNames.add(name);
        return name;
    };
    const perEvent = events.map((_, i) => Math.floor(total / events.length) + (i < total % events.length ? 1 : 0));
    events.forEach((e, i) => {
        const emailMessages = e.messages.filter(m => m.channel === 'email' && m.name !== 'transactional').map(m => m.name);
        const to = e.twoEmails ? ' to email' : '';
        const send = (message, channel) => `send ${message} ${channel}${channel === 'email' ? to : ''}`;
        for (let r = 0; r < perEvent[i]; r++) {
            const recipe = r < 5 ? r : rnd.int(2, 4);
            const rule = { event: e };
            if (recipe === 0) {
                // The mission sentence: a short form.
                rule.name = uniqueName(`${e.name}_reminder_email`);
                rule.short = rule.name === `${e.name}_reminder_email`;
                const days = rnd.int(1, 4);
                const head = `when ${e.name} sent ${days} days ago and not opened then ${send('reminder', 'email')}`;
                rule.text = rule.short ? head : `followup ${rule.name} {\n  ${head}\n}`;
            } else if (recipe === 1 && e.rules.length) {
                // Chained on an earlier rule of the same event.
                const base = e.rules[0];
                const lines = [`when ${base.name} sent ${rnd.int(2, 5)} days ago`, ...condition(e, rnd, { since: rnd.chance(0.5) })];
                if (rnd.chance(0.4) && !e.twoEmails && !usedNames.has(`${base.name}_lastChance_email`)) {
                    rule.name = `${base.name}_lastChance_email`;
                    usedNames.add(rule.name);
                    rule.text = `${lines.join(' and ')} then send lastChance email`;
                } else {
                    rule.name = uniqueName(`${e.name}${rnd.pick(ruleNameWords)}`);
                    rule.text = `followup ${rule.name} {\n  ${lines.join('\n   and ')}\n  then ${send('lastChance', 'email')}\n${options(rnd).map(o => `  ${o}\n`).join('')}}`;
                }
            } else if (recipe === 3 && e.hasPhone) {
                // An sms after an opened email.
                rule.name = uniqueName(`${e.name}Sms${rnd.pick(ruleNameWords)}`);
                const extra = condition(e, rnd, { engagement: false }).filter(c => !c.startsWith('phone'));
                const lines = [`when ${e.name} email sent ${rnd.int(1, 3)} days ago`, 'opened', 'phone is not empty', ...extra];
                rule.text = `followup ${rule.name} {\n  ${lines.join('\n   and ')}\n  then send reminder sms\n${options(rnd).map(o => `  ${o}\n`).join('')}}`;
            } else {
                // A long form with conditions and options, sometimes chained on any earlier rule of the event.
                rule.name = uniqueName(`${e.name}${rnd.pick(ruleNameWords)}`);
                const chainOn = e.rules.length && rnd.chance(0.25) ? rnd.pick(e.rules).name : undefined;
                const trigger = chainOn
                    ? `when ${chainOn} sent ${rnd.int(1, 7)} days ago`
                    : `when ${e.name}${rnd.chance(0.3) ? ' email' : ''} sent ${rnd.pick([`${rnd.int(1, 14)} days`, `${rnd.int(2, 48)} hours`, `${rnd.int(1, 3)} weeks`])} ago`;
                const lines = [trigger, ...condition(e, rnd)];
                rule.text = `followup ${rule.name} {\n  ${lines.join('\n   and ')}\n  then ${send(rnd.pick(emailMessages), 'email')}\n${options(rnd).map(o => `  ${o}\n`).join('')}}`;
            }
            e.rules.push(rule);
        }
    });
}

// ---------------------------------------------------------------- writing

export function generateProject(dir, options = {}) {
    const opts = { rules: 1000, events: 200, seed: 1, ...options };
    if (opts.events < 1 || opts.rules < 0) throw new Error('need at least one event');
    const { groups, events } = buildModel(opts);
    const files = new Map();
    const header = text => `// Generated by bench/generate-project.mjs (seed ${opts.seed}): ${text}\n\n`;
    for (const g of groups) {
        const evs = events.filter(e => e.group === g);
        const types = [
            `type ${g.line} { ${g.lineFields.map(f => `${f.name}: ${f.type}${f.optional ? '?' : ''}`).join('  ')} }`,
            `type ${g.address} { ${g.addressFields.map(f => `${f.name}: ${f.type}${f.optional ? '?' : ''}`).join('  ')} }`,
        ];
        const eventText = evs.map(e => {
            const body = [`  key ${e.key}`, ...e.fields.map(f => `  ${f.name}: ${f.type}${f.optional ? '?' : ''}`)];
            return `event ${e.name} {\n${body.join('\n')}\n}`;
        });
        files.set(`events/${g.slug}.followup`, header(`the ${g.slug} events`) + [...eventText, ...types].join('\n\n') + '\n');
        const messages = evs.flatMap(e => e.messages.map(m => renderMessage(e, m)));
        files.set(`messages/${g.slug}.followup`, header(`what the ${g.slug} events send`) + messages.join('\n\n') + '\n');
        for (const e of evs) {
            for (const m of e.messages) if (m.html?.file) files.set(`messages/${m.html.file}`, m.html.lines.join('\n') + '\n');
        }
    }
    // Rules: ~20 files; an event's rules mostly sit with its group, a third of them elsewhere.
    const rnd = new Random(opts.seed + 7);
    const ruleFiles = groups.map(() => []);
    for (const e of events) {
        for (const r of e.rules) ruleFiles[rnd.chance(0.33) ? rnd.int(0, groups.length - 1) : e.group.index].push(r.text);
    }
    ruleFiles.forEach((texts, i) => {
        files.set(`rules/${groups[i].slug}-rules.followup`, header('follow-up rules') + texts.join('\n\n') + '\n');
    });

    fs.mkdirSync(dir, { recursive: true });
    let lines = 0;
    let bytes = 0;
    let followupLines = 0;
    for (const [rel, text] of files) {
        const full = nodePath.join(dir, rel);
        fs.mkdirSync(nodePath.dirname(full), { recursive: true });
        fs.writeFileSync(full, text);
        const n = text.split('\n').length - 1;
        lines += n;
        bytes += Buffer.byteLength(text);
        if (rel.endsWith('.followup')) followupLines += n;
    }
    const ruleCount = events.reduce((s, e) => s + e.rules.length, 0);
    return {
        dir,
        files: files.size,
        followupFiles: [...files.keys()].filter(f => f.endsWith('.followup')).length,
        templateFiles: [...files.keys()].filter(f => f.endsWith('.html')).length,
        lines,
        followupLines,
        bytes,
        events: events.length,
        recordTypes: groups.length * 2,
        messages: events.reduce((s, e) => s + e.messages.length, 0),
        rules: ruleCount,
        shortRules: events.reduce((s, e) => s + e.rules.filter(r => !r.text.startsWith('followup ')).length, 0),
        chainedRules: events.reduce((s, e) => s + e.rules.filter(r => e.rules.some(o => o !== r && new RegExp(`^(followup \\w+ \\{\\s*)?when ${o.name} `).test(r.text))).length, 0),
    };
}

function main() {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { rules: { type: 'string' }, events: { type: 'string' }, seed: { type: 'string' } },
    });
    if (positionals.length !== 1) {
        process.stderr.write('Usage: node bench/generate-project.mjs <dir> [--rules 1000] [--events 200] [--seed 1]\n');
        process.exit(2);
    }
    const stats = generateProject(nodePath.resolve(positionals[0]), {
        ...(values.rules ? { rules: Number(values.rules) } : {}),
        ...(values.events ? { events: Number(values.events) } : {}),
        ...(values.seed ? { seed: Number(values.seed) } : {}),
    });
    process.stdout.write(`Wrote ${stats.dir}: ${stats.events} events, ${stats.recordTypes} record types, ${stats.messages} messages, ` +
        `${stats.rules} rules (${stats.shortRules} short, ${stats.chainedRules} chained) in ${stats.followupFiles} .followup files ` +
        `+ ${stats.templateFiles} template files, ${stats.lines} lines (${(stats.bytes / 1024).toFixed(0)} KiB)\n`);
}

if (process.argv[1] && nodePath.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
