// Opens made by machines rather than people: mail privacy proxies fetch every image of a message
// (Apple Mail Privacy Protection prefetches them as the mail arrives) or fetch on the reader's behalf
// through a cache. They still count as opens (docs/language.md §4) but are recorded with `machine = true`,
// so that a rule can one day ask for `opened by a person`. The list is in docs/tracking.md.
import { isIP } from 'node:net';

export interface OpenSource {
    userAgent?: string | undefined;
    ip?: string | undefined;
}

/** A user agent pattern of a known proxy, and who it is. */
const PROXY_USER_AGENTS: ReadonlyArray<[RegExp, string]> = [
    // Apple Mail Privacy Protection fetches with a bare "Mozilla/5.0" and nothing else.
    [/^Mozilla\/5\.0$/, 'apple-mail-privacy-protection'],
    [/GoogleImageProxy/i, 'gmail-image-proxy'],
    [/YahooMailProxy/i, 'yahoo-mail-proxy'],
    [/Superhuman/i, 'superhuman-proxy'],
    [/\b(?:bot|crawler|spider)\b|Googlebot|bingbot|HeadlessChrome|python-requests|curl\//i, 'bot'],
];

/** Apple's address blocks (17.0.0.0/8 and its IPv6 prefixes), where Mail Privacy Protection fetches from. */
function isAppleAddress(ip: string): boolean {
    const version = isIP(ip);
    if (version === 4) return ip.startsWith('17.');
    if (version === 6) {
        const lower = ip.toLowerCase();
        if (lower.startsWith('::ffff:')) return isAppleAddress(lower.slice('::ffff:'.length));
        return lower.startsWith('2620:149:') || lower.startsWith('2a01:b740:') || lower.startsWith('2403:300:');
    }
    return false;
}

/** Who made this open when it was a machine (`gmail-image-proxy`, ...), else undefined. */
export function machineOpener(source: OpenSource): string | undefined {
    const agent = source.userAgent?.trim() ?? '';
    // An image fetched without any user agent is not a mail client a person is reading.
    if (agent === '') return 'no-user-agent';
    for (const [pattern, name] of PROXY_USER_AGENTS) if (pattern.test(agent)) return name;
    if (source.ip && isAppleAddress(source.ip)) return 'apple-mail-privacy-protection';
    return undefined;
}

export function isMachineOpen(source: OpenSource): boolean {
    return machineOpener(source) !== undefined;
}
