// Completion in a goal (docs/measuring.md): after `goal`, the events (a conversion), not "<event> since
// sent"; after `value`, the goal event's numbers only (revenue is their sum); `holdout` offered with a share.
import type { AstNodeDescription, ReferenceInfo, Stream } from 'langium';
import type { CompletionValueItem } from 'langium/lsp';
import { isNumeric, typeToString } from '@followup/template';
import { isEvent, isField, isGoal } from '../../generated/ast.js';
import { fieldView } from '../../model/schema.js';

export const measuringPhrases = {
    holdout: { rule: 'Holdout', text: 'holdout 10%', detail: 'holdout N%: that share of the people the rule would send to is held out (decided, never sent) and measured against the goal' },
    goal: { rule: 'Goal', text: 'goal', detail: 'goal <event> within <duration> [value <field>]: what counts as a conversion, measured by followup report' },
} as const;

/** The goal's `value` candidates: numeric fields only. Other references are left as they are. */
export function goalCandidates(refInfo: ReferenceInfo, candidates: Stream<AstNodeDescription>): Stream<AstNodeDescription> {
    if (!isGoal(refInfo.container) || refInfo.property !== 'value') return candidates;
    return candidates.filter(d => isField(d.node) && isNumeric(fieldView(d.node).type));
}

/** Items of a goal's references: events as conversions, value fields with their types. Undefined: not a goal's. */
export function goalReferenceItem(description: AstNodeDescription, refInfo: ReferenceInfo, item: CompletionValueItem): CompletionValueItem | undefined {
    if (!isGoal(refInfo.container)) return undefined;
    const node = description.node;
    if (isEvent(node)) return { ...item, detail: refInfo.property === 'forEvent' ? 'event: the rules it measures' : 'event: a conversion' };
    if (isField(node)) return { ...item, detail: typeToString(fieldView(node).type) };
    return item;
}
