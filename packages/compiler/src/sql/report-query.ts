// The report of a rule (docs/measuring.md, `followup report`): what it decided in [from, to), what its
// follow-ups became (delivered, opened by a person, clicked) and, with a goal, who converted: an event of
// the goal's type related to the rule's event as `since` relates them (or `with same`), in
// (t, t + within], where t is when the follow-up was sent (for the held out: when it would have been,
// `decisions.detail.measuredFrom`). Conversion rates count only the decisions whose goal window has
// closed by `now` ("measured"); the others are still being measured.
//
// Two queries, both `$1` = from, `$2` = to, `$3` = now, then the rule's values:
//  - totals: one row of counts for the rule;
//  - daily: per UTC day, follow-ups sent and people held out (by the day measured from) and conversions
//    of each group (by the day of the first goal event).
import type { RuleIR } from '../ir/rule-ir.js';
import type { Dialect } from './dialect.js';
import { ParameterList, type ParameterSpec } from './parameters.js';
import { matchSides, type RuleQuery } from './rule-queries.js';

export interface ReportQueries {
    totals: RuleQuery;
    daily: RuleQuery;
}

const reportRuntime: Omit<ParameterSpec, 'value'>[] = [
    { index: 1, name: 'from', type: 'timestamptz' },
    { index: 2, name: 'to', type: 'timestamptz' },
    { index: 3, name: 'now', type: 'timestamptz' },
];

/** The columns of the totals row, as the runtime reads them (counts are int, values float8 or null). */
export interface ReportTotalsRow {
    selected: number;
    /** Decided `send` (the treated group, whatever became of the send). */
    treated: number;
    /** Of those, follow-ups a transport accepted (delivery status `sent`). */
    sent: number;
    held_out: number;
    delivered: number;
    opened: number;
    clicked: number;
    /** Treated / held out whose goal window closed by now, and how many of them converted. Null without a goal. */
    treated_measured: number | null;
    treated_converted: number | null;
    treated_value: number | null;
    held_out_measured: number | null;
    held_out_converted: number | null;
    held_out_value: number | null;
}

export interface ReportDailyRow {
    /** `YYYY-MM-DD` (UTC). */
    day: string;
    sent: number;
    held_out: number;
    converted_sent: number;
    converted_held_out: number;
}

class ReportSql {
    readonly params: ParameterList;
    readonly from: string;
    readonly to: string;
    readonly now: string;

    constructor(readonly ir: RuleIR, readonly dialect: Dialect) {
        this.params = new ParameterList(dialect, reportRuntime);
        [this.from, this.to, this.now] = [1, 2, 3].map(i => this.params.ref(i)) as [string, string, string];
    }

    /** The rule event's side of the goal's match (`k0`, `k1`, ... in `decided`) and the goal event's. */
    private sides() {
        return this.ir.goal ? matchSides(this.dialect, this.ir.goal.match, 'g.payload', 'e.payload') : [];
    }

    /**
     * Every decision of the rule in [from, to) as of now, with the instant its goal is measured from and
     * the values its goal events are matched on (not the whole payload: this is materialised).
     */
    decided(): string {
        const rule = this.params.bind('rule', 'text', this.ir.rule);
        const keys = this.sides().map((s, i) => `${s.own} AS k${i}`);
        return `decided AS (
            SELECT x.event_id, x.outcome, x.followup_delivery_id AS followup_id, fd.status AS followup_status${keys.map(k => `, ${k}`).join('')},
              CASE WHEN x.outcome = 'held_out' THEN (x.detail ->> 'measuredFrom')::timestamptz ELSE fd.sent_at END AS measured_from
            FROM decisions x
            JOIN events e ON e.id = x.event_id
            LEFT JOIN deliveries fd ON fd.id = x.followup_delivery_id
            WHERE x.rule = ${rule} AND x.decided_at >= ${this.from} AND x.decided_at < ${this.to} AND x.decided_at <= ${this.now})`;
    }

