import type { Migration } from './migration.js';

/**
 * Schema v3: the signature tokens of provider webhooks already accepted. Mailgun signs only
 * `timestamp + token`, not the event it sends, so a captured signature could carry another event: a
 * token is accepted once (for one provider event id), in the transaction that records the event.
 * Rows older than the accepted timestamp window are pruned as new ones arrive.
 */
export const webhookTokens: Migration = {
    version: 3,
    name: 'webhook_tokens',
    sql: /* sql */ `
CREATE TABLE webhook_tokens (
    provider  text NOT NULL,
    token     text NOT NULL,
    event_id  text NOT NULL,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (provider, token)
);
COMMENT ON TABLE webhook_tokens IS 'Signature tokens of provider webhooks (Mailgun) already accepted, with the provider event each one carried: a token is never accepted for another event.';
CREATE INDEX webhook_tokens_seen ON webhook_tokens (seen_at);
`,
};
