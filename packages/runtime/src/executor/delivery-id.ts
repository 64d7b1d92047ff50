/**
 * The id of the follow-up delivery a rule makes for an event. Deterministic — one per (rule, event),
 * like the decision — so that every retry of a send carries the same id and a transport can
 * de-duplicate on it (the outbox folder does: its file name comes from it).
 */
export function followupDeliveryId(rule: string, eventId: string): string {
    return `${rule}:${eventId}`;
}