    /** Per decision that converted: its first goal event and the sum of the goal values in its window. */
    converted(): string | undefined {
        const goal = this.ir.goal;
        if (!goal) return undefined;
        const { dialect, params } = this;
        const type = params.bind('goal_event', 'text', goal.event);
        const within = this.within();
        const value = goal.value ? dialect.jsonAs('g.payload', [goal.value], 'number') : 'NULL::numeric';
        // The join on the match is an equality of expressions: hashed, so a million decisions cost one
        // pass over the goal events, not one index probe each.
        return `converted AS (
            SELECT c.event_id, min(g.occurred_at) AS first_at, sum(${value}) AS value
            FROM decided c
            JOIN events g ON g.type = ${type} AND ${this.sides().map((s, i) => `${s.other} = c.k${i}`).join(' AND ')}
              AND g.occurred_at > c.measured_from AND g.occurred_at <= c.measured_from + ${within}
              AND g.occurred_at <= ${this.now} AND g.id <> c.event_id
            WHERE c.outcome IN ('send', 'held_out')
            GROUP BY c.event_id)`;
    }

    within(): string {
        return this.params.bind('within', 'interval', `${this.ir.goal!.within.minutes} minutes`);
    }
}

export function buildReportQueries(ir: RuleIR, dialect: Dialect): ReportQueries {
    return { totals: totalsQuery(ir, dialect), daily: dailyQuery(ir, dialect) };
}

function totalsQuery(ir: RuleIR, dialect: Dialect): RuleQuery {
    const q = new ReportSql(ir, dialect);
    const decided = q.decided();
    const converted = q.converted();
    const group = (outcome: string) => {
        if (!converted) return ['measured', 'converted', 'value'].map(c => `NULL::int AS ${outcome}_${c}`).join(', ');
        const measured = `c.outcome = '${outcome === 'treated' ? 'send' : 'held_out'}' AND c.measured_from + ${q.within()} <= ${q.now}`;
        return `count(*) FILTER (WHERE ${measured})::int AS ${outcome}_measured,
            count(cv.event_id) FILTER (WHERE ${measured})::int AS ${outcome}_converted,
            (coalesce(sum(cv.value) FILTER (WHERE ${measured}), 0))::float8 AS ${outcome}_value`;
    };
    const sql = `
        WITH ${decided},
        engaged AS (
            SELECT t.delivery_id,
              bool_or(t.kind = 'delivered') AS delivered,
              bool_or(t.kind = 'click' OR (t.kind = 'open' AND NOT t.machine)) AS opened,
              bool_or(t.kind = 'click') AS clicked
            FROM tracking t JOIN decided c ON t.delivery_id = c.followup_id
            WHERE t.at <= ${q.now}
            GROUP BY t.delivery_id)
        ${converted ? `, ${converted}` : ''}
        SELECT count(*)::int AS selected,
          count(*) FILTER (WHERE c.outcome = 'send')::int AS treated,
          count(*) FILTER (WHERE c.outcome = 'send' AND c.followup_status = 'sent')::int AS sent,
          count(*) FILTER (WHERE c.outcome = 'held_out')::int AS held_out,
          count(*) FILTER (WHERE en.delivered)::int AS delivered,
          count(*) FILTER (WHERE en.opened)::int AS opened,
          count(*) FILTER (WHERE en.clicked)::int AS clicked,
          ${group('treated')},
          ${group('held_out')}
        FROM decided c
        LEFT JOIN engaged en ON en.delivery_id = c.followup_id
        ${converted ? 'LEFT JOIN converted cv ON cv.event_id = c.event_id' : ''}`;
    return { sql: dialect.compact(sql), parameters: q.params.specs };
}

function dailyQuery(ir: RuleIR, dialect: Dialect): RuleQuery {
    const q = new ReportSql(ir, dialect);
    const decided = q.decided();
    const converted = q.converted();
    const conversions = converted
        ? `UNION ALL
           SELECT ${dialect.utcDay('cv.first_at')}, 0, 0, (c.outcome = 'send')::int, (c.outcome = 'held_out')::int
           FROM converted cv JOIN decided c ON c.event_id = cv.event_id`
        : '';
    const sql = `
        WITH ${decided}
        ${converted ? `, ${converted}` : ''}
        SELECT day::text AS day, sum(sent)::int AS sent, sum(held_out)::int AS held_out,
          sum(converted_sent)::int AS converted_sent, sum(converted_held_out)::int AS converted_held_out
        FROM (
          SELECT ${dialect.utcDay('c.measured_from')} AS day, (c.outcome = 'send')::int AS sent, (c.outcome = 'held_out')::int AS held_out,
            0 AS converted_sent, 0 AS converted_held_out
          FROM decided c WHERE c.outcome IN ('send', 'held_out')
          ${conversions}
        ) days
        GROUP BY day ORDER BY day`;
    return { sql: dialect.compact(sql), parameters: q.params.specs };
}
