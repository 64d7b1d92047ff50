import type { Migration } from './migration.js';

/**
 * Schema v8: what `followup prune` needs to delete at scale (packages/runtime/src/store/prune.ts).
 * Deleting an event or a delivery makes PostgreSQL check, row by row, that no decision still refers to
 * it (the foreign keys of decisions): without an index on the referring column, each check reads the
 * whole decisions table (measured: 5,000 events a batch took 8 s on a store of 20,000 carts, and grows
 * with the store). The decisions key (rule, event_id) cannot answer `event_id = $1`.
 */
export const pruneIndexes: Migration = {
    version: 8,
    name: 'prune_indexes',
    sql: /* sql */ `
CREATE INDEX decisions_event ON decisions (event_id);
CREATE INDEX decisions_trigger_delivery ON decisions (trigger_delivery_id);
CREATE INDEX decisions_followup_delivery ON decisions (followup_delivery_id) WHERE followup_delivery_id IS NOT NULL;
`,
};
