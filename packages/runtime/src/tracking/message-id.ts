// Reading our delivery id back out of a Message-ID, as providers report it in their events
// (`<id@followup>`, with or without the angle brackets): the inverse of transport/mime.ts messageIdFor.
import { MESSAGE_ID_DOMAIN, messageIdFor } from '../transport/mime.js';

export function deliveryIdFromMessageId(messageId: string | undefined): string | undefined {
    if (typeof messageId !== 'string') return undefined;
    const bare = messageId.trim().replace(/^<(.*)>$/, '$1');
    const suffix = `@${MESSAGE_ID_DOMAIN}`;
    if (!bare.toLowerCase().endsWith(suffix)) return undefined;
    const local = bare.slice(0, -suffix.length);
    if (local === '=00') return undefined;
    const bytes: number[] = [];
    for (let i = 0; i < local.length; i++) {
        const ch = local[i]!;
        if (ch === '=') {
            const hex = local.slice(i + 1, i + 3);
            if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
            bytes.push(parseInt(hex, 16));
            i += 2;
        } else bytes.push(...Buffer.from(ch, 'utf8'));
    }
    const id = Buffer.from(bytes).toString('utf8');
    // Only an id that messageIdFor writes this exact way is ours (no lossy or foreign spellings).
    return messageIdFor(id) === `<${local}${suffix}>` ? id : undefined;
}
