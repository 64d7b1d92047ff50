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
 * - `rule_identities`: what each rule that ever ran looked like (its event, trigger, message and
 *   channel), so that a rule renamed without saying so (`followup x was old`) is refused rather than
 *   re-sending to everyone (docs/language.md §6, "A rule's identity"). Backfilled from the follow-ups
 *   already recorded.
 * - `profiles` keeps every version of a profile (primary key (key, updated_at)): rules read the one
 *   valid as of their `now`, so a replayed clock sees the profile as it was (docs/language.md §5).
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

ALTER TABLE profiles DROP CONSTRAINT profiles_pkey;
ALTER TABLE profiles ADD PRIMARY KEY (key, updated_at);
COMMENT ON TABLE profiles IS 'The data of a person, by key, for events that target a profile: every version, valid from updated_at; a rule reads the latest at or before its now.';

CREATE TABLE rule_identities (
    rule      text PRIMARY KEY,
    event     text NOT NULL,
    trigger   text NOT NULL,
    message   text NOT NULL,
    channel   text NOT NULL,
    last_run  timestamptz
);
COMMENT ON TABLE rule_identities IS 'Each rule that ran: its event, trigger (event or rule name), message and channel. A new rule that looks like one of these, gone from the project but with decisions, must say whether it is that rule renamed.';
INSERT INTO rule_identities (rule, event, trigger, message, channel)
SELECT d.rule, min(e.type), min(e.type), min(d.message), min(d.channel)
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.rule IS NOT NULL
GROUP BY d.rule;
`,
};
