// What tracking adds to a rendered email before it is recorded in the outbox: the tracked HTML
// (click redirects, open pixel) and the headers of RFC 8058 one-click unsubscribe. Applied by the
// executor (follow-ups) and by serve's ingestion (transactional messages) alike, so every email a
// tracking-enabled process queues carries them; the transports only copy headers through.
import { applyTracking, unsubscribeUrl, type TrackingOptions } from './apply-tracking.js';

/** The parts of a rendered message tracking changes. */
export interface DecoratableContent {
    html?: string;
    headers?: Record<string, string>;
}

export interface DecoratedDelivery {
    deliveryId: string;
    channel: string;
}

/** Returns the content to record for a delivery: the same object shape, with tracking applied. */
export type ContentDecorator = <C extends DecoratableContent>(content: C, delivery: DecoratedDelivery) => C;

export interface TrackingDecoratorOptions extends TrackingOptions {
    /**
     * Also offer unsubscribing by email: `mailto:` address for List-Unsubscribe (RFC 2369), e.g.
     * `unsubscribe@shop.example`. The one-click https URL comes first either way.
     */
    unsubscribeMailto?: string;
}

/** A delivery id goes into a header only when it is plain printable ASCII. */
const HEADER_SAFE = /^[\x20-\x7e]{1,200}$/;

export function trackingDecorator(options: TrackingDecoratorOptions): ContentDecorator {
    return <C extends DecoratableContent>(content: C, delivery: DecoratedDelivery): C => {
        if (delivery.channel !== 'email') return content;
        const headers: Record<string, string> = { ...(content.headers ?? {}) };
        const targets = [`<${unsubscribeUrl(options, delivery.deliveryId)}>`];
        if (options.unsubscribeMailto) targets.push(`<mailto:${options.unsubscribeMailto}?subject=unsubscribe>`);
        headers['List-Unsubscribe'] = targets.join(', ');
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
        // Lets provider webhooks name the delivery even when the provider replaces the Message-ID.
        if (HEADER_SAFE.test(delivery.deliveryId)) headers['X-Followup-Delivery'] = delivery.deliveryId;
        const decorated: C = { ...content, headers };
        if (content.html !== undefined) decorated.html = applyTracking(content.html, delivery.deliveryId, options);
        return decorated;
    };
}

/** A message as serve's ingestion holds it before recording: content and headers apart. */
export interface MessageDraftLike {
    deliveryId: string;
    channel: string;
    content: { html?: string };
    headers: Record<string, string>;
}

/** The same tracking, for ingestion's drafts (serve's DecorateMessage hook). */
export function trackingDraftDecorator(options: TrackingDecoratorOptions): <D extends MessageDraftLike>(draft: D) => D {
    const decorate = trackingDecorator(options);
    return <D extends MessageDraftLike>(draft: D): D => {
        if (draft.channel !== 'email') return draft;
        const { headers, ...content } = decorate({ ...draft.content, headers: draft.headers }, draft);
        return { ...draft, content, headers: headers ?? draft.headers };
    };
}
