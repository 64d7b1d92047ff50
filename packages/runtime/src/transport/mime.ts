// Small email helpers shared by the transports that write messages (SMTP, and any writer of `.eml`
// files): the stable Message-ID of a delivery, and the checks on what a message may carry into
// its headers. Pure functions, no I/O.

/** The domain part of every Message-ID followup writes. */
export const MESSAGE_ID_DOMAIN = 'followup';

/**
 * The Message-ID of a delivery, `<deliveryId@followup>`: the same on every attempt, so a receiver
 * (or a mailbox) can drop the copy a retry produced after a reply was lost. A delivery id holding
 * characters that are not safe in a msg-id (RFC 5322 `dot-atom-text`, kept to a conservative
 * subset) is escaped injectively (`=XX` per byte), so the id stays a function of the delivery.
 */
export function messageIdFor(deliveryId: string): string {
    const safe = deliveryId.replace(/[^A-Za-z0-9_+-]/gu, ch =>
        Array.from(Buffer.from(ch, 'utf8'), byte => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    );
    return `<${safe || '=00'}@${MESSAGE_ID_DOMAIN}>`;
}

/**
 * Headers the transport writes itself, or that would change who receives the message: a message's
 * extra `headers` may not set them.
 */
const RESERVED_HEADERS = new Set([
    'from',
    'to',
    'cc',
    'bcc',
    'subject',
    'message-id',
    'date',
    'mime-version',
    'content-type',
    'content-transfer-encoding',
    'content-disposition',
    'return-path',
]);

/** RFC 5322 field name: printable US-ASCII except the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

/**
 * Why a message's extra headers can't be written (a reserved or malformed name, a value with a
 * line break that would start a header of its own), or undefined when they can.
 */
export function extraHeadersProblem(headers: Readonly<Record<string, string>> | undefined): string | undefined {
    if (!headers) return undefined;
    for (const [name, value] of Object.entries(headers)) {
        if (!FIELD_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a valid header field name`;
        if (RESERVED_HEADERS.has(name.toLowerCase())) return `header ${name} is set by the transport and can't be given in the message's headers`;
        if (typeof value !== 'string') return `header ${name}: the value must be a string`;
        if (/[\r\n\0]/.test(value)) return `header ${name}: the value must not contain line breaks`;
    }
    return undefined;
}

/**
 * Whether `to` is one bare email address (`local@domain`, no display name, no list): an address
 * list or a name-addr in a recipient field would send the follow-up to someone else as well.
 */
export function isSingleEmailAddress(to: string): boolean {
    return /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/u.test(to) && !/[\0-\x1f\x7f]/.test(to);
}
