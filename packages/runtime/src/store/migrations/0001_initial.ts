import type { Migration } from './migration.js';

/**
 * Schema v1. Table and column names are a contract: the compiler generates SQL against them.
 * Each table says what it is in the domain with COMMENT ON TABLE, so `\d+` in psql tells it too.
 */
export const initial: Migration = {
    version: 1,
    name: 'initial',
    sql: /* sql */ `
CREATE TABLE events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    occurred_at timestamptz NOT NULL,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE events IS 'Things that happened to a person (cartAbandonment, orderShipped, ...), with their data; each original message and every follow-up is about one event.';
CREATE INDEX events_type_occurred ON events (type, occurred_at);

CREATE TABLE profiles (
    key        text PRIMARY KEY,
    payload    jsonb NOT NULL,
    updated_at timestamptz NOT NULL
);
COMMENT ON TABLE profiles IS 'The latest known data of a person, by key, for events that target a profile.';

CREATE TABLE deliveries (
    id        text PRIMARY KEY,
    event_id  text NOT NULL REFERENCES events (id),
    message   text NOT NULL,
    channel   text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    recipient text NOT NULL,
    sent_at   timestamptz NOT NULL,
    status    text NOT NULL DEFAULT 'sent' CHECK (status IN ('queued', 'sent', 'failed', 'suppressed', 'cancelled')),
    rule      text NULL
);
COMMENT ON TABLE deliveries IS 'Messages sent about an event: the original (transactional) one when rule is NULL, else the follow-up that rule made. sent_at is when it was accepted for delivery.';
COMMENT ON COLUMN deliveries.rule IS 'NULL: an original delivery; else the follow-up rule that made it.';
CREATE INDEX deliveries_original_sent ON deliveries (sent_at) INCLUDE (event_id, channel)
    WHERE status = 'sent' AND rule IS NULL;
CREATE INDEX deliveries_rule_sent ON deliveries (rule, sent_at) INCLUDE (event_id, channel)
    WHERE status = 'sent' AND rule IS NOT NULL;
CREATE INDEX deliveries_event ON deliveries (event_id, sent_at);

CREATE TABLE tracking (
    id          bigserial PRIMARY KEY,
    delivery_id text NOT NULL REFERENCES deliveries (id),
    kind        text NOT NULL CHECK (kind IN ('delivered', 'open', 'click', 'bounce', 'complaint')),
    at          timestamptz NOT NULL,
    url         text,
    link        text,
    hard        boolean,
    machine     boolean NOT NULL DEFAULT false,
    source_key  text UNIQUE
);
COMMENT ON TABLE tracking IS 'Engagement with a delivery: delivered, opens, clicks, bounces and complaints, as tracked or imported.';
COMMENT ON COLUMN tracking.source_key IS 'Idempotency key of the record''s origin (import line id, provider event id).';
CREATE INDEX tracking_delivery_kind ON tracking (delivery_id, kind, at);

CREATE TABLE suppressions (
    channel text NOT NULL,
    address text NOT NULL,
    reason  text NOT NULL CHECK (reason IN ('hard_bounce', 'unsubscribe', 'complaint')),
    at      timestamptz NOT NULL,
    source  text,
    PRIMARY KEY (channel, address, reason)
);
COMMENT ON TABLE suppressions IS 'Addresses that must not be sent to on a channel (hard bounce, unsubscribe, complaint). Addresses are stored normalised: email lower-cased and trimmed.';

CREATE TABLE rule_watermarks (
    rule       text PRIMARY KEY,
    watermark  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rule_watermarks IS 'Per follow-up rule, the now of its last successful run: the next run selects deliveries that became due after it.';

CREATE TABLE runs (
    id           bigserial PRIMARY KEY,
    rule         text NOT NULL,
    window_start timestamptz NOT NULL,
    now          timestamptz NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    dry_run      boolean NOT NULL DEFAULT false,
    selected     int NOT NULL DEFAULT 0,
    sent         int NOT NULL DEFAULT 0,
    suppressed   int NOT NULL DEFAULT 0,
    expired      int NOT NULL DEFAULT 0,
    failed       int NOT NULL DEFAULT 0
);
COMMENT ON TABLE runs IS 'One execution of a rule as of a now, over the window (window_start, now], with what it decided.';

CREATE TABLE decisions (
    rule                 text NOT NULL,
    event_id             text NOT NULL REFERENCES events (id),
    trigger_delivery_id  text NOT NULL REFERENCES deliveries (id),
    outcome              text NOT NULL CHECK (outcome IN ('send', 'suppressed', 'expired', 'stopped')),
    decided_at           timestamptz NOT NULL,
    run_id               bigint REFERENCES runs (id),
    followup_delivery_id text REFERENCES deliveries (id),
    PRIMARY KEY (rule, event_id)
);
COMMENT ON TABLE decisions IS 'What a rule decided for an event: at most once, ever, per (rule, event); the trigger is the delivery it measured from.';

CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    delivery_id     text NOT NULL UNIQUE REFERENCES deliveries (id),
    rule            text,
    channel         text NOT NULL,
    recipient       text NOT NULL,
    content         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'stopped')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE outbox IS 'Rendered follow-ups waiting to be handed to a transport, recorded in the same transaction as their decision; retried until sent or failed.';
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';
`,
};
