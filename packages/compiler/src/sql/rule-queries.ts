// IR → the two queries the runtime runs for a rule:
//  - selection: who is due in the window (w - D, now - D];
//  - recheck: which of some events still qualify right before sending, and which recipients are
//    suppressed (docs/language.md §4): suppression is checked only there, for the rows that would send.
// Each lists its own parameters; both bind the rule's values in the same order.
import type { ConditionIR, LiteralIR, OperandIR, RuleIR, SinceMatchIR } from '../ir/rule-ir.js';
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
    // A click proves the open even when images were blocked (docs/language.md §4).
    opened: ['open', 'click'],
    clicked: ['click'],
    bounced: ['bounce'],
};

export function buildRuleQueries(ir: RuleIR, dialect: Dialect): RuleQueries {
    return { selection: selectionQuery(ir, dialect), recheck: recheckQuery(ir, dialect) };
}

/**
 * The pieces every query of a rule is made of: which deliveries trigger it, its conditions, the
 * recipient and their suppression, all as SQL over `deliveries d JOIN events e [LEFT JOIN profiles p]`.
 * Values are bound in the order the pieces are built, so build them in the same order for every query.
 */
export class RuleSql {
    readonly params: ParameterList;
    readonly now: string;
    /** The recipient as the store keeps addresses (trimmed; emails lower-cased). */
    readonly recipient: string;
    /** The recipient as the payload has it: the selection returns this and the runtime normalises it. */
    readonly recipientRaw: string;
    readonly triggerFilters: string[];
    private channelRef: string | undefined;

    constructor(readonly ir: RuleIR, readonly dialect: Dialect, runtime: Omit<ParameterSpec, 'value'>[]) {
        this.params = new ParameterList(dialect, runtime);
        this.now = this.params.ref(2);
        this.recipientRaw = dialect.jsonText(this.base(ir.recipient.source), ir.recipient.path);
        this.recipient = ir.recipient.normalise === 'email' ? dialect.normaliseEmail(this.recipientRaw) : dialect.trimBlanks(this.recipientRaw);
        this.triggerFilters = this.buildTriggerFilters();
    }

    /** The rule's channel, bound where a query first needs it (a parameter no query reads has no type). */
    private get channelParam(): string {
        return (this.channelRef ??= this.params.bind('channel', 'text', this.ir.channel));
    }

    base(source: 'event' | 'profile'): string {
        return source === 'event' ? 'e.payload' : 'p.payload';
    }

    /** Which deliveries trigger the rule: an event's original delivery, or a chained rule's delivery. */
    private buildTriggerFilters(): string[] {
        const { ir, params } = this;
        const filters: string[] = [`d.status = 'sent'`];
        if (ir.trigger.kind === 'event') {
            filters.push('d.rule IS NULL', `e.type = ${params.bind('event_type', 'text', ir.trigger.name)}`);
            const channelFilter = ir.trigger.channel ? params.bind('trigger_channel', 'text', ir.trigger.channel) : undefined;
            // The original delivery is the event's earliest sent one that no rule made (of the channel,
            // when the trigger names one): flags the store keeps on each delivery (schema v9). A
            // subquery per candidate would find the same row but keep PostgreSQL 15 from a parallel plan.
            filters.push(...(channelFilter ? [`d.channel = ${channelFilter}`, 'd.first_of_channel'] : ['d.first_original']));
        } else {
            filters.push(`d.rule = ${params.bind('trigger_rule', 'text', ir.trigger.name)}`);
            if (ir.trigger.channel) filters.push(`d.channel = ${params.bind('trigger_channel', 'text', ir.trigger.channel)}`);
        }
        return filters;
    }

    /** `probes`: the lateral joins of `conditionWithProbes`, when the query uses them. */
    from(probes: string[] = []): string {
        // The profile as it was at now: its latest version at or before it (docs/language.md §5).
        const profileJoin = this.ir.profile
            ? `LEFT JOIN LATERAL (
                SELECT pv.payload FROM profiles pv
                WHERE pv.key = ${this.dialect.jsonText('e.payload', [this.ir.profile.keyField])} AND pv.updated_at <= ${this.now}
                ORDER BY pv.updated_at DESC LIMIT 1) p ON true`
            : '';
        return [`FROM deliveries d JOIN events e ON e.id = d.event_id`, profileJoin, ...probes].filter(Boolean).join(' ');
    }

