// What the executor hands a channel transport, and what it hears back.
export type ChannelName = 'email' | 'sms' | 'push';

export interface OutgoingMessage {
    /** The follow-up's delivery id: stable across retries, so a transport can de-duplicate on it. */
    deliveryId: string;
    channel: ChannelName;
    /** The recipient's address (email, phone number or push token). */
    to: string;
    /** The rule that made it (null for a transactional message). */
    rule: string | null;
    eventId: string;
    subject?: string;
    html?: string;
    text?: string;
    title?: string;
    /** Extra headers (email) — List-Unsubscribe and the like. */
    headers?: Record<string, string>;
    /**
     * When it is sent, on the run's clock (an email's Date header): a replayed clock (`--now`) dates
     * its messages then, not on the machine's clock.
     */
    date?: Date;
}

export type SendResult =
    /** Accepted for delivery. */
    | { status: 'sent'; providerId?: string }
    /** A temporary failure (SMTP 4xx, connection error, HTTP 429/5xx): try again later. */
    | { status: 'retry'; error: string; retryAfterMs?: number }
    /** A permanent failure (SMTP 5xx, HTTP 4xx): recorded as failed, never retried. */
    | { status: 'failed'; error: string };

export interface Transport {
    /** For logs and summaries: `outbox:/path`, `smtp://host:port` (never credentials). */
    readonly description: string;
    send(message: OutgoingMessage): Promise<SendResult>;
    /**
     * Makes durable what `send` answered 'sent' for since the last flush. A transport that writes
     * locally (the outbox folder) may defer its flushes to this, which the dispatcher calls once per
     * batch, before the batch is recorded as sent; a rejection makes the batch's messages of this
     * transport temporary failures. Optional: a transport whose 'sent' is already durable has none.
     */
    flush?(): Promise<void>;
    /**
     * True when sending a delivery that was sent before delivers nothing again (the outbox folder: its
     * file exists). Then the dispatcher sends a batch while the previous one is still being flushed
     * and recorded: if recording fails, both batches are sent again later, which such a transport
     * turns into no-ops. Other transports (SMTP, webhooks) keep one batch unrecorded at a time.
     */
    readonly idempotent?: boolean;
    close(): Promise<void>;
}
