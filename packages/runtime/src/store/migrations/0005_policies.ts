import type { Migration } from './migration.js';

/**
 * Schema v5: frequency caps and quiet hours (docs/language.md §6).
 * - A decision may be `capped`; `detail` says by which limit (and, for a held follow-up, until when).
 * - An outbox row may be held: `held_until` is when its quiet hours end (`next_attempt_at` too, so
 *   dispatch leaves it until then).
 * - `recipient_locks`: one row per (channel, address) ever capped, locked FOR UPDATE while a run
 *   counts and decides that address's follow-ups, so concurrent runs (other rules, other processes)
 *   cannot both pass the same cap. Row locks, not advisory locks: a run may lock 100,000 addresses,
 *   far beyond PostgreSQL's shared lock table.
 * - The runs table counts every outcome.
 */
export const policies: Migration = {
    version: 5,
    name: 'policies',
    sql: /* sql */ `
ALTER TABLE decisions DROP CONSTRAINT decisions_outcome_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_outcome_check
    CHECK (outcome IN ('send', 'suppressed', 'expired', 'stopped', 'capped'));
ALTER TABLE decisions ADD COLUMN detail jsonb;
COMMENT ON COLUMN decisions.detail IS 'Why, in data: for capped, the limit and the follow-ups it counted; for a held send, until when and in which zone.';

ALTER TABLE outbox ADD COLUMN held_until timestamptz;
COMMENT ON COLUMN outbox.held_until IS 'Set when the follow-up was decided inside quiet hours: not sent before this instant, and checked again when released.';

ALTER TABLE runs ADD COLUMN stopped int NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN capped int NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN held int NOT NULL DEFAULT 0;

CREATE TABLE recipient_locks (
    channel text NOT NULL,
    address text NOT NULL,
    PRIMARY KEY (channel, address)
);
COMMENT ON TABLE recipient_locks IS 'One row per recipient address and channel under a frequency cap, locked while a run decides its follow-ups (caps hold under concurrent runs).';

CREATE INDEX deliveries_followups_to ON deliveries (recipient, channel, sent_at)
    WHERE rule IS NOT NULL AND status IN ('queued', 'sent');
`,
};
