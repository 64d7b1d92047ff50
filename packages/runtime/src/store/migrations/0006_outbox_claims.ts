import type { Migration } from './migration.js';

/**
 * Schema v6: leases on the outbox rows being sent. A dispatcher claims a batch in a short
 * transaction (the lease: `claimed_until`, on the database's clock, and its token in `claimed_by`),
 * sends with no transaction open, then settles the rows it still holds in another short transaction.
 * A row whose dispatcher died is claimed again once its lease has run out (on the embedded store,
 * which one process opens at a time, as soon as another process opens it). Version 5 is left to the
 * frequency caps (issue 9); `migrate` applies every version a database lacks, whatever the order.
 */
export const outboxClaims: Migration = {
    version: 6,
    name: 'outbox_claims',
    sql: /* sql */ `
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz, ADD COLUMN claimed_by text;
COMMENT ON COLUMN outbox.claimed_until IS 'While a dispatcher sends this pending row: its lease, on the database clock (renewed while sending). Past it, another dispatcher may claim the row again.';
COMMENT ON COLUMN outbox.claimed_by IS 'The token of the claim (<process>:<batch>): only its holder settles the row.';
`,
};
