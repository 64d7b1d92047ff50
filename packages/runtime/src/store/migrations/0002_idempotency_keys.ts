import type { Migration } from './migration.js';

/**
 * Schema v2: the answers `followup serve` gave to requests carrying an `Idempotency-Key`, stored in
 * the same transaction as what the request wrote, so a retried request gets the first answer and
 * writes nothing new. The primary key makes two concurrent requests with one key queue on each other.
 */
export const idempotencyKeys: Migration = {
    version: 2,
    name: 'idempotency_keys',
    sql: /* sql */ `
CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       int NOT NULL,
    answer       jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
COMMENT ON TABLE idempotency_keys IS 'The first answer to each Idempotency-Key of an ingestion request, per API key (scope: a hash of the API key, never the key), with a hash of the request it answered.';
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
`,
};
