import type { Migration } from './migration.js';

/**
 * Schema v17: the pending outbox rows are indexed in the order dispatch claims them, due time then id,
 * so that a claim reads its batch off the index and stops (dispatch/outbox-rows.ts).
 *
 * v1's index held the due time alone while claims took the lowest ids: each claim of 100 rows read
 * every due row, sorted them and kept 100, so draining a backlog cost its square. Claiming 52,000
 * pending follow-ups on PGlite took 22 s (9 ms a claim at the start, 75 ms at the end); in due order
 * off this index, 2.9 s (5.6 ms a claim throughout; bench/README.md, 2026-12-06).
 */
export const outboxDueOrder: Migration = {
    version: 17,
    name: 'outbox_due_order',
    sql: /* sql */ `
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE status = 'pending';
COMMENT ON INDEX outbox_pending IS 'The pending rows in the order dispatch claims them: due time, then id.';
`,
};
