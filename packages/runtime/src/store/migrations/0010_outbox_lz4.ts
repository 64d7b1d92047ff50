import type { Migration } from './migration.js';

/**
 * Schema v10: the outbox's rendered content is compressed with lz4 where the server has it.
 *
 * A follow-up's outbox row holds its rendered subject, HTML and text (~2.5 KB in bench/run.mjs), which
 * PostgreSQL compresses when a row passes 2 KB. With the default pglz, that compression was about a tenth
 * of the time spent recording a run's follow-ups. Inserting 13,000 rendered rows took 204–209 ms with pglz,
 * 114–127 ms with lz4 and 123–156 ms stored uncompressed, and the table was 17 MB, 20 MB and 51 MB
 * (bench/README.md). Only rows written from now on are compressed this way; older ones read as before.
 * PGlite is built without lz4 and keeps pglz.
 */
export const outboxLz4: Migration = {
    version: 10,
    name: 'outbox_lz4',
    sql: /* sql */ `
DO $$
BEGIN
    ALTER TABLE outbox ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL; -- a server built without lz4 (PGlite) keeps pglz
END
$$;
`,
};
