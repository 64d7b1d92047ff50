import { initial } from './0001_initial.js';
import { idempotencyKeys } from './0002_idempotency_keys.js';
import { webhookTokens } from './0003_webhook_tokens.js';
import { scheduledRuns } from './0004_scheduled_runs.js';
import { policies } from './0005_policies.js';
import { outboxClaims } from './0006_outbox_claims.js';
import { measuring } from './0007_measuring.js';
import { pruneIndexes } from './0008_prune_indexes.js';
import { firstOriginals } from './0009_first_originals.js';
import { outboxLz4 } from './0010_outbox_lz4.js';
import { renderAtDispatch } from './0011_render_at_dispatch.js';
import { decisionEventByTrigger } from './0012_decision_event_by_trigger.js';
import { decisionsKeyedByEvent } from './0013_decisions_keyed_by_event.js';
import { followupKeysByTrigger } from './0014_followup_keys_by_trigger.js';
import { decisionDeliveriesByTrigger } from './0015_decision_deliveries_by_trigger.js';
import { deliveryEventByTrigger } from './0016_delivery_event_by_trigger.js';
import { outboxDueOrder } from './0017_outbox_due_order.js';
import { triggerPlansPerCall } from './0018_trigger_plans_per_call.js';
import { recountWithoutJoin } from './0019_recount_without_join.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/**
 * Every migration, in order of version. They are TypeScript modules, not .sql files, so that they ship
 * with the build and nothing is read from disk at runtime. To change the schema, add the next file and
 * list it here.
 */
export const migrations: readonly Migration[] = [initial, idempotencyKeys, webhookTokens, scheduledRuns, policies, outboxClaims, measuring, pruneIndexes, firstOriginals, outboxLz4, renderAtDispatch, decisionEventByTrigger, decisionsKeyedByEvent, followupKeysByTrigger,
    decisionDeliveriesByTrigger, deliveryEventByTrigger, outboxDueOrder, triggerPlansPerCall,
    recountWithoutJoin];

/** The schema version this code creates and expects. */
export const latestSchemaVersion: number = migrations[migrations.length - 1]!.version;

/** The tables of the latest schema, in creation order (foreign keys point backwards). */
export const storeTables = [
    'events',
    'profiles',
    'deliveries',
    'tracking',
    'suppressions',
    'rule_watermarks',
    'runs',
    'decisions',
    'outbox',
    'idempotency_keys',
    'webhook_tokens',
    'scheduled_runs',
    'recipient_locks',
    'rule_identities',
] as const;

export type StoreTable = (typeof storeTables)[number];
