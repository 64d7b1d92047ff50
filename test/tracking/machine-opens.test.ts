// Which opens are machines' (privacy proxies), and reading our delivery id back from a Message-ID.
import { describe, expect, it } from 'vitest';
import { machineOpener } from '../../packages/server/src/tracking/machine-opens.js';
import { deliveryIdFromMessageId } from '../../packages/runtime/src/tracking/message-id.js';
import { messageIdFor } from '../../packages/runtime/src/transport/mime.js';

describe('machineOpener', () => {
    it('recognises the documented proxies', () => {
        expect(machineOpener({ userAgent: 'Mozilla/5.0' })).toBe('apple-mail-privacy-protection');
        expect(machineOpener({ userAgent: 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15', ip: '17.253.1.2' })).toBe('apple-mail-privacy-protection');
        expect(machineOpener({ userAgent: 'Mozilla/5.0 (Macintosh)', ip: '::ffff:17.0.0.9' })).toBe('apple-mail-privacy-protection');
        expect(machineOpener({ userAgent: 'Mozilla/5.0 (Macintosh)', ip: '2620:149:a:b::1' })).toBe('apple-mail-privacy-protection');
        expect(machineOpener({ userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' })).toBe('gmail-image-proxy');
        expect(machineOpener({ userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' })).toBe('yahoo-mail-proxy');
        expect(machineOpener({ userAgent: 'curl/8.5.0' })).toBe('bot');
        expect(machineOpener({})).toBe('no-user-agent');
    });

    it('leaves mail clients read by people alone', () => {
        for (const userAgent of [
            'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
            'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
            'Thunderbird/115.5.0',
        ]) {
            expect(machineOpener({ userAgent, ip: '203.0.113.7' }), userAgent).toBeUndefined();
        }
        expect(machineOpener({ userAgent: 'Mozilla/5.0 (X11)', ip: '170.1.2.3' })).toBeUndefined();
    });
});

describe('deliveryIdFromMessageId', () => {
    it('is the inverse of messageIdFor, with or without angle brackets', () => {
        for (const id of ['transactional.email:cart-1', 'cartAbandonment_followup_email:c 1/é', 'plain-id_1+2']) {
            const messageId = messageIdFor(id);
            expect(deliveryIdFromMessageId(messageId)).toBe(id);
            expect(deliveryIdFromMessageId(messageId.slice(1, -1))).toBe(id);
        }
    });

    it('refuses Message-IDs that are not ours or not written the way we write them', () => {
        for (const other of [undefined, '', '<14c5d75ce93.dfd.64b469@ismtpd-555>', '<a@followup.example>', '<a=3a@followup>', '<a=ZZ@followup>', '<=00@followup>', '<a:b@followup>']) {
            expect(deliveryIdFromMessageId(other), String(other)).toBeUndefined();
        }
    });
});
