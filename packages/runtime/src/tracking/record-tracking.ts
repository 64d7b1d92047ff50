// Writing engagement to the store: tracking rows (idempotent on source_key) and suppressions
// (idempotent on channel, address, reason; the earliest time is kept, as the importer does).
import { channels, normaliseAddress, type Channel, type TrackingKind } from '../import/records.js';
import type { StoreTx } from '../store/store.js';

export interface TrackingRecord {
    deliveryId: string;
    kind: TrackingKind;
    at: Date;
    /** Idempotency key: the same origin (a provider's event id, a first open) is recorded once. */
    sourceKey: string;
    url?: string | undefined;
    link?: string | undefined;
    hard?: boolean | undefined;
    machine?: boolean | undefined;
}

export type SuppressionReason = 'hard_bounce' | 'unsubscribe' | 'complaint';

export interface DeliveryRecipient {
    id: string;
    channel: Channel;
    recipient: string;
}

/**
 * Records one tracking row; false when a row with the same source key exists already, or when the
 * delivery is unknown (nothing is recorded then: the foreign key would refuse it anyway).
 */
export async function recordTracking(tx: StoreTx, r: TrackingRecord): Promise<boolean> {
    const { rowCount } = await tx.query(
        `INSERT INTO tracking (delivery_id, kind, at, url, link, hard, machine, source_key)
         SELECT d.id, $2, $3, $4, $5, $6, $7, $8 FROM deliveries d WHERE d.id = $1
         ON CONFLICT (source_key) DO NOTHING`,
        [r.deliveryId, r.kind, r.at, r.url ?? null, r.link ?? null, r.hard ?? null, r.machine ?? false, r.sourceKey],
    );
    return rowCount > 0;
}

/** The first of `candidates` that names a delivery in the store, with its channel and recipient. */
export async function findDelivery(tx: StoreTx, candidates: readonly (string | undefined)[]): Promise<DeliveryRecipient | undefined> {
    const ids = [...new Set(candidates.filter((c): c is string => typeof c === 'string' && c !== ''))];
    if (ids.length === 0) return undefined;
    const { rows } = await tx.query<{ id: string; channel: Channel; recipient: string }>(
        `SELECT id, channel, recipient FROM deliveries WHERE id = ANY($1::text[])`,
        [ids],
    );
    for (const id of ids) {
        const row = rows.find(r => r.id === id);
        if (row) return row;
    }
    return undefined;
}

/**
 * Suppresses an address on a channel for a reason; true when that is new (or moved earlier).
 * Addresses are normalised as the importer stores them, so the compiled suppression check finds them.
 */
export async function suppressAddress(
    tx: StoreTx,
    suppression: { channel: Channel; address: string; reason: SuppressionReason; at: Date; source: string },
): Promise<boolean> {
    if (!(channels as readonly string[]).includes(suppression.channel)) return false;
    const address = normaliseAddress(suppression.channel, suppression.address);
    if (address === '') return false;
    const { rowCount } = await tx.query(
        `INSERT INTO suppressions (channel, address, reason, at, source) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel, address, reason) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source
         WHERE suppressions.at > EXCLUDED.at`,
        [suppression.channel, address, suppression.reason, suppression.at, suppression.source],
    );
    return rowCount > 0;
}
