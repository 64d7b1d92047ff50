import type { Migration } from './migration.js';

/**
 * Schema v16: `deliveries.event_id` is no longer a foreign key; triggers hold what it held.
 *
 * - An original delivery (no rule made it) is checked on insert, per statement: the trigger
 *   `deliveries_event_exists` locks the events named (`FOR KEY SHARE`, as the key did) and refuses a
 *   statement naming one that is not there. Importers, `serve` and hand-written SQL write originals.
 * - A follow-up delivery is not: its one writer (executor/record-decisions.ts) takes its event from the
 *   trigger delivery its selection just read, and prune, the one deleter of events, never deletes an
 *   event a run can be deciding on (schema v15's comment says why).
 * - Deleting an event that a delivery still names is refused, per statement (`events_still_named`), and
 *   neither an event's id nor a delivery's event changes (row triggers).
 *
 * Checked per row, the key was a lookup and a `FOR KEY SHARE` lock of the trigger's event, an old row,
 * for every follow-up recorded: a write to its page. Recording on PGlite measured ~1.09× faster without
 * it, in turns on one store (bench/README.md, 2026-12-06). `test/runtime/decision-integrity.test.ts`
 * holds what this rests on.
 */
export const deliveryEventByTrigger: Migration = {
    version: 16,
    name: 'delivery_event_by_trigger',
    sql: /* sql */ `
ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_fkey;

CREATE FUNCTION followup_deliveries_event_exists() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    missing text;
BEGIN
    -- Locked first, so that an event deleted meanwhile is either waited for or seen gone by the check.
    PERFORM 1 FROM events e JOIN (SELECT DISTINCT n.event_id FROM new_rows n WHERE n.rule IS NULL) n ON e.id = n.event_id
      ORDER BY e.id FOR KEY SHARE OF e;
    SELECT n.event_id INTO missing FROM new_rows n
     WHERE n.rule IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = n.event_id) LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert on table "deliveries" violates foreign key (by trigger) to "events": event % is not there', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION followup_events_still_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    named text;
BEGIN
    SELECT o.id INTO named FROM old_rows o WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.id) LIMIT 1;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "events" violates foreign key (by trigger) from "deliveries": event % still has deliveries', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION followup_key_unchanged() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'foreign_key_violation';
END
$fn$;

CREATE TRIGGER deliveries_event_exists AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_deliveries_event_exists();
CREATE TRIGGER events_still_named AFTER DELETE ON events
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_events_still_named();
CREATE TRIGGER events_id_unchanged BEFORE UPDATE OF id ON events
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION followup_key_unchanged('an event''s id never changes: its deliveries name it');
CREATE TRIGGER deliveries_event_unchanged BEFORE UPDATE OF event_id ON deliveries
    FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id)
    EXECUTE FUNCTION followup_key_unchanged('a delivery''s event never changes');

COMMENT ON COLUMN deliveries.event_id IS 'The event this delivery is about (not a foreign key since schema v16: originals are checked on insert by the trigger deliveries_event_exists, follow-ups are their trigger delivery''s event, and events_still_named refuses deleting an event first).';
`,
};
