// Tracking written into a rendered HTML email: every http(s) link becomes a signed click redirect
// through followup serve, and an open pixel is added before </body>.
//
// The HTML is the output of our own templates (values HTML-escaped by the template compiler), so a
// tolerant scanner of `<a ...>` start tags is enough: it reads each tag's attributes the way a browser
// tokenizes them (double-, single- and unquoted values, `>` inside quotes), takes the first `href`
// (browsers ignore later duplicates), unescapes its character references to get the real URL, and
// writes the redirect back escaped and double-quoted. Everything else in the document is left byte
// for byte as it was. Links that are not absolute http(s) URLs (mailto:, tel:, #anchors, relative
// paths) and links into followup serve itself (the unsubscribe page) are not rewritten.
import { signToken } from './tokens.js';
import { escapeHtml } from '../html/escape-html.js';

export interface TrackingOptions {
    /** followup serve's public base URL (FOLLOWUP_PUBLIC_URL), e.g. `https://t.shop.example`. */
    publicUrl: string;
    /** FOLLOWUP_SECRET. */
    secret: string;
}

/** The attribute naming a link for `clicked link "checkout"`: `<a href="..." data-link="checkout">`. */
export const LINK_NAME_ATTRIBUTE = 'data-link';

/** `<a` followed by attributes (quoted values may hold `>`) up to the tag's end. */
const ANCHOR_START_TAG = /<a(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
/** One attribute of a start tag: its name, then optionally `=` and a value. */
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

export function trackedBase(publicUrl: string): string {
    return publicUrl.replace(/\/+$/, '');
}

export function clickUrl(options: TrackingOptions, deliveryId: string, url: string, link?: string): string {
    const token = signToken(link === undefined ? { kind: 'click', deliveryId, url } : { kind: 'click', deliveryId, url, link }, options.secret);
    return `${trackedBase(options.publicUrl)}/t/c/${token}`;
}

export function openPixelUrl(options: TrackingOptions, deliveryId: string): string {
    return `${trackedBase(options.publicUrl)}/t/o/${signToken({ kind: 'open', deliveryId }, options.secret)}`;
}

export function unsubscribeUrl(options: TrackingOptions, deliveryId: string): string {
    return `${trackedBase(options.publicUrl)}/u/${signToken({ kind: 'unsubscribe', deliveryId }, options.secret)}`;
}

/** The HTML with its links turned into signed click redirects and an open pixel added. */
export function applyTracking(html: string, deliveryId: string, options: TrackingOptions): string {
    const own = `${trackedBase(options.publicUrl)}/`;
    const rewritten = html.replace(ANCHOR_START_TAG, (tag: string, attributes: string) => {
        const href = firstAttribute(attributes, 'href');
        if (!href) return tag;
        const url = unescapeHtml(href.value).trim();
        if (!/^https?:\/\//i.test(url) || url.startsWith(own)) return tag;
        const name = firstAttribute(attributes, LINK_NAME_ATTRIBUTE);
        const link = name ? unescapeHtml(name.value).trim() || undefined : undefined;
        const tracked = clickUrl(options, deliveryId, url, link);
        const start = 2 + href.start; // `<a` precedes the attributes
        return `${tag.slice(0, start)}href="${escapeHtml(tracked)}"${tag.slice(start + href.length)}`;
    });
    const pixel = `<img src="${escapeHtml(openPixelUrl(options, deliveryId))}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px" />`;
    const bodyEnd = lastIndexOfIgnoreCase(rewritten, '</body');
    return bodyEnd < 0 ? `${rewritten}${pixel}` : `${rewritten.slice(0, bodyEnd)}${pixel}${rewritten.slice(bodyEnd)}`;
}

interface AttributeMatch {
    /** The value as written, still HTML-escaped ('' for an attribute without a value). */
    value: string;
    /** Where the whole attribute (name through value) starts in the attribute text, and its length. */
    start: number;
    length: number;
}

function firstAttribute(attributes: string, name: string): AttributeMatch | undefined {
    for (const m of attributes.matchAll(ATTRIBUTE)) {
        if (m[1]!.toLowerCase() === name) {
            return { value: m[2] ?? m[3] ?? m[4] ?? '', start: m.index, length: m[0].length };
        }
    }
    return undefined;
}

function lastIndexOfIgnoreCase(text: string, needle: string): number {
    return text.toLowerCase().lastIndexOf(needle);
}

const NAMED_REFERENCES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character references in an attribute value → the characters (named: the five XML ones). */
export function unescapeHtml(text: string): string {
    return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g, (whole, dec?: string, hex?: string, name?: string) => {
        if (name !== undefined) return NAMED_REFERENCES[name.toLowerCase()] ?? whole;
        const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
        return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\uFFFD';
    });
}

