// `Idempotency-Key`: the first answer to a key is stored with it, in the transaction of what the
// request wrote; the same key again (from the same API key) gets that answer back and writes nothing.
// The key is claimed first (INSERT ... ON CONFLICT DO NOTHING on its primary key), so a second request
// with the same key, running at the same time, waits for the first to commit or roll back.
import { createHash } from 'node:crypto';
import type { StoreTx } from '@followup/runtime';
import { mapInChunks } from './chunks.js';

export interface StoredAnswer {
    status: number;
    body: unknown;
}

export interface IdempotencyClaim {
    scope: string;
    key: string;
    /** A hash of the request (route and body): the same key with another request is refused. */
    requestHash: string;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export type ClaimOutcome =
    | { kind: 'claimed' }
    | { kind: 'replay'; answer: StoredAnswer }
    | { kind: 'mismatch' };

/**
 * The hash of a request: its route and its body as canonical JSON (object keys sorted), so that the
 * same body with its keys in another order is the same request.
 */
export async function requestHash(route: string, body: unknown): Promise<string> {
    const hash = createHash('sha256').update(route).update('\n');
    if (!Array.isArray(body)) return hash.update(canonicalJson(body)).digest('hex');
    // A batch, an event at a time (the same bytes as canonicalJson(body)), the event loop free between chunks.
    hash.update('[');
    await mapInChunks(body, (item, i) => hash.update(`${i > 0 ? ',' : ''}${canonicalJson(item)}`));
    return hash.update(']').digest('hex');
}

/** JSON with every object's keys sorted (by UTF-16 code units); the body is already validated, so bounded in depth. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
    if (typeof value === 'object' && value !== null) {
        const keys = Object.keys(value).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
}

export async function claimIdempotencyKey(tx: StoreTx, claim: IdempotencyClaim, now: Date): Promise<ClaimOutcome> {
    const inserted = await tx.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, answer, created_at)
         VALUES ($1, $2, $3, 0, 'null'::jsonb, $4)
         ON CONFLICT (scope, key) DO NOTHING
         RETURNING key`,
        [claim.scope, claim.key, claim.requestHash, now.toISOString()],
    );
    if (inserted.rowCount > 0) return { kind: 'claimed' };
    const { rows } = await tx.query<{ request_hash: string; status: number; answer: unknown }>(
        'SELECT request_hash, status, answer FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [claim.scope, claim.key],
    );
    const stored = rows[0]!;
    if (stored.request_hash !== claim.requestHash) return { kind: 'mismatch' };
    return { kind: 'replay', answer: { status: stored.status, body: stored.answer } };
}

export async function saveIdempotentAnswer(tx: StoreTx, claim: IdempotencyClaim, answer: StoredAnswer): Promise<void> {
    await tx.query('UPDATE idempotency_keys SET status = $3, answer = $4::jsonb WHERE scope = $1 AND key = $2', [
        claim.scope,
        claim.key,
        answer.status,
        JSON.stringify(answer.body),
    ]);
}

/** How long a key's answer is kept: a client retries within minutes or hours, not days (Stripe keeps 24 h). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

/** Forgets the keys claimed before `before`; safe to run from several processes at once. */
export async function pruneIdempotencyKeys(store: Pick<StoreTx, 'query'>, before: Date): Promise<number> {
    const { rowCount } = await store.query('DELETE FROM idempotency_keys WHERE created_at < $1', [before.toISOString()]);
    return rowCount;
}
