// URLs (`url` fields, tracked links, click records).
import { describeValue, isStorableText } from './text.js';

/** An absolute http: or https: URL with a host, as the WHATWG URL parser reads it. */
export function isHttpUrl(text: unknown): boolean {
    return typeof text === 'string' && normaliseHttpUrl(text) !== undefined;
}

/**
 * The URL as the WHATWG parser writes it back (`new URL(text).href`: non-ASCII characters
 * percent-encoded, tabs and line breaks removed), or undefined when it is not an absolute http(s) URL.
 * What a redirect must send as its Location: the raw text may hold characters a header cannot.
 */
export function normaliseHttpUrl(text: string): string | undefined {
    if (!isStorableText(text)) return undefined;
    try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url.href : undefined;
    } catch {
        return undefined;
    }
}

/** Why `value` is not an http(s) URL, or undefined. */
export function urlProblem(value: unknown): string | undefined {
    return isHttpUrl(value) ? undefined : `expected an absolute http(s) URL, got ${describeValue(value)}`;
}
