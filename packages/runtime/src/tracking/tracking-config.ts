// When tracking is on, and with what: FOLLOWUP_SECRET (signs links; required for any tracking) and
// FOLLOWUP_PUBLIC_URL (where the links point), FOLLOWUP_UNSUBSCRIBE_MAILTO (optional mailto:
// unsubscribe address). `followup serve` tracks whenever the secret is set (the public URL defaults
// to where it listens); `followup run` only when both are set, as it has no address of its own.
import { isHttpUrl } from './tokens.js';
import { checkTrackingSecret } from './tokens.js';
import type { TrackingDecoratorOptions } from './decorate.js';

export const SECRET_ENV = 'FOLLOWUP_SECRET';
export const PUBLIC_URL_ENV = 'FOLLOWUP_PUBLIC_URL';
export const UNSUBSCRIBE_MAILTO_ENV = 'FOLLOWUP_UNSUBSCRIBE_MAILTO';

export class TrackingConfigError extends Error {
    override readonly name = 'TrackingConfigError';
}

/**
 * The tracking options the environment gives, or undefined when FOLLOWUP_SECRET is unset (no
 * tracking). `publicUrl` may be a function, read at each use (serve learns its address on listen).
 * Throws TrackingConfigError for a secret too short or a public URL that is not http(s).
 */
export function trackingFromEnvironment(
    env: Readonly<Record<string, string | undefined>>,
    publicUrl: string | (() => string) | undefined = env[PUBLIC_URL_ENV],
): TrackingDecoratorOptions | undefined {
    const secret = env[SECRET_ENV];
    if (secret === undefined || secret === '') return undefined;
    try {
        checkTrackingSecret(secret);
    } catch (error) {
        throw new TrackingConfigError((error as Error).message);
    }
    if (publicUrl === undefined || publicUrl === '') return undefined;
    const urlOf = typeof publicUrl === 'function' ? publicUrl : () => publicUrl;
    if (typeof publicUrl === 'string' && !isHttpUrl(publicUrl)) {
        throw new TrackingConfigError(`${PUBLIC_URL_ENV} must be an http(s) URL such as https://t.shop.example, not '${publicUrl}'`);
    }
    const mailto = env[UNSUBSCRIBE_MAILTO_ENV]?.trim();
    return {
        secret,
        get publicUrl() {
            return urlOf().replace(/\/+$/, '');
        },
        ...(mailto ? { unsubscribeMailto: mailto } : {}),
    };
}
