// When tracking is on, and with what: FOLLOWUP_SECRET (signs links; required for any tracking) and
// FOLLOWUP_PUBLIC_URL (where the links point), FOLLOWUP_UNSUBSCRIBE_MAILTO (optional mailto:
// unsubscribe address). `followup serve` tracks whenever the secret is set (the public URL defaults
// to where it listens); `followup run` only when both are set, as it has no address of its own.
import { FollowupError } from '@followup/values';
import { checkTrackingSecret, isHttpUrl } from './tokens.js';
import type { TrackingDecoratorOptions } from './decorate.js';

export const SECRET_ENV = 'FOLLOWUP_SECRET';
export const PUBLIC_URL_ENV = 'FOLLOWUP_PUBLIC_URL';
export const UNSUBSCRIBE_MAILTO_ENV = 'FOLLOWUP_UNSUBSCRIBE_MAILTO';

export class TrackingConfigError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

/**
 * The tracking options the environment gives, or undefined when there is no tracking:
 * FOLLOWUP_SECRET unset, or no public URL (neither FOLLOWUP_PUBLIC_URL nor `defaultPublicUrl`, read
 * at each use: serve learns its address when it listens). Throws TrackingConfigError for a secret
 * too short or a FOLLOWUP_PUBLIC_URL that is not http(s).
 */
export function trackingFromEnvironment(
    env: Readonly<Record<string, string | undefined>>,
    defaultPublicUrl?: () => string,
): TrackingDecoratorOptions | undefined {
    const given = env[PUBLIC_URL_ENV]?.trim();
    if (given && !isHttpUrl(given)) {
        throw new TrackingConfigError(`${PUBLIC_URL_ENV} must be an http(s) URL such as https://t.shop.example, not '${given}'`);
    }
    const secret = env[SECRET_ENV];
    if (secret === undefined || secret === '') return undefined;
    try {
        checkTrackingSecret(secret);
    } catch (error) {
        throw new TrackingConfigError((error as Error).message);
    }
    const urlOf = given ? () => given : defaultPublicUrl;
    if (!urlOf) return undefined;
    const mailto = env[UNSUBSCRIBE_MAILTO_ENV]?.trim();
    return {
        secret,
        get publicUrl() {
            return urlOf().replace(/\/+$/, '');
        },
        ...(mailto ? { unsubscribeMailto: mailto } : {}),
    };
}
