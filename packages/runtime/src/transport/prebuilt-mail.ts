// A message built whole by buildEmail (mime.ts), handed straight to nodemailer's SMTP pool as its
// transport API takes a message (`transport.send(mail, callback)`; the pool reads the message's
// envelope, its Message-ID and a stream of its bytes, and nothing else: smtp-pool/pool-resource.js).
// Through `sendMail({ raw })` nodemailer's Mailer built a MIME tree around the bytes to stream them
// (random bytes for a boundary and a Message-ID it then did not use, a stream pipeline whose abort
// signal made a DOMException with a stack trace at every message, two transforms): about 40% of the
// CPU an email cost the sending process, for the same bytes on the wire (bench/README.md, "SMTP:
// the built message straight to the pool").
import { Readable } from 'node:stream';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';

export interface SmtpEnvelope {
    from: string;
    to: string[];
}

/** What nodemailer's pool sends: `raw` (ending with CRLF) to `envelope`, logged under `messageId`. */
export function prebuiltMail(raw: Buffer, envelope: SmtpEnvelope, messageId: string): MailMessage {
    const message = {
        // A copy each time: the pool adds the send's options (DSN) to the envelope it gets.
        getEnvelope: () => ({ from: envelope.from, to: [...envelope.to] }),
        messageId: () => messageId,
        getHeader: (key: string) => (key.toLowerCase() === 'message-id' ? messageId : undefined),
        createReadStream: () => new Readable({
            read() {
                this.push(raw);
                this.push(null);
            },
        }),
    };
    return { data: {}, message } as unknown as MailMessage;
}
