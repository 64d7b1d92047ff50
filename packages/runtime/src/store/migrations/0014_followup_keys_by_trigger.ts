import type { Migration } from './migration.js';

/**
 * Schema v14: `outbox.delivery_id` and `decisions.followup_delivery_id` are no longer foreign keys; a
 * statement trigger on `deliveries` refuses what the keys refused, deleting a delivery that an outbox
 * row or a decision still names, and a row trigger refuses changing a delivery's id (nothing does).
 * Their writers insert both rows in one statement, from the same rows: a chunk of follow-ups
 * (executor/record-decisions.ts: its deliveries, their outbox rows and their decisions) and a batch of
 * transactional messages (serve's ingest: the deliveries, then the outbox rows of those inserted), so a
 * row cannot name a delivery that is not there, nor one another transaction could be deleting (it is
 * not committed yet). Checked per row, the two keys were a lookup and a row lock of the delivery just
 * inserted, for every follow-up: recording on PGlite measured ~16% faster without them, in turns on one
 * store (bench/README.md, 2026-12-06). Deleting deliveries (prune) is rare and checked per statement.
 * `test/runtime/decision-integrity.test.ts` holds what this rests on.
 */
export const followupKeysByTrigger: Migration = {
    version: 14,
    name: 'followup_keys_by_trigger',
    sql: /* sql */ `
ALTER TABLE outbox DROP CONSTRAINT outbox_delivery_id_fkey;
ALTER TABLE decisions DROP CONSTRAINT decisions_followup_delivery_id_fkey;

CREATE FUNCTION followup_deliveries_still_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    named text;
BEGIN
    SELECT o.id INTO named FROM old_rows o WHERE EXISTS (SELECT 1 FROM outbox x WHERE x.delivery_id = o.id) LIMIT 1;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "outbox": delivery % is still in the outbox', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT o.id INTO named FROM old_rows o WHERE EXISTS (SELECT 1 FROM decisions x WHERE x.followup_delivery_id = o.id) LIMIT 1;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "decisions": delivery % is a decision''s follow-up', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION followup_delivery_id_unchanged() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'a delivery''s id never changes (% to %): outbox rows and decisions name it', OLD.id, NEW.id
        USING ERRCODE = 'foreign_key_violation';
END
$fn$;

CREATE TRIGGER deliveries_still_named AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_deliveries_still_named();
CREATE TRIGGER deliveries_id_unchanged BEFORE UPDATE OF id ON deliveries
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION followup_delivery_id_unchanged();

COMMENT ON COLUMN outbox.delivery_id IS 'The delivery this row sends: inserted with it, in one statement (not a foreign key since schema v14: the trigger deliveries_still_named refuses deleting it first).';
COMMENT ON COLUMN decisions.followup_delivery_id IS 'The follow-up this decision sent, inserted with it in one statement (not a foreign key since schema v14: the trigger deliveries_still_named refuses deleting it first).';
`,
};
