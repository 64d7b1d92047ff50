import type { Migration } from './migration.js';

/**
 * Schema v12: `decisions.event_id` is no longer a foreign key of its own. A decision's event is its
 * trigger delivery's event: its only writer (executor/record-decisions.ts) takes both from the same
 * selected delivery, `trigger_delivery_id` is NOT NULL and keeps its foreign key to `deliveries`, and
 * `deliveries.event_id` keeps its foreign key to `events`; so an event cannot go while a decision
 * about it stays (prune deletes decisions first, by `decisions_event`, which stays). The check ran a
 * lookup of `events` for every decision recorded: recording on PGlite measured 4,870 → 5,200
 * follow-ups/s without it, in turns on one store (bench/README.md, 2026-12-06).
 */
export const decisionEventByTrigger: Migration = {
    version: 12,
    name: 'decision_event_by_trigger',
    sql: /* sql */ `
ALTER TABLE decisions DROP CONSTRAINT decisions_event_id_fkey;
COMMENT ON COLUMN decisions.event_id IS 'The event decided about: the event of trigger_delivery_id (not a foreign key of its own since schema v12: the trigger delivery''s is).';
`,
};