    /**
     * The condition as the selection and the recheck run it: a `since` on the rule's own event type
     * that is one of its top-level conjuncts (`[not] purchase since sent` on a purchase's delivery)
     * becomes a lateral probe, `LEFT JOIN LATERAL (SELECT 1 ... LIMIT 1) ON true`, tested as `hit IS
     * [NOT] NULL`: at most one row per delivery, so the same answer as `[NOT] EXISTS`. Why: that
     * probe must skip the trigger's own event (`s.id <> d.event_id`), and with that clause PostgreSQL
     * made the NOT EXISTS an anti-join whose index range is bounded by the person and by now but not
     * by the delivery's sent_at (a join filter): every probe read the person's whole history, 13–17×
     * the expert's time with 400 days of it (bench/since-repeat.mjs). As a lateral subquery both bounds are
     * its parameters. Another event type needs no such clause, and its EXISTS keeps the bound and a
     * parallel plan; PostgreSQL runs no subquery with a LIMIT in a parallel worker, so a lateral probe
     * runs in the leader. A `since` inside `or` keeps its EXISTS: there a subplan runs only when the
     * other branch leaves the answer open. Values are bound in the order of `condition`.
     */
    conditionWithProbes(c: ConditionIR | null | undefined): { probes: string[]; condition: string | undefined } {
        if (!c) return { probes: [], condition: undefined };
        const probes: string[] = [];
        const probe = (since: Extract<ConditionIR, { kind: 'since' }>, negated: boolean) => {
            const alias = `since${probes.length}`;
            probes.push(`LEFT JOIN LATERAL (SELECT 1 AS hit FROM events s WHERE ${this.sinceWhere(since)} LIMIT 1) ${alias} ON true`);
            return `${alias}.hit IS ${negated ? '' : 'NOT '}NULL`;
        };
        const ownType = (item: ConditionIR): item is Extract<ConditionIR, { kind: 'since' }> => item.kind === 'since' && item.event === this.ir.event;
        const conjunct = (item: ConditionIR): string =>
            ownType(item) ? probe(item, false)
                : item.kind === 'not' && ownType(item.item) ? probe(item.item, true)
                    : this.condition(item);
        const condition = c.kind === 'and' ? `(${c.items.map(conjunct).join(' AND ')})` : conjunct(c);
        return { probes, condition };
    }

    suppressed(): string {
        return `EXISTS (
            SELECT 1 FROM suppressions sp
            WHERE sp.channel = ${this.channelParam} AND sp.address = ${this.recipient} AND sp.at <= ${this.now})`;
    }

    /** Why the recipient is suppressed (the earliest reason), for explanations. */
    suppressionReason(): string {
        return `(SELECT sp.reason FROM suppressions sp
            WHERE sp.channel = ${this.channelParam} AND sp.address = ${this.recipient} AND sp.at <= ${this.now}
            ORDER BY sp.at LIMIT 1)`;
    }

    operand(operand: OperandIR): string {
        const { dialect } = this;
        if (operand.kind === 'count') return dialect.jsonArrayLength(dialect.jsonValue(this.base(operand.source), operand.path));
        if (operand.type === 'list') return dialect.jsonValue(this.base(operand.source), operand.path);
        return dialect.jsonAs(this.base(operand.source), operand.path, operand.type);
    }

    /** The operand's value as text, for explanations. */
    operandText(operand: OperandIR): string {
        const { dialect } = this;
        if (operand.kind === 'count') return dialect.castText(this.operand(operand));
        if (operand.type === 'list') return dialect.castText(dialect.jsonValue(this.base(operand.source), operand.path));
        return dialect.jsonText(this.base(operand.source), operand.path);
    }

