// The signed tokens written into emails: the open pixel, each click redirect and the unsubscribe
// link. A token is `<payload>.<signature>`, both base64url: the payload is the JSON array
// [kind, deliveryId, url?, link?], the signature an HMAC-SHA256 over a versioned label and that same
// payload under FOLLOWUP_SECRET. So the URL a click redirects to is read back from the token (no
// lookup), and changing any byte of it (another URL, another delivery, an open token used as a
// click) makes the signature fail. Verification compares with crypto.timingSafeEqual.
import { FollowupError } from '@followup/values';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'open' | 'click' | 'unsubscribe';

/** What a verified token says. */
export type TrackingToken =
    | { kind: 'open'; deliveryId: string }
    | { kind: 'click'; deliveryId: string; url: string; link?: string }
    | { kind: 'unsubscribe'; deliveryId: string };

const KIND_CODES: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const KINDS_BY_CODE = new Map(Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as TokenKind]));

/** Changing the token format changes this label, so old tokens fail rather than being misread. */
const SIGNATURE_LABEL = 'followup-tracking-v1';
const SIGNATURE_BYTES = 32;
/** Longer tokens are refused before any work is done (a URL in an email is rarely over 2 KB). */
export const MAX_TOKEN_LENGTH = 8192;

/** A secret shorter than this is refused: a guessable secret would let anyone sign redirects. */
export const MIN_SECRET_LENGTH = 16;

export class TrackingSecretError extends FollowupError {
    constructor(message: string) {
        super(message, 'usage');
    }
}

/** Throws unless `secret` is long enough to sign links with. The message never includes it. */
export function checkTrackingSecret(secret: string | undefined): asserts secret is string {
    if (!secret || secret.length < MIN_SECRET_LENGTH) {
        throw new TrackingSecretError(`FOLLOWUP_SECRET must be set to at least ${MIN_SECRET_LENGTH} characters (a random string) to sign tracking links`);
    }
}

export function signToken(token: TrackingToken, secret: string): string {
    const fields: string[] = [KIND_CODES[token.kind], token.deliveryId];
    if (token.kind === 'click') {
        fields.push(token.url);
        if (token.link !== undefined) fields.push(token.link);
    }
    const payload = Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
    return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** The token's content when its signature verifies and its shape is one we write; else undefined. */
export function verifyToken(token: string, secret: string): TrackingToken | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
    const payload = token.slice(0, dot);
    const given = token.slice(dot + 1);
    if (!isBase64Url(payload) || !isBase64Url(given)) return undefined;
    const givenBytes = Buffer.from(given, 'base64url');
    // Re-encoding must give the same text: no second spelling of a signature is accepted.
    if (givenBytes.length !== SIGNATURE_BYTES || givenBytes.toString('base64url') !== given) return undefined;
    if (!timingSafeEqual(givenBytes, signature(payload, secret))) return undefined;
    return decodePayload(payload);
}

function signature(payload: string, secret: string): Buffer {
    return createHmac('sha256', secret).update(`${SIGNATURE_LABEL}\n${payload}`).digest();
}

function isBase64Url(text: string): boolean {
    return /^[A-Za-z0-9_-]+$/.test(text);
}

function decodePayload(payload: string): TrackingToken | undefined {
    let fields: unknown;
    try {
        fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
        return undefined;
    }
    if (!Array.isArray(fields) || !fields.every(f => typeof f === 'string')) return undefined;
    const [code, deliveryId, url, link, ...rest] = fields as string[];
    const kind = code === undefined ? undefined : KINDS_BY_CODE.get(code);
    if (!kind || !deliveryId || rest.length > 0) return undefined;
    if (kind === 'click') {
        if (url === undefined || !isHttpUrl(url)) return undefined;
        return link === undefined ? { kind, deliveryId, url } : { kind, deliveryId, url, link };
    }
    return url === undefined ? { kind, deliveryId } : undefined;
}

/** An absolute http(s) URL: the only kind of target a click redirect may have. */
export function isHttpUrl(text: string): boolean {
    if (!/^https?:\/\//i.test(text)) return false;
    try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
        return false;
    }
}
