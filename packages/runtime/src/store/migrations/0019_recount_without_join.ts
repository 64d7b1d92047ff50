import type { Migration } from './migration.js';

/**
 * Schema v19: v9's recount of an event's originals writes the flags it changed without joining
 * `deliveries` to anything.
 *
 * v18 planned the recount at every call and read each touched event's deliveries by key, but its
 * UPDATE still joined the target table with the recount's rows (`UPDATE deliveries d ... FROM (...) r
 * WHERE d.id = r.id`), and the planner is free to take either side of a join first. A table analysed
 * while its first page held no live row (rows being inserted by transactions still open: serve's
 * start analyses as ingestion begins) has a density of zero rows a page, so the planner takes it for
 * one row however large it grows, until it is analysed again. It then read the whole of `deliveries`
 * as the outer side and ran the per-event recount once per row of it: the table times the batch.
 * Captured with `serve` on 2026-12-06 (sixth session, a backtrace of the stuck settle): settles of
 * 100 messages that took 0.6 s one second into the load, 21 s twenty seconds later, and sent nothing.
 *
 * Now the recount collects the ids whose flags change into arrays, and one UPDATE of `deliveries`
 * alone finds them by key (`id = ANY (changed)`, a constant in the plan of each call) and sets each
 * flag by membership in the array of ids that hold it. There is no join for the planner to turn
 * round: at worst, on a table it takes for tiny, it scans it once, never once per row. The reading
 * side is unchanged (each touched event's deliveries through `deliveries_event`, or on PGlite, above
 * `followup.recount_join_above` events, one join planned for their number). The recheck of the target
 * row under concurrent updates is kept: a row is written only if its flags still differ.
 * `test/runtime/trigger-plans.test.ts` replays both statistics on a new store.
 */
export const recountWithoutJoin: Migration = {
    version: 19,
    name: 'recount_without_join',
    sql: /* sql */ `
CREATE OR REPLACE FUNCTION followup_mark_first_originals(touched text[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $fn$
DECLARE
    changed text[];
    originals text[];
    of_channel text[];
BEGIN
    IF cardinality(touched) IS NULL OR cardinality(touched) = 0 THEN RETURN; END IF;
    -- The embedded store sets followup.recount_join_above (store/pglite.ts); a server leaves it unset.
    IF cardinality(touched) > coalesce(nullif(current_setting('followup.recount_join_above', true), '')::int, 2147483647) THEN
        -- Many events (an import's or a prune's statement, on PGlite): joined at once, planned for the
        -- array's length (joined with unnest, as since v9).
        PERFORM 1 FROM events e JOIN unnest(touched) AS t(id) ON e.id = t.id ORDER BY e.id FOR NO KEY UPDATE OF e;
        SELECT array_agg(r.id), array_agg(r.id) FILTER (WHERE r.first_original), array_agg(r.id) FILTER (WHERE r.first_of_channel)
          INTO changed, originals, of_channel
          FROM (SELECT o.id, o.first_original AS was_original, o.first_of_channel AS was_of_channel,
                       o.status = 'sent' AND row_number() OVER (PARTITION BY o.event_id, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_original,
                       o.status = 'sent' AND row_number() OVER (PARTITION BY o.event_id, o.channel, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_of_channel
                  FROM deliveries o
                  JOIN unnest(touched) AS t(id) ON o.event_id = t.id
                 WHERE o.rule IS NULL) r
         WHERE r.was_original <> r.first_original OR r.was_of_channel <> r.first_of_channel;
    ELSE
        -- Each event looked up by its key, whatever the statistics say: a LATERAL subquery with OFFSET 0
        -- is not flattened into a join. The events are locked in id order; each one's deliveries are
        -- read through deliveries_event.
        PERFORM 1 FROM (SELECT DISTINCT u.id FROM unnest(touched) AS u(id) ORDER BY u.id) t
          CROSS JOIN LATERAL (SELECT 1 FROM events e WHERE e.id = t.id OFFSET 0 FOR NO KEY UPDATE) e;
        SELECT array_agg(x.id), array_agg(x.id) FILTER (WHERE x.first_original), array_agg(x.id) FILTER (WHERE x.first_of_channel)
          INTO changed, originals, of_channel
          FROM (SELECT DISTINCT u.id FROM unnest(touched) AS u(id)) t
         CROSS JOIN LATERAL (
               SELECT o.id, o.first_original AS was_original, o.first_of_channel AS was_of_channel,
                      o.status = 'sent' AND row_number() OVER (PARTITION BY o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_original,
                      o.status = 'sent' AND row_number() OVER (PARTITION BY o.channel, o.status = 'sent' ORDER BY o.sent_at, o.id) = 1 AS first_of_channel
                 FROM deliveries o
                WHERE o.event_id = t.id AND o.rule IS NULL
               OFFSET 0) x
         WHERE x.was_original <> x.first_original OR x.was_of_channel <> x.first_of_channel;
    END IF;
    IF changed IS NULL THEN RETURN; END IF;
    originals := coalesce(originals, '{}');
    of_channel := coalesce(of_channel, '{}');
    -- deliveries alone, found by key; each flag is membership in the ids that hold it.
    UPDATE deliveries d
       SET first_original = d.id = ANY (originals), first_of_channel = d.id = ANY (of_channel)
     WHERE d.id = ANY (changed)
       AND (d.first_original <> (d.id = ANY (originals)) OR d.first_of_channel <> (d.id = ANY (of_channel)));
END
$fn$;
COMMENT ON FUNCTION followup_mark_first_originals(text[]) IS 'Recounts the original deliveries (first_original, first_of_channel) of the given events, each through deliveries_event; planned at every call; writes the changed rows by key, with no join (schema v19).';
`,
};
