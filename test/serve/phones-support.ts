import type { OutgoingMessage, SendResult, Transport } from '@followup/runtime';

/** A transport that accepts everything and keeps nothing (these tests look at what is stored). */
export class NoTransport implements Transport {
    readonly description = 'none';
    async send(_message: OutgoingMessage): Promise<SendResult> {
        return { status: 'sent' };
    }
    async close(): Promise<void> {}
}
