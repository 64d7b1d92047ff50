// Email addresses, and the one normalisation of every address (what suppressions keep and the
// compiled SQL compares).
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
 * A phone number as it is compared and kept in suppressions. Today: blanks trimmed.
 * The place for E.164 normalisation (libphonenumber-js with a project default region, issue 10): change
 * it here and in `Dialect.normaliseAddress`, and both sides follow.
 */
export function normalisePhone(number: string): string {
    return trimBlanks(number);
}

export type AddressChannel = 'email' | 'sms' | 'push';

/** The address of a channel as it is compared and kept in suppressions. */
export function normaliseAddress(channel: AddressChannel, address: string): string {
    switch (channel) {
        case 'email': return normaliseEmail(address);
        case 'sms': return normalisePhone(address);
        case 'push': return trimBlanks(address);
    }
}
