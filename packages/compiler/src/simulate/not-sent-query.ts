// For `followup simulate`: of the deliveries due in a run's window (w - D, now - D] and not yet
// decided, how many fail each top-level condition first — the reasons `followup explain` would give
// them one by one ("opened at ...", "purchase p5 since sent"), counted in one query per run. Built
// from the same pieces as the selection (RuleSql), so it sees exactly the deliveries the selection
// looks at; those that pass every condition are the ones the selection returns.
import { conjuncts, describeCondition } from '../ir/describe-condition.js';
import type { ConditionIR, RuleIR } from '../ir/rule-ir.js';
import type { Dialect } from '../sql/dialect.js';
import { RuleSql, type RuleQuery } from '../sql/rule-queries.js';

export interface NotSentReason {
    /** In explain's words, without the evidence: `opened`, `purchase since sent`, `cartTotal >= 100 does not hold`. */
    reason: string;
    /** A `since` condition: the follow-up was stopped by another event of the person. */
    since: boolean;
}

export interface NotSentQuery extends RuleQuery {
    /** Row `i` of the result (`first_failing = i`, `n`) counts deliveries that fail condition i first. */
    reasons: NotSentReason[];
}

/** `$1` = the watermark, `$2` = now, as for the selection. */
export function notSentQuery(ir: RuleIR, dialect: Dialect): NotSentQuery {
    const q = new RuleSql(ir, dialect, [
        { index: 1, name: 'watermark', type: 'timestamptz' },
        { index: 2, name: 'now', type: 'timestamptz' },
    ]);
    const { params, now } = q;
    const parts = conjuncts(ir.condition);
    const firstFailing = parts.length
        ? `CASE ${parts.map((c, i) => `WHEN NOT (${q.condition(c)}) THEN ${i}`).join(' ')} END`
        : 'NULL::int';
    const delay = params.bind('delay', 'interval', `${ir.trigger.delay.minutes} minutes`);
    const rule = params.bind('rule', 'text', ir.rule);
    const sql = `
        SELECT first_failing, count(*)::int AS n FROM (
          SELECT ${firstFailing} AS first_failing
          ${q.from()}
          WHERE ${q.where([
              `d.sent_at > ${params.ref(1)} - ${delay}`,
              `d.sent_at <= ${now} - ${delay}`,
              `NOT EXISTS (SELECT 1 FROM decisions x WHERE x.rule = ${rule} AND x.event_id = d.event_id)`,
          ], undefined)}
        ) due
        WHERE first_failing IS NOT NULL
        GROUP BY first_failing`;
    return { sql: dialect.compact(sql), parameters: params.specs, reasons: parts.map(reasonOf) };
}

function reasonOf(c: ConditionIR): NotSentReason {
    const atom = c.kind === 'not' ? c.item : c;
    const negated = c.kind === 'not';
    if (atom.kind === 'engagement') {
        const what = describeCondition(atom).replace(/ link ".*"$/, '');
        return { reason: negated ? what : `not ${what}`, since: false };
    }
    if (atom.kind === 'since') return { reason: negated ? `${atom.event} since sent` : `no ${atom.event} since sent`, since: true };
    return { reason: `${describeCondition(c)} does not hold`, since: false };
}
