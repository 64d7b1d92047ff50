// IR → the two queries the runtime runs for a rule:
//  - selection: who is due in the window (w - D, now - D], with the expired and suppressed flags;
//  - recheck: which of some events still qualify right before sending (LANGUAGE.md §4).
// Both share every bound value from $3 on, so the runtime binds one list of values.
import type { ConditionIR, LiteralIR, OperandIR, RuleIR } from '../ir/rule-ir.js';
import type { Dialect, SqlParamType } from './dialect.js';
import { ParameterList, type ParameterSpec } from './parameters.js';

export interface RuleQuery {
    sql: string;
    /** Every parameter the query binds: `$1`, `$2` supplied by the runtime, then the rule's values. */
    parameters: ParameterSpec[];
}

export interface RuleQueries {
    selection: RuleQuery;
    recheck: RuleQuery;
}

const selectionRuntime: Omit<ParameterSpec, 'value'>[] = [
    { index: 1, name: 'watermark', type: 'timestamptz' },
    { index: 2, name: 'now', type: 'timestamptz' },
];
const recheckRuntime: Omit<ParameterSpec, 'value'>[] = [
    { index: 1, name: 'event_ids', type: 'text[]' },
    { index: 2, name: 'now', type: 'timestamptz' },
];

const engagementKinds: Record<string, string[]> = {
    delivered: ['delivered'],
    // A click proves the open even when images were blocked (LANGUAGE.md §4).
    opened: ['open', 'click'],
    clicked: ['click'],
    bounced: ['bounce'],
};

export function buildRuleQueries(ir: RuleIR, dialect: Dialect): RuleQueries {
    return { selection: buildRuleQuery(ir, dialect, 'selection'), recheck: buildRuleQuery(ir, dialect, 'recheck') };
}

