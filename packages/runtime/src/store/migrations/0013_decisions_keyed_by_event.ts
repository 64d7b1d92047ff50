import type { Migration } from './migration.js';

/**
 * Schema v13: a decision's key is (event_id, rule), in that order, and the index on `event_id` alone
 * (schema v8's `decisions_event`) goes: the key serves the lookups by event (prune, and schema v12's
 * check that an event going has no decisions left) as well as the lookups of one rule's decision about
 * one event (the compiled selections' `NOT EXISTS`, explain, ON CONFLICT (rule, event_id), which names
 * the columns, not their order). What reads one rule's decisions without an event (a rule's count,
 * a rename's takeover, the report) uses `decisions_rule_decided` (rule, decided_at). One index entry
 * fewer for every decision recorded: recording on PGlite measured ~2.5% faster, in turns on one store
 * (bench/README.md, 2026-12-06).
 */
export const decisionsKeyedByEvent: Migration = {
    version: 13,
    name: 'decisions_keyed_by_event',
    sql: /* sql */ `
ALTER TABLE decisions DROP CONSTRAINT decisions_pkey;
ALTER TABLE decisions ADD CONSTRAINT decisions_pkey PRIMARY KEY (event_id, rule);
DROP INDEX decisions_event;
`,
};
