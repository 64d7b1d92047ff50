// For `followup explain`: one event's trigger delivery for a rule, with each top-level condition
// evaluated on its own (and its evidence), the decision already taken, and the suppression.
// `$1` = the event id, `$2` = now.
import { conjuncts, describeCondition } from '../ir/describe-condition.js';
import type { ConditionIR, RuleIR } from '../ir/rule-ir.js';
import type { Dialect } from './dialect.js';
import type { RuleQuery } from './rule-queries.js';
import { RuleSql } from './rule-queries.js';

export interface ExplainedCondition {
    /** As the user would write it. */
    text: string;
    /** What evidence column `e<i>` holds: when the engagement was first tracked, the event since, or the value. */
    evidence: 'engagement-at' | 'since-event' | 'value' | 'none';
    /** True when the condition is `not <atom>`. */
    negated: boolean;
}

export interface ExplainQuery extends RuleQuery {
    /** Column `c<i>` (boolean) and `e<i>` (text) of each row hold condition i. */
    conditions: ExplainedCondition[];
}

function evidenceKind(c: ConditionIR): ExplainedCondition['evidence'] {
    const atom = c.kind === 'not' ? c.item : c;
    if (atom.kind === 'engagement') return 'engagement-at';
    if (atom.kind === 'since') return 'since-event';
    if (atom.kind === 'compare') return 'value';
    return 'none';
}

export function explainQuery(ir: RuleIR, dialect: Dialect): ExplainQuery {
    const q = new RuleSql(ir, dialect, [
        { index: 1, name: 'event_id', type: 'text' },
        { index: 2, name: 'now', type: 'timestamptz' },
    ]);
    const { params, now } = q;
    const parts = conjuncts(ir.condition);
    const columns = parts.map((c, i) => `${q.condition(c)} AS c${i}, ${q.evidence(c)} AS e${i}`);
    const suppressed = q.suppressed();
    const reason = q.suppressionReason();
    const delay = params.bind('delay', 'interval', `${ir.trigger.delay.minutes} minutes`);
    const expire = params.bind('expire', 'interval', `${ir.expire.minutes} minutes`);
    const rule = params.bind('rule', 'text', ir.rule);
    const sql = `
        SELECT d.id AS trigger_delivery_id, d.sent_at,
          d.sent_at + ${delay} AS due_at,
          d.sent_at + ${delay} + ${expire} AS expires_at,
          ${q.recipient} AS recipient,
          ${suppressed} AS suppressed, ${reason} AS suppression_reason,
          x.outcome AS decision, x.decided_at, x.followup_delivery_id, x.detail AS decision_detail,
          fd.status AS followup_status, fd.sent_at AS followup_sent_at,
          e.payload AS event, ${ir.profile ? 'p.payload' : dialect.typedNull('jsonb')} AS profile
          ${columns.length ? ',' + columns.join(',\n') : ''}
        ${q.from()}
        LEFT JOIN decisions x ON x.rule = ${rule} AND x.event_id = d.event_id
        LEFT JOIN deliveries fd ON fd.id = x.followup_delivery_id
        WHERE ${q.where([`d.event_id = ${params.ref(1)}`, `d.sent_at <= ${now}`], undefined)}
        ORDER BY d.sent_at, d.id
        LIMIT 1`;
    return {
        sql: dialect.compact(sql),
        parameters: params.specs,
        conditions: parts.map(c => ({ text: describeCondition(c), evidence: evidenceKind(c), negated: c.kind === 'not' })),
    };
}
