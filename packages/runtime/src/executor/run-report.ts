// What a run decided and delivered, per rule and in total.
import type { ChannelName } from '../transport/transport.js';

export interface RunCounts {
    /** Deliveries the selection found due (and decided) in this run. */
    selected: number;
    /** Follow-ups a transport accepted (filled by dispatch). */
    sent: number;
    /** Not sent: the recipient hard-bounced or unsubscribed on the channel (at selection or dispatch). */
    suppressed: number;
    /** Found more than `expire` after they became due: recorded, never sent. */
    expired: number;
    /** No longer qualifying when rechecked (a purchase since, an open, ...), at selection or dispatch. */
    stopped: number;
    /** Could not be rendered or addressed, or the transport refused them for good. */
    failed: number;
    /** Decided 'send' and written to the outbox (in a dry run: would have been); held ones included. */
    queued: number;
    /** Not sent: the recipient already had as many follow-ups as a `limit` allows (at selection or dispatch). */
    capped: number;
    /** Queued, but inside quiet hours: held in the outbox until they end. */
    held: number;
    /** Not sent: the rule's holdout kept these people from the follow-up, to measure it (docs/measuring.md). */
    heldOut: number;
}

export interface RuleRunReport extends RunCounts {
    rule: string;
    /** The window start w (the rule's watermark before this run). */
    watermark: Date;
    /** The `runs` row, when something was recorded (null in a dry run or when nothing could be selected). */
    runId: number | null;
    /** Set when `now` was not after the watermark, so nothing could be selected (docs/language.md §4). */
    notAfterWatermark?: true;
}

export interface RunReport {
    now: Date;
    dryRun: boolean;
    rules: RuleRunReport[];
    total: RunCounts;
}

/** A follow-up the run queued (or, in a dry run, would have queued). */
export interface QueuedMessage {
    rule: string;
    event: string;
    delivery: string;
    channel: ChannelName;
    to: string;
    subject?: string;
    text?: string;
    title?: string;
    /** Inside quiet hours: when it will be sent, and on which wall clock (`08:00 Europe/Paris`). */
    heldUntil?: { at: string; local: string; zone: string };
}

export function zeroCounts(): RunCounts {
    return { selected: 0, sent: 0, suppressed: 0, expired: 0, stopped: 0, failed: 0, queued: 0, capped: 0, held: 0, heldOut: 0 };
}

export function addCounts(into: RunCounts, more: Partial<RunCounts>): RunCounts {
    for (const key of Object.keys(into) as (keyof RunCounts)[]) into[key] += more[key] ?? 0;
    return into;
}
