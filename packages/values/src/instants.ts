// Instants (`timestamp` fields, records' `at`, `--now`) and dates (`date` fields).
//
// The rule: an ISO-8601 calendar date of a real day (2026-02-30 is not one), a time (seconds and a
// fraction of up to 9 digits optional), and a zone, `Z` or an offset up to ±15:59 (PostgreSQL refuses
// larger ones); the instant, once the offset is applied, falls in the years 0001 to 9999 (PostgreSQL has
// no year 0, and JavaScript writes years past 9999 as `+010000`). Dates are the same calendar days.
//
// The patterns below are written for both JavaScript and PostgreSQL's regular expressions (no `\d`,
// no look-behind), so the SQL guard (`Dialect.jsonAs`) matches exactly the strings this module accepts
// before it casts them; a table-driven test runs both on both engines.
import { describeValue } from './text.js';

const YEAR = '(?!0000)[0-9]{4}';
const LEAP_YEAR = '([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)';
/** A real calendar day, years 0001-9999. */
const DAY =
    `(${YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))` +
    `|${LEAP_YEAR}-02-29)`;
const TIME = '[Tt]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?)?';
const ZONE = '([Zz]|[+-](0[0-9]|1[0-5]):?[0-5][0-9])';

/** `yyyy-mm-dd`, a real day of the years 0001-9999. */
export const DATE_PATTERN = `^${DAY}$`;
/** The shape of an instant; the year range after the offset is checked apart (INSTANT_RANGE). */
export const INSTANT_PATTERN = `^${DAY}${TIME}${ZONE}$`;

/** What `regexp_replace(text, pattern, '\\1')` keeps of a fraction: its first six digits (microseconds). */
export const FRACTION_BEYOND_MICROSECONDS = '([.][0-9]{6})[0-9]+';

/** The first and last instants kept: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z. */
export const INSTANT_RANGE = { min: '0001-01-01T00:00:00Z', max: '9999-12-31T23:59:59.999999Z' } as const;

const MIN_MS = utcMs(1, 1, 1, 0, 0, 0); // 0001-01-01T00:00:00Z
const END_MS = utcMs(10000, 1, 1, 0, 0, 0); // 10000-01-01T00:00:00Z

const DATE_RE = new RegExp(DATE_PATTERN);
const INSTANT_RE = new RegExp(INSTANT_PATTERN);
const PARTS = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))$/;

export const INSTANT_EXAMPLE = '2026-11-20T10:00:00Z';
export const INSTANT_WORDS = `an ISO-8601 instant with a time zone, such as "${INSTANT_EXAMPLE}", in the years 0001-9999`;

/**
 * The instant `text` names, or undefined when it is not one by the rule above. Digits of the fraction
 * beyond the millisecond are dropped (a Date holds milliseconds); the SQL guard drops those beyond the
 * microsecond before it casts (PostgreSQL would round them), so both read the same instant.
 */
export function parseInstant(text: string): Date | undefined {
    if (typeof text !== 'string' || text.length > 40 || !INSTANT_RE.test(text)) return undefined;
    const m = PARTS.exec(text)!;
    const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    const s = m[6] === undefined ? 0 : Number(m[6]);
    const fraction = (m[7] ?? '').padEnd(9, '0');
    const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    const localMs = utcMs(y, mo, d, h, mi, s) + Number(fraction.slice(0, 3));
    const ms = localMs - offsetMinutes * 60_000;
    if (ms < MIN_MS || ms >= END_MS) return undefined;
    return new Date(ms);
}

export function isInstant(text: unknown): boolean {
    return typeof text === 'string' && parseInstant(text) !== undefined;
}

/** Why `value` is not an instant, or undefined. */
export function instantProblem(value: unknown): string | undefined {
    return isInstant(value) ? undefined : `expected ${INSTANT_WORDS}, got ${describeValue(value)}`;
}

/** A Date the store can keep and write back as `yyyy-mm-ddThh:mm:ss.sssZ`: years 0001-9999. */
export function isStorableDate(date: Date): boolean {
    const ms = date.getTime();
    return Number.isFinite(ms) && ms >= MIN_MS && ms < END_MS;
}

/** A calendar date written `yyyy-mm-dd`, a real day of the years 0001-9999. */
export function isIsoDate(text: unknown): boolean {
    return typeof text === 'string' && text.length === 10 && DATE_RE.test(text);
}

/** Why `value` is not a date, or undefined. */
export function dateProblem(value: unknown): string | undefined {
    return isIsoDate(value) ? undefined : `expected a date written yyyy-mm-dd (a real day, years 0001-9999), got ${describeValue(value)}`;
}

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
    const at = new Date(0);
    at.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps the years 0-99 to 1900-1999
    at.setUTCHours(h, mi, s, 0);
    return at.getTime();
}
