import type { Migration } from './migration.js';

/**
 * Schema v7: measuring (docs/measuring.md).
 * - A decision may be `held_out`: the rule's holdout kept this person from the follow-up. No delivery is
 *   recorded (so caps and chained rules never see it); `detail` holds the share and `measuredFrom`, the
 *   instant the follow-up would have been sent, from which the goal is measured.
 * - The runs table counts them.
 * - decisions(rule, decided_at): the report reads one rule's decisions over a period.
 */
export const measuring: Migration = {
    version: 7,
    name: 'measuring',
    sql: /* sql */ `
ALTER TABLE decisions DROP CONSTRAINT decisions_outcome_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_outcome_check
    CHECK (outcome IN ('send', 'suppressed', 'expired', 'stopped', 'capped', 'held_out'));
COMMENT ON COLUMN decisions.detail IS 'Why, in data: for capped, the limit and the follow-ups it counted; for a held send, until when and in which zone; for held_out, the holdout share and measuredFrom (when the follow-up would have been sent).';

ALTER TABLE runs ADD COLUMN held_out int NOT NULL DEFAULT 0;

CREATE INDEX decisions_rule_decided ON decisions (rule, decided_at);
`,
};
