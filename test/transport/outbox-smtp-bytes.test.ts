// The outbox folder writes the message the SMTP transport sends, byte for byte (both build it with
// mime.ts's buildEmail): what a user previews in .followup/outbox is what a mail server would get.
// Only the random MIME boundary differs between two builds of one message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutboxFolderTransport } from '../../packages/runtime/src/transport/outbox-folder.js';
import { createSmtpTransport } from '../../packages/runtime/src/transport/smtp.js';
import type { OutgoingMessage } from '../../packages/runtime/src/transport/transport.js';
import { tempDir } from '../runtime/support.js';
import { startSmtpSink } from '../support/smtp-sink.js';

const temp = tempDir('outbox-smtp-bytes');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
const FROM = 'Boutique Zoë <hello@shop.example>';

const messages: OutgoingMessage[] = [
    {
        deliveryId: 'fu:cart-1:nudge', channel: 'email', to: 'ada@example.com', rule: 'nudge', eventId: 'cart-1',
        subject: 'Zoë, votre panier vous attend — 3 articles', date: new Date('2026-11-23T10:00:00Z'),
        text: `Bonjour Zoë,\n${'une ligne bien plus longue que soixante-seize caractères, '.repeat(3)}\n.\nfin`,
        html: `<p>Bonjour <b>Zoë</b></p>\n<p>${'x'.repeat(200)}</p>`,
        headers: { 'X-Followup-Rule': 'nudge', 'List-Unsubscribe': '<https://shop.example/u?t=abc>' },
    },
    {
        deliveryId: 'fu:cart-2:nudge', channel: 'email', to: 'bob@example.com', rule: 'nudge', eventId: 'cart-2',
        subject: 'Plain', text: 'Only text.\r\n', date: new Date('2026-11-23T10:00:01Z'),
    },
];

const sameBoundary = (raw: Buffer) => raw.toString('latin1').replace(/=_followup_[0-9a-f]{24}/g, '=_followup_BOUNDARY');

describe('the outbox folder and SMTP', () => {
    it('write and send the same bytes for the same message', async () => {
        const sink = await startSmtpSink();
        const smtp = createSmtpTransport(sink.url, { from: FROM, env: {} });
        const dir = path.join(temp, 'outbox');
        const folder = createOutboxFolderTransport(dir, { from: FROM });
        try {
            for (const message of messages) {
                expect((await smtp.send(message)).status).toBe('sent');
                expect((await folder.send(message)).status).toBe('sent');
            }
            await folder.flush?.();
            const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
            expect(files).toHaveLength(messages.length);
            const written = files.map((f) => sameBoundary(fs.readFileSync(path.join(dir, f))));
            const sent = sink.messages.map((m) => sameBoundary(m.raw)); // in the order sent: ada's, then bob's, as the files sort
            expect(written[0]).toContain('ada@example.com');
            expect(written).toEqual(sent);
        } finally {
            await smtp.close();
            await folder.close?.();
            await sink.close();
        }
    });
});
