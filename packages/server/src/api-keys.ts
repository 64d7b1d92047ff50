// API keys for ingestion: `Authorization: Bearer <key>`, checked against FOLLOWUP_API_KEYS. Compared
// as SHA-256 digests with crypto.timingSafeEqual (equal lengths whatever the key given), against every
// key, so the time taken tells nothing about how much of a key was right or which one matched.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKeyCheck {
    /** The scope of the matching key (a hash, never the key itself), or undefined: answer 401. */
    verify(authorization: string | undefined): string | undefined;
}

/** A key shorter than this is refused: a guessable key lets anyone post events (and send their messages). */
export const MIN_API_KEY_LENGTH = 16;

export function parseApiKeys(value: string | undefined): string[] {
    return (value ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
}

/** Why these keys cannot be used (none, or one too short), or undefined. The message never includes a key. */
export function apiKeysProblem(keys: readonly string[]): string | undefined {
    if (keys.length === 0) return 'FOLLOWUP_API_KEYS is not set: give the API keys ingestion accepts (comma-separated), e.g. FOLLOWUP_API_KEYS=$(openssl rand -hex 24)';
    const short = keys.findIndex((k) => k.length < MIN_API_KEY_LENGTH);
    if (short >= 0) {
        return `FOLLOWUP_API_KEYS: key ${short + 1} of ${keys.length} is shorter than ${MIN_API_KEY_LENGTH} characters; use random keys, e.g. $(openssl rand -hex 24)`;
    }
    return undefined;
}

export function createApiKeyCheck(keys: readonly string[]): ApiKeyCheck {
    const digests = keys.map((key) => ({ digest: sha256(key), scope: sha256(`followup-api-key-scope:${key}`).toString('hex').slice(0, 32) }));
    return {
        verify(authorization) {
            const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
            if (!match) return undefined;
            const given = sha256(match[1]!);
            let scope: string | undefined;
            for (const key of digests) if (timingSafeEqual(given, key.digest) && scope === undefined) scope = key.scope;
            return scope;
        },
    };
}

function sha256(text: string): Buffer {
    return createHash('sha256').update(text, 'utf8').digest();
}