function buildRuleQuery(ir: RuleIR, dialect: Dialect, mode: 'selection' | 'recheck'): RuleQuery {
    const params = new ParameterList(dialect, mode === 'selection' ? selectionRuntime : recheckRuntime);
    const now = params.ref(2);
    const base = (source: 'event' | 'profile') => (source === 'event' ? 'e.payload' : 'p.payload');

    const channelParam = params.bind('channel', 'text', ir.channel);
    const recipientRaw = dialect.jsonText(base(ir.recipient.source), ir.recipient.path);
    const recipient = ir.recipient.normalise === 'email' ? dialect.normaliseEmail(recipientRaw) : `btrim(${recipientRaw})`;

    // Which deliveries trigger the rule: an event's original delivery, or a chained rule's delivery.
    const triggerFilters: string[] = [`d.status = 'sent'`];
    if (ir.trigger.kind === 'event') {
        triggerFilters.push('d.rule IS NULL', `e.type = ${params.bind('event_type', 'text', ir.trigger.name)}`);
        const channelFilter = ir.trigger.channel ? params.bind('trigger_channel', 'text', ir.trigger.channel) : undefined;
        if (channelFilter) triggerFilters.push(`d.channel = ${channelFilter}`);
        // The original delivery is the event's earliest sent one that no rule made.
        triggerFilters.push(`NOT EXISTS (
            SELECT 1 FROM deliveries o
            WHERE o.event_id = d.event_id AND o.status = 'sent' AND o.rule IS NULL
              ${channelFilter ? `AND o.channel = ${channelFilter}` : ''}
              AND (o.sent_at < d.sent_at OR (o.sent_at = d.sent_at AND o.id < d.id)))`);
    } else {
        triggerFilters.push(`d.rule = ${params.bind('trigger_rule', 'text', ir.trigger.name)}`);
        if (ir.trigger.channel) triggerFilters.push(`d.channel = ${params.bind('trigger_channel', 'text', ir.trigger.channel)}`);
    }

    const operandSql = (operand: OperandIR): string => {
        if (operand.kind === 'count') return dialect.jsonArrayLength(dialect.jsonValue(base(operand.source), operand.path));
        if (operand.type === 'list') return dialect.jsonValue(base(operand.source), operand.path);
        return dialect.cast(dialect.jsonText(base(operand.source), operand.path), operand.type);
    };
    const valueType = (operand: OperandIR): SqlParamType =>
        operand.kind === 'count' ? 'numeric' : operand.type === 'list' ? 'jsonb' : dialect.paramTypeOf(operand.type);
    const bindLiteral = (operand: OperandIR, literal: LiteralIR) => params.bind('value', valueType(operand), literal.value);

    const compareSql = (c: Extract<ConditionIR, { kind: 'compare' }>): string => {
        const left = operandSql(c.operand);
        switch (c.op) {
            case '=': case '<': case '<=': case '>': case '>=':
                return `coalesce(${left} ${c.op} ${bindLiteral(c.operand, c.values[0]!)}, false)`;
            case '!=':
                // A missing value is different from any value.
                return dialect.distinctFrom(left, bindLiteral(c.operand, c.values[0]!));
            case 'in':
            case 'not in': {
                const type = `${valueType(c.operand)}[]` as SqlParamType;
                const list = params.bind('values', type, c.values.map(v => v.value) as string[] | number[] | boolean[]);
                const any = `coalesce(${dialect.equalsAny(left, list)}, false)`;
                return c.op === 'in' ? any : `NOT ${any}`;
            }
            case 'contains':
                if (c.operand.kind === 'field' && c.operand.type === 'list') {
                    return `coalesce(${dialect.jsonArrayContains(left, params.bind('value', 'jsonb', JSON.stringify([c.values[0]!.value])))}, false)`;
                }
                return `coalesce(${dialect.textContains(left, params.bind('value', 'text', String(c.values[0]!.value)))}, false)`;
            case 'starts with':
                return `coalesce(${dialect.textStartsWith(left, params.bind('value', 'text', String(c.values[0]!.value)))}, false)`;
            case 'is empty':
            case 'is not empty': {
                const empty = c.operand.kind === 'field' && c.operand.type === 'list'
                    ? `${dialect.jsonArrayLength(left)} = 0`
                    : `coalesce(${dialect.jsonText(base(c.operand.source), c.operand.path)}, '') = ''`;
                return c.op === 'is empty' ? `(${empty})` : `NOT (${empty})`;
            }
        }
    };

    const conditionSql = (c: ConditionIR): string => {
        switch (c.kind) {
            case 'and': return `(${c.items.map(conditionSql).join(' AND ')})`;
            case 'or': return `(${c.items.map(conditionSql).join(' OR ')})`;
            case 'not': return `NOT ${conditionSql(c.item)}`;
            case 'engagement': {
                const kinds = engagementKinds[c.what]!.map(k => `'${k}'`).join(', ');
                const link = c.link !== undefined ? params.bind('link', 'text', c.link) : undefined;
                return `EXISTS (
                    SELECT 1 FROM tracking t
                    WHERE t.delivery_id = d.id AND t.kind IN (${kinds}) AND t.at <= ${now}
                    ${link ? `AND (t.link = ${link} OR strpos(t.url, ${link}) > 0)` : ''})`;
            }
            case 'since': {
                const norm = (expr: string) => (c.match.normalise === 'email' ? dialect.normaliseEmail(expr) : expr);
                return `EXISTS (
                    SELECT 1 FROM events s
                    WHERE s.type = ${params.bind('since_event', 'text', c.event)}
                      AND s.occurred_at > d.sent_at AND s.occurred_at <= ${now}
                      AND ${norm(dialect.jsonText('s.payload', [c.match.otherField]))} = ${norm(dialect.jsonText('e.payload', [c.match.field]))})`;
            }
            case 'compare': return compareSql(c);
        }
    };

    const condition = ir.condition ? conditionSql(ir.condition) : undefined;
    const suppressed = `EXISTS (
        SELECT 1 FROM suppressions sp
        WHERE sp.channel = ${channelParam} AND sp.address = ${recipient} AND sp.at <= ${now})`;
    const profileJoin = ir.profile
        ? `LEFT JOIN profiles p ON p.key = ${dialect.jsonText('e.payload', [ir.profile.keyField])}`
        : '';
    const from = `FROM deliveries d JOIN events e ON e.id = d.event_id ${profileJoin}`;
    const where = (first: string[]) => [...first, ...triggerFilters, ...(condition ? [condition] : [])].join('\n AND ');

    if (mode === 'recheck') {
        const sql = `
            SELECT d.event_id, ${suppressed} AS suppressed
            ${from}
            WHERE ${where([`d.event_id = ANY (${params.ref(1)})`])}`;
        return { sql: dialect.format(sql), parameters: params.specs };
    }
    const delay = params.bind('delay', 'interval', `${ir.trigger.delay.minutes} minutes`);
    const expire = params.bind('expire', 'interval', `${ir.expire.minutes} minutes`);
    const ruleParam = params.bind('rule', 'text', ir.rule);
    const sql = `
        SELECT d.id AS trigger_delivery_id, d.event_id, d.sent_at,
          d.sent_at + ${delay} AS due_at,
          d.sent_at + ${delay} + ${expire} < ${now} AS expired,
          ${suppressed} AS suppressed,
          ${recipient} AS recipient,
          e.payload AS event,
          ${ir.profile ? 'p.payload' : 'NULL::jsonb'} AS profile
        ${from}
        WHERE ${where([
            `d.sent_at > ${params.ref(1)} - ${delay}`,
            `d.sent_at <= ${now} - ${delay}`,
            `NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = ${ruleParam} AND x.event_id = d.event_id)`,
        ])}
        ORDER BY d.sent_at, d.id`;
    return { sql: dialect.format(sql), parameters: params.specs };
}
