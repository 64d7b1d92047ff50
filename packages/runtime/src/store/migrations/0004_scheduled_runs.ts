import type { Migration } from './migration.js';

/**
 * Schema v4: the scheduler's claims. One row per (rule, fire instant) of the rule's schedule, inserted
 * by the one `serve` process that runs that period (the primary key decides which: INSERT ... ON
 * CONFLICT), so each scheduled run happens once however many processes share the database. A row a
 * crashed process left unfinished is taken over once its heartbeat (the database's clock, not the
 * injected one) is older than the claim timeout.
 */
export const scheduledRuns: Migration = {
    version: 4,
    name: 'scheduled_runs',
    sql: /* sql */ `
CREATE TABLE scheduled_runs (
    rule         text NOT NULL,
    due_at       timestamptz NOT NULL,
    claimed_by   text NOT NULL,
    claimed_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    attempts     int NOT NULL DEFAULT 1,
    finished_at  timestamptz,
    outcome      text CHECK (outcome IN ('ran', 'nothing_new')),
    run_id       bigint,
    last_error   text,
    PRIMARY KEY (rule, due_at)
);
COMMENT ON TABLE scheduled_runs IS 'Each scheduled run of a rule (its schedule''s fire instant, due_at, is the run''s now), claimed by one serve process; finished_at is set once the run committed.';
COMMENT ON COLUMN scheduled_runs.run_id IS 'The runs row the run recorded (no foreign key: clearing runs must not need to know about the scheduler).';
COMMENT ON COLUMN scheduled_runs.outcome IS 'ran: the run recorded a runs row; nothing_new: the watermark was already at or after due_at (a later run, or followup run --now, had covered it).';
`,
};
