// Email helpers shared by the transports that write messages (SMTP, and any writer of `.eml`
// files): the stable Message-ID of a delivery, the checks on what a message may carry into its
// headers, and `buildEmail`, the whole RFC 5322 message in one Buffer. No I/O.
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { foldLines, hasLongerLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

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

/** The one address of a From such as `Shop <hello@shop.example>`, or undefined if it isn't one address. */
export function singleAddressOf(from: string): string | undefined {
    if (/[\r\n]/.test(from)) return undefined;
    const parsed = addressparser(from, { flatten: true });
    return parsed.length === 1 && parsed[0]?.address && /@/.test(parsed[0].address) ? parsed[0].address : undefined;
}

export interface EmailContent {
    /** `Shop <hello@shop.example>`. */
    from: string;
    /** One bare address (see isSingleEmailAddress). */
    to: string;
    subject?: string | undefined;
    text?: string | undefined;
    html?: string | undefined;
    /** With its angle brackets: messageIdFor(deliveryId). */
    messageId: string;
    /** Extra headers, checked with extraHeadersProblem first. */
    headers?: Readonly<Record<string, string>> | undefined;
    /** Default: now. */
    date?: Date | undefined;
}

/**
 * nodemailer's header and address encoder, one for the process: a MimeNode draws random bytes for
 * its own boundaries when it is made (~12 µs an email), and encoding a header or an envelope reads
 * nothing of the node but the options it was made with.
 */
const encoder = new MimeNode(false);

/** A multipart boundary: unique in the process (a random part drawn once, then a count), 24 hex digits. */
const boundaryPrefix = randomBytes(6).toString('hex');
let boundaryCount = 0;
function nextBoundary(): string {
    boundaryCount = (boundaryCount + 1) % 2 ** 48;
    return `=_followup_${boundaryPrefix}${boundaryCount.toString(16).padStart(12, '0')}`;
}

/** The SMTP envelope of a message from `from` to `to`, as nodemailer makes it (bare addresses, domains in punycode). */
export function envelopeOf(from: string, to: string): { from: string; to: string[] } {
    const envelope = encoder.setEnvelope({ from, to: [to] }).getEnvelope() as { from: string | false; to: string[] };
    return { from: envelope.from || '', to: [...envelope.to] };
}

/**
 * The message as sent: headers encoded and folded the way nodemailer encodes them (its own
 * encoder, so non-ASCII names and subjects become RFC 2047 words and domains punycode), a
 * text/plain and a text/html part (multipart/alternative when both are there), each 7bit when it
 * is short-lined ASCII, else quoted-printable (base64 for mostly non-Latin text), CRLF line ends.
 *
 * Built in one pass into one Buffer: handing nodemailer this `raw` message instead of the fields
 * halves the CPU an email costs (its MIME tree streams every part through several transforms)
 * and writes it to the socket in one piece instead of a dozen.
 */
export function buildEmail(content: EmailContent): Buffer {
    const header = (key: string, value: string): string => foldLines(`${key}: ${encoder.encodeHeaderValue(key, value)}`, 76);
    const lines = [header('From', content.from), header('To', content.to)];
    if (content.subject) lines.push(header('Subject', content.subject));
    lines.push(header('Message-ID', content.messageId), `Date: ${(content.date ?? new Date()).toUTCString().replace(/GMT/, '+0000')}`);
    for (const [key, value] of Object.entries(content.headers ?? {})) {
        if (value.trim()) lines.push(header(key, value));
    }
    lines.push('MIME-Version: 1.0');

    const parts: Array<[string, string]> = [];
    if (content.text !== undefined) parts.push(['text/plain', content.text]);
    if (content.html !== undefined) parts.push(['text/html', content.html]);
    if (parts.length === 0) parts.push(['text/plain', '']);

    let body: string;
    if (parts.length === 1) {
        const [type, text] = parts[0]!;
        const part = encodePart(text);
        lines.push(`Content-Type: ${type}; charset=utf-8`, `Content-Transfer-Encoding: ${part.encoding}`);
        body = part.body;
    } else {
        const encoded = parts.map(([type, text]) => ({ type, ...encodePart(text) }));
        let boundary: string;
        do boundary = nextBoundary();
        while (encoded.some(p => p.body.includes(boundary)));
        lines.push(`Content-Type: multipart/alternative;\r\n boundary="${boundary}"`);
        body =
            encoded.map(p => `--${boundary}\r\nContent-Type: ${p.type}; charset=utf-8\r\nContent-Transfer-Encoding: ${p.encoding}\r\n\r\n${p.body}`).join('') +
            `--${boundary}--\r\n`;
    }
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** One text part's transfer encoding and encoded body (ending with CRLF). */
function encodePart(text: string): { encoding: '7bit' | 'quoted-printable' | 'base64'; body: string } {
    const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
    let encoding: '7bit' | 'quoted-printable' | 'base64';
    let body: string;
    if (/^[\t\r\n\x20-\x7e]*$/.test(crlf) && !hasLongerLines(crlf, 76)) {
        encoding = '7bit';
        body = crlf;
    } else if (mostlyLatin(crlf)) {
        encoding = 'quoted-printable';
        body = qpWrap(qpEncode(crlf), 76);
    } else {
        encoding = 'base64';
        body = Buffer.from(crlf, 'utf8').toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');
    }
    return { encoding, body: body.endsWith('\r\n') || body === '' ? body : `${body}\r\n` };
}

/** nodemailer's choice between Q and B: more Latin letters than 8-bit and control characters. */
function mostlyLatin(value: string): boolean {
    let nonLatin = 0;
    let latin = 0;
    for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code <= 0x08 || code === 0x0b || code === 0x0c || (code >= 0x0e && code <= 0x1f) || code >= 0x80) nonLatin++;
        else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
    }
    return nonLatin < latin;
}
