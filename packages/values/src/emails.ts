// Email addresses, and the one normalisation of every address (what suppressions keep and the
// compiled SQL compares).
import { e164 } from './phones.js';
import { describeValue, isStorableText, lowerAscii, trimBlanks } from './text.js';

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Longer addresses are refused (RFC 5321 allows 254 characters in a path; this leaves room). */
export const MAX_EMAIL_LENGTH = 320;

/** Looks like an email address, `local@domain.tld`, once its surrounding blanks (BLANK_CHARACTERS) are trimmed. */
export function looksLikeEmail(text: unknown): boolean {
    if (typeof text !== 'string') return false;
    const address = trimBlanks(text);
    return address.length <= MAX_EMAIL_LENGTH && EMAIL.test(address) && isStorableText(address);
}

/** Why `value` is not an email address, or undefined. */
export function emailProblem(value: unknown): string | undefined {
    return looksLikeEmail(value) ? undefined : `expected an email address, got ${describeValue(value)}`;
}

/**
 * An email address as it is compared and kept in suppressions: blanks trimmed (BLANK_CHARACTERS, tabs
 * and line breaks included), ASCII letters lower-cased. The SQL side is `Dialect.normaliseEmail`:
 * the same characters trimmed, `translate` for the letters, so no database locale changes it.
 */
export function normaliseEmail(address: string): string {
    return lowerAscii(trimBlanks(address));
}

/**
 * A phone number as it is compared and kept in suppressions: E.164 (`+33622222222`) when it is one,
 * else blanks trimmed. Event data, deliveries and unsubscribes hold phone numbers in E.164 already
 * (import and ingestion rewrite them, phones.ts), so the compiled SQL compares them trimmed.
 */
export function normalisePhone(number: string, region?: string): string {
    return e164(number, region) ?? trimBlanks(number);
}

export type AddressChannel = 'email' | 'sms' | 'push';

/** The address of a channel as it is compared and kept in suppressions. */
export function normaliseAddress(channel: AddressChannel, address: string, phoneRegion?: string): string {
    switch (channel) {
        case 'email': return normaliseEmail(address);
        case 'sms': return normalisePhone(address, phoneRegion);
        case 'push': return trimBlanks(address);
    }
}