    private valueType(operand: OperandIR): SqlParamType {
        return operand.kind === 'count' ? 'numeric' : operand.type === 'list' ? 'jsonb' : this.dialect.paramTypeOf(operand.type);
    }

    private compare(c: Extract<ConditionIR, { kind: 'compare' }>): string {
        const { dialect, params } = this;
        const left = this.operand(c.operand);
        const literal = (l: LiteralIR) => params.bind('value', this.valueType(c.operand), l.value);
        // A boolean field is compared as JSON (`true` is not the string "true"): the literal is bound as
        // JSON already, not converted per row (to_jsonb($n) was evaluated for every candidate).
        const jsonLiteral = (l: LiteralIR) => params.bind('value', 'jsonb', JSON.stringify(l.value));
        switch (c.op) {
            case '=': case '<': case '<=': case '>': case '>=':
                if (c.op === '=' && this.isBoolean(c.operand)) return `coalesce(${this.booleanJson(c.operand)} = ${jsonLiteral(c.values[0]!)}, false)`;
                return `coalesce(${left} ${c.op} ${literal(c.values[0]!)}, false)`;
            case '!=':
                // A missing value is different from any value.
                if (this.isBoolean(c.operand)) return dialect.distinctFrom(this.booleanJson(c.operand), jsonLiteral(c.values[0]!));
                return dialect.distinctFrom(left, literal(c.values[0]!));
            case 'in':
            case 'not in': {
                const type = `${this.valueType(c.operand)}[]` as SqlParamType;
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
                    : `coalesce(${dialect.jsonText(this.base(c.operand.source), c.operand.path)}, '') = ''`;
                return c.op === 'is empty' ? `(${empty})` : `NOT (${empty})`;
            }
        }
    }

    private isBoolean(operand: OperandIR): operand is Extract<OperandIR, { kind: 'field' }> {
        return operand.kind === 'field' && operand.type === 'boolean';
    }

    /**
     * A boolean field is compared as its JSON value with a JSON boolean: the same as comparing the
     * guarded cast (a string, a null or a missing field equals neither), without a type test per row.
     */
    private booleanJson(operand: Extract<OperandIR, { kind: 'field' }>): string {
        return this.dialect.jsonValue(this.base(operand.source), operand.path);
    }

    private trackingWhere(c: Extract<ConditionIR, { kind: 'engagement' }>): string {
        const kinds = engagementKinds[c.what]!.map(k => `'${k}'`).join(', ');
        const link = c.link !== undefined ? this.params.bind('link', 'text', c.link) : undefined;
        // By a person: an open by a privacy proxy (flagged machine) is not one; a click always is.
        const person = c.byPerson ? `AND (t.kind = 'click' OR NOT t.machine)` : '';
        return `t.delivery_id = d.id AND t.kind IN (${kinds}) AND t.at <= ${this.now}
            ${link ? `AND (t.link = ${link} OR ${this.dialect.textContains('t.url', link)})` : ''} ${person}`;
    }

    private sinceWhere(c: Extract<ConditionIR, { kind: 'since' }>): string {
        const equal = matchEquality(this.dialect, c.match, 's.payload', 'e.payload');
        // "Since" is about the person's other events: never the trigger's own event, even when it is
        // stamped after its own delivery (two clocks). Only an event of the rule's type can be it (the
        // trigger's event is of that type); elsewhere the clause is always true, and costs the plan
        // its bound on sent_at (conditionWithProbes).
        const notOwn = c.event === this.ir.event ? 'AND s.id <> d.event_id' : '';
        return `s.type = ${this.params.bind('since_event', 'text', c.event)}
            AND s.occurred_at > d.sent_at AND s.occurred_at <= ${this.now} ${notOwn}
            AND ${equal.join(' AND ')}`;
    }

