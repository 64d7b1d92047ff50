// A transport that keeps what it is given: the scenario runner's and the simulator's channel.
// Everything else is production code: dispatch hands it the rendered message as it would SMTP.
import type { OutgoingMessage, SendResult, Transport } from '../transport/transport.js';

export interface MemoryTransport extends Transport {
    /** The messages sent since the last call, in order. */
    take(): OutgoingMessage[];
}

export function createMemoryTransport(description = 'memory'): MemoryTransport {
    let messages: OutgoingMessage[] = [];
    return {
        description,
        async send(message: OutgoingMessage): Promise<SendResult> {
            messages.push(message);
            return { status: 'sent' };
        },
        take() {
            const taken = messages;
            messages = [];
            return taken;
        },
        async close() {},
    };
}
