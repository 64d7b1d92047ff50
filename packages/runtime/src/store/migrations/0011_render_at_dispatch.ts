import type { Migration } from './migration.js';

/**
 * Schema v11: what recording a follow-up writes, cut to what dispatch needs.
 *
 * - A follow-up's outbox row no longer holds its rendered message. Dispatch renders it from the plan,
 *   the event and the profile as of the decision (`content.renderAt`; dispatch/deferred.ts). Rows
 *   written before keep their content and are sent as they are. No column changes for this: the
 *   version alone makes a followup older than this refuse the store, instead of sending such a row
 *   with no subject and no body.
 * - `decisions.run_id` is no longer a foreign key. Its only writer (executor/record-decisions.ts) sets
 *   it to the run it inserted in the same transaction, and nothing deletes runs (prune keeps them), so
 *   the check could never fail; it was the costliest of a follow-up's six checks, every decision of a
 *   run locking the same `runs` row: recording on PGlite measured 9,521 → 10,448 follow-ups/s without
 *   it, in turns (bench/README.md). `scheduled_runs.run_id` has never had one either.
 */
export const renderAtDispatch: Migration = {
    version: 11,
    name: 'render_at_dispatch',
    sql: /* sql */ `
COMMENT ON TABLE outbox IS 'Follow-ups and transactional messages waiting to be handed to a transport, recorded in the same transaction as their decision; retried until sent or failed. A follow-up with content.renderAt is rendered at dispatch from its event and the profile as of that instant.';
ALTER TABLE decisions DROP CONSTRAINT decisions_run_id_fkey;
COMMENT ON COLUMN decisions.run_id IS 'The run that decided (runs.id; not a foreign key since schema v11: set by the run itself, and runs are never deleted).';
`,
};