    condition(c: ConditionIR): string {
        switch (c.kind) {
            case 'and': return `(${c.items.map(i => this.condition(i)).join(' AND ')})`;
            case 'or': return `(${c.items.map(i => this.condition(i)).join(' OR ')})`;
            case 'not': return `NOT ${this.condition(c.item)}`;
            case 'engagement': return `EXISTS (SELECT 1 FROM tracking t WHERE ${this.trackingWhere(c)})`;
            case 'since': return `EXISTS (SELECT 1 FROM events s WHERE ${this.sinceWhere(c)})`;
            case 'compare': return this.compare(c);
        }
    }

    /**
     * Evidence for an explanation of a condition (its `not` looked through): when the engagement was
     * first tracked, which event happened since, or the value compared. Null for and/or.
     */
    evidence(c: ConditionIR): string {
        const atom = c.kind === 'not' ? c.item : c;
        switch (atom.kind) {
            case 'engagement': return `(SELECT ${this.dialect.castText('min(t.at)')} FROM tracking t WHERE ${this.trackingWhere(atom)})`;
            case 'since': return `(SELECT s.id FROM events s WHERE ${this.sinceWhere(atom)} ORDER BY s.occurred_at, s.id LIMIT 1)`;
            case 'compare': return this.operandText(atom.operand);
            default: return this.dialect.typedNull('text');
        }
    }

    where(first: string[], condition: string | undefined): string {
        return [...first, ...this.triggerFilters, ...(condition ? [condition] : [])].join('\n AND ');
    }
}

/**
 * `other` (another event's payload) relates to `own` (the rule event's) as `match` says: each pair of
 * fields equal, as text (emails trimmed and lower-cased). For `since` conditions and goals alike.
 */
export function matchEquality(dialect: Dialect, match: SinceMatchIR, other: string, own: string): string[] {
    return matchSides(dialect, match, other, own).map(({ other: a, own: b }) => `${a} = ${b}`);
}

/** The pairs of expressions `matchEquality` compares: the other event's side and the rule event's. */
export function matchSides(dialect: Dialect, match: SinceMatchIR, other: string, own: string): { other: string; own: string }[] {
    return match.on.map(({ field, otherField, normalise }) => {
        const norm = (expr: string) => (normalise === 'email' ? dialect.normaliseEmail(expr) : expr);
        return { other: norm(dialect.jsonText(other, [otherField])), own: norm(dialect.jsonText(own, [field])) };
    });
}

function selectionQuery(ir: RuleIR, dialect: Dialect): RuleQuery {
    const q = new RuleSql(ir, dialect, selectionRuntime);
    const { params, now } = q;
    const { probes, condition } = q.conditionWithProbes(ir.condition);
    const delay = params.bind('delay', 'interval', `${ir.trigger.delay.minutes} minutes`);
    const rule = params.bind('rule', 'text', ir.rule);
    // Only what the database must find: when each row became due and whether it expired follow from
    // sent_at and the plan's delay and expire, and the runtime normalises the recipient and orders the
    // rows (selectDue), so the workers of a parallel plan stream rows without a sort and a merge.
    const sql = `
        SELECT d.id AS trigger_delivery_id, d.event_id, d.sent_at,
          ${q.recipientRaw} AS recipient,
          e.payload AS event,
          ${ir.profile ? 'p.payload' : dialect.typedNull('jsonb')} AS profile
        ${q.from(probes)}
        WHERE ${q.where([
            `d.sent_at > ${params.ref(1)} - ${delay}`,
            `d.sent_at <= ${now} - ${delay}`,
            `NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = ${rule} AND x.event_id = d.event_id)`,
        ], condition)}`;
    return { sql: dialect.compact(sql), parameters: params.specs };
}

function recheckQuery(ir: RuleIR, dialect: Dialect): RuleQuery {
    const q = new RuleSql(ir, dialect, recheckRuntime);
    const { probes, condition } = q.conditionWithProbes(ir.condition);
    const sql = `
        SELECT d.event_id, ${q.suppressed()} AS suppressed
        ${q.from(probes)}
        WHERE ${q.where([`d.event_id = ANY (${q.params.ref(1)})`], condition)}`;
    return { sql: dialect.compact(sql), parameters: q.params.specs };
}
