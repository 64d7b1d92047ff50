import type { Migration } from './migration.js';

/**
 * Schema v15: `decisions.trigger_delivery_id` is no longer a foreign key, and the two indexes schema v8
 * gave decisions for deleting deliveries (`decisions_trigger_delivery`, `decisions_followup_delivery`)
 * go. A decision names deliveries of its own event only: its trigger (the selected delivery, whose
 * event is the decision's) and its follow-up (`<rule>:<event>`, inserted with it). So the trigger
 * `deliveries_still_named` (schema v14) finds them through the decisions key `(event_id, rule)`, and
 * refuses deleting a delivery a decision names, trigger or follow-up, as the key did.
 *
 * What the key held on insert now rests on the one writer (executor/record-decisions.ts), which takes
 * the trigger delivery from the row its selection just read; and on prune, the one deleter of
 * deliveries, which never deletes a delivery a run can be deciding on: a run selects deliveries sent
 * after its watermark minus its delay, watermarks only move forward, and prune refuses any `before`
 * later than every rule's watermark minus delay (store/prune.ts), reading them at its start.
 *
 * Checked per row, the key was a lookup and a `FOR KEY SHARE` lock of the trigger delivery, an old
 * row: a write to its page for every decision. With the two index entries, recording on PGlite
 * measured ~1.15× faster without them, in turns on one store (bench/README.md, 2026-12-06).
 * `test/runtime/decision-integrity.test.ts` holds what this rests on.
 */
export const decisionDeliveriesByTrigger: Migration = {
    version: 15,
    name: 'decision_deliveries_by_trigger',
    sql: /* sql */ `
ALTER TABLE decisions DROP CONSTRAINT decisions_trigger_delivery_id_fkey;
DROP INDEX decisions_trigger_delivery;
DROP INDEX decisions_followup_delivery;

CREATE OR REPLACE FUNCTION followup_deliveries_still_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    named text;
BEGIN
    SELECT o.id INTO named FROM old_rows o WHERE EXISTS (SELECT 1 FROM outbox x WHERE x.delivery_id = o.id) LIMIT 1;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "outbox": delivery % is still in the outbox', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- A decision names deliveries of its own event: found by the key's first column.
    SELECT o.id INTO named FROM old_rows o
     WHERE EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = o.event_id AND (x.trigger_delivery_id = o.id OR x.followup_delivery_id = o.id))
     LIMIT 1;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "decisions": delivery % is a decision''s trigger or follow-up', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON COLUMN decisions.trigger_delivery_id IS 'The delivery the rule selected: one of the event''s own (not a foreign key since schema v15: the trigger deliveries_still_named refuses deleting it first).';
COMMENT ON COLUMN decisions.followup_delivery_id IS 'The follow-up this decision sent, inserted with it in one statement (not a foreign key since schema v14: the trigger deliveries_still_named refuses deleting it first).';
`,
};
