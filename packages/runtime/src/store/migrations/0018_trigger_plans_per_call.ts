import type { Migration } from './migration.js';

/**
 * Schema v18: the triggers' statements that read a table are planned at every call, and v9's recount
 * of an event's originals reads each touched event's deliveries through `deliveries_event`.
 *
 * PL/pgSQL caches a statement's plan per connection: at its first call when the statement has no
 * parameters (those reading only transition tables), after five calls otherwise. A store that was new
 * when a connection first fired these triggers kept plans made for tables of a row or two: a scan of
 * the table for each row of the statement. Nothing planned them again until the table was analyzed
 * (PGlite never autovacuums; a server takes up to a minute), so the cost grew as the table times the
 * statement's rows (bench/README.md, 2026-12-06):
 * - `serve` on a new store: each settle of 100 messages recounted its events in 0.8 s at 1,000
 *   deliveries, 8 s at 18,000, then settles that ran for minutes, and a dispatcher waiting on them;
 * - 20,000 originals inserted in one statement after the check of their events was planned small:
 *   61 s on PGlite, 37 s on PostgreSQL, instead of well under a second.
 *
 * Now those statements run through EXECUTE (planned each time, with the transition table's actual size
 * and the tables' current ones), and the recount is planned each call (`plan_cache_mode =
 * force_custom_plan`). Its touched events drive a nested loop (a LATERAL subquery the planner cannot
 * flatten, `OFFSET 0`), so its work is the events' own deliveries whatever the statistics say. On
 * PGlite, more than `followup.recount_join_above` events (1,000: an import's or a prune's statement)
 * are joined at once as before, planned for their number: looked up one by one, prune's batches of
 * 5,000 events measured ~5% slower there, while on a PostgreSQL server the join planned for their
 * number measured ~18% slower than the lookups (bench/README.md). Each is one plan per statement that
 * writes deliveries or deletes events, not per row. `test/runtime/trigger-plans.test.ts` replays the
 * trap on a new store.
 */
export const triggerPlansPerCall: Migration = {
    version: 18,
    name: 'trigger_plans_per_call',
    sql: /* sql */ `
CREATE OR REPLACE FUNCTION followup_mark_first_originals(touched text[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $fn$
BEGIN
    IF cardinality(touched) IS NULL OR cardinality(touched) = 0 THEN RETURN; END IF;
    -- The embedded store sets followup.recount_join_above (store/pglite.ts); a server leaves it unset.
    IF cardinality(touched) > coalesce(nullif(current_setting('followup.recount_join_above', true), '')::int, 2147483647) THEN
        -- Many events (an import's or a prune's statement, on PGlite): joined at once, planned for the
        -- array's length. Joined with unnest, not "= ANY (touched)": against a parameter array the planner may
        -- scan the whole table testing each row against every element (an import of 100,000 events
        -- took minutes).
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
        RETURN;
    END IF;
    -- Each event looked up by its key, whatever the statistics say.
    -- A LATERAL subquery with OFFSET 0 is not flattened into a join: the events are locked in id
    -- order, and each one's deliveries read through deliveries_event.
    PERFORM 1 FROM (SELECT DISTINCT u.id FROM unnest(touched) AS u(id) ORDER BY u.id) t
      CROSS JOIN LATERAL (SELECT 1 FROM events e WHERE e.id = t.id OFFSET 0 FOR NO KEY UPDATE) e;
    UPDATE deliveries d
       SET first_original = r.first_original, first_of_channel = r.first_of_channel
      FROM (SELECT x.id, x.first_original, x.first_of_channel
              FROM (SELECT DISTINCT u.id FROM unnest(touched) AS u(id)) t
             CROSS JOIN LATERAL (
                   SELECT o.id, o.first_original AS was_original, o.first_of_channel AS was_of_channel,
                          o.status = 'sent' AND row_number() OVER (PARTITION BY o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_original,
                          o.status = 'sent' AND row_number() OVER (PARTITION BY o.channel, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_of_channel
                     FROM deliveries o
                    WHERE o.event_id = t.id AND o.rule IS NULL
                   OFFSET 0) x
             WHERE x.was_original <> x.first_original OR x.was_of_channel <> x.first_of_channel) r
     WHERE d.id = r.id AND (d.first_original <> r.first_original OR d.first_of_channel <> r.first_of_channel);
END
$fn$;

CREATE OR REPLACE FUNCTION followup_deliveries_event_exists() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    missing text;
BEGIN
    -- Locked first, so that an event deleted meanwhile is either waited for or seen gone by the check.
    -- Each event is looked up by its key, in id order: subqueries with OFFSET 0 are not turned into
    -- joins, which the planner may run as a scan of the table per row when it thinks the table small.
    EXECUTE 'SELECT 1 FROM (SELECT DISTINCT n.event_id FROM new_rows n WHERE n.rule IS NULL ORDER BY n.event_id) n
              CROSS JOIN LATERAL (SELECT 1 FROM events e WHERE e.id = n.event_id OFFSET 0 FOR KEY SHARE) e';
    EXECUTE 'SELECT n.event_id FROM new_rows n
              WHERE n.rule IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = n.event_id OFFSET 0) LIMIT 1' INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert on table "deliveries" violates foreign key (by trigger) to "events": event % is not there', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION followup_events_still_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    named text;
BEGIN
    EXECUTE 'SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.id OFFSET 0) LIMIT 1' INTO named;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "events" violates foreign key (by trigger) from "deliveries": event % still has deliveries', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION followup_deliveries_still_named() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    named text;
BEGIN
    EXECUTE 'SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM outbox x WHERE x.delivery_id = o.id OFFSET 0) LIMIT 1' INTO named;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "outbox": delivery % is still in the outbox', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- A decision names deliveries of its own event: found by the key's first column.
    EXECUTE 'SELECT o.id FROM old_rows o
              WHERE EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = o.event_id AND (x.trigger_delivery_id = o.id OR x.followup_delivery_id = o.id) OFFSET 0)
              LIMIT 1' INTO named;
    IF named IS NOT NULL THEN
        RAISE EXCEPTION 'delete on table "deliveries" violates foreign key (by trigger) from "decisions": delivery % is a decision''s trigger or follow-up', named
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION followup_mark_first_originals(text[]) IS 'Recounts the original deliveries (first_original, first_of_channel) of the given events, each through deliveries_event; planned at every call (schema v18).';
`,
};
