import type { Migration } from './migration.js';

/**
 * Schema v9: each original delivery knows whether it is its event's original (docs/language.md §4: the
 * earliest sent delivery no rule made, of any channel; and of its own channel, for `<event> email sent`).
 *
 * A rule's selection used to find it with a subquery per candidate (`d.id = (SELECT o.id ... ORDER BY
 * o.sent_at, o.id LIMIT 1)`). PostgreSQL 15 cannot run a plan holding a correlated subquery in parallel
 * workers, so that check alone kept the selection serial (bench/README.md). Kept up to date by triggers,
 * whoever writes deliveries (import, serve, dispatch, tests, hand-written SQL), the flags turn the check
 * into a column test.
 *
 * Concurrency: two transactions changing one event's originals are serialised on the event's row
 * (`FOR NO KEY UPDATE`, which does not block the foreign-key checks of new deliveries); the second one's
 * recount then runs with a snapshot taken after the first committed, so both flags stay exact.
 */
export const firstOriginals: Migration = {
    version: 9,
    name: 'first_originals',
    sql: /* sql */ `
ALTER TABLE deliveries
    ADD COLUMN first_original boolean NOT NULL DEFAULT false,
    ADD COLUMN first_of_channel boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN deliveries.first_original IS 'The event''s original delivery: its earliest sent one (by sent_at, then id) that no rule made. Kept by triggers.';
COMMENT ON COLUMN deliveries.first_of_channel IS 'The event''s original delivery on this channel: the earliest sent one of the channel that no rule made. Kept by triggers.';

CREATE FUNCTION followup_mark_first_originals(touched text[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF cardinality(touched) IS NULL OR cardinality(touched) = 0 THEN RETURN; END IF;
    -- Joined with unnest, not "= ANY (touched)": against a parameter array the planner may scan the
    -- whole table testing each row against every element (an import of 100,000 events took minutes).
    PERFORM 1 FROM events e JOIN unnest(touched) AS t(id) ON e.id = t.id ORDER BY e.id FOR NO KEY UPDATE OF e;
    UPDATE deliveries d
       SET first_original = r.first_original, first_of_channel = r.first_of_channel
      FROM (SELECT o.id,
                   o.status = 'sent' AND row_number() OVER (PARTITION BY o.event_id, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_original,
                   o.status = 'sent' AND row_number() OVER (PARTITION BY o.event_id, o.channel, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_of_channel
              FROM deliveries o
              JOIN unnest(touched) AS t(id) ON o.event_id = t.id
             WHERE o.rule IS NULL) r
     WHERE d.id = r.id AND (d.first_original <> r.first_original OR d.first_of_channel <> r.first_of_channel);
END
$fn$;

CREATE FUNCTION followup_deliveries_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM followup_mark_first_originals(ARRAY(
        SELECT DISTINCT n.event_id FROM new_rows n WHERE n.rule IS NULL AND n.status = 'sent'));
    RETURN NULL;
END
$fn$;

CREATE FUNCTION followup_deliveries_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- The recount's own update of the flags (one trigger level down) changes nothing that decides them.
    -- No join of the old rows with the new: a plan cached for small statements would run it as a
    -- nested loop over a large one; the events of every sent original before or after are recounted.
    IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF;
    PERFORM followup_mark_first_originals(ARRAY(
        SELECT n.event_id FROM new_rows n WHERE n.rule IS NULL AND n.status = 'sent'
        UNION
        SELECT o.event_id FROM old_rows o WHERE o.rule IS NULL AND o.status = 'sent'));
    RETURN NULL;
END
$fn$;

CREATE FUNCTION followup_deliveries_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- An original deleted while its event stays (prune deletes whole events): the next one takes over.
    PERFORM followup_mark_first_originals(ARRAY(
        SELECT DISTINCT o.event_id FROM old_rows o
         WHERE o.rule IS NULL AND (o.first_original OR o.first_of_channel)));
    RETURN NULL;
END
$fn$;

CREATE TRIGGER deliveries_first_originals_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_deliveries_inserted();
CREATE TRIGGER deliveries_first_originals_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_deliveries_updated();
CREATE TRIGGER deliveries_first_originals_delete AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_deliveries_deleted();

UPDATE deliveries d
   SET first_original = r.first_original, first_of_channel = r.first_of_channel
  FROM (SELECT o.id,
               row_number() OVER (PARTITION BY o.event_id ORDER BY o.sent_at, o.id) = 1 AS first_original,
               row_number() OVER (PARTITION BY o.event_id, o.channel ORDER BY o.sent_at, o.id) = 1 AS first_of_channel
          FROM deliveries o
         WHERE o.rule IS NULL AND o.status = 'sent') r
 WHERE d.id = r.id AND (r.first_original OR r.first_of_channel);
`,
};
