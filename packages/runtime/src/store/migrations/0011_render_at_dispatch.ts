import type { Migration } from './migration.js';

/**
 * Schema v11: a follow-up's outbox row no longer holds its rendered message. Dispatch renders it from
 * the plan, the event and the profile as of the decision (`content.renderAt`; dispatch/deferred.ts).
 * Rows written before keep their content and are sent as they are. Nothing changes in the tables: the
 * version is raised so that a followup older than this refuses the store instead of sending such a row
 * with no subject and no body.
 */
export const renderAtDispatch: Migration = {
    version: 11,
    name: 'render_at_dispatch',
    sql: /* sql */ `
COMMENT ON TABLE outbox IS 'Follow-ups and transactional messages waiting to be handed to a transport, recorded in the same transaction as their decision; retried until sent or failed. A follow-up with content.renderAt is rendered at dispatch from its event and the profile as of that instant.';
`,
};
