// Holdouts (docs/measuring.md): `holdout 10%` keeps a stable share of the people a rule would send to
// from its follow-up, so that the report can compare them with the others on the rule's goal.
//
// Who is held out is a pure function of (the rule's seed, the person): the first 48 bits of
// SHA-256(seed NUL person), read as a number in [0, 1), below share / 100. So a person stays in the same
// group across events and runs (and processes), and the share is the holdout's over many people. The
// person is the event's key value when the event has a key, else the recipient's address as the
// selection normalised it (emails trimmed and lower-cased). The seed is the rule's first name: a rule
// renamed with `was` keeps its split.
//
// A held-out decision records no delivery: caps count follow-up deliveries, chained rules trigger on
// them, so it counts toward neither. Its detail says the share and the instant the goal is measured
// from — when the follow-up would have been sent (the end of its quiet hours, when they would hold it).
import { createHash } from 'node:crypto';
import type { HoldoutIR, RenderPlan } from '@followup/compiler';

/** decisions.detail of a held-out decision; the report reads `measuredFrom`. */
export interface HoldoutDetail {
    share: number;
    measuredFrom: string;
}

/** Where a person falls in [0, 1) for a rule's holdout. */
export function holdoutPoint(seed: string, person: string): number {
    const digest = createHash('sha256').update(`${seed}\u0000${person}`, 'utf8').digest();
    return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The person a holdout splits on: the key's value, else the recipient; '' when neither is known. */
export function holdoutPerson(holdout: Pick<HoldoutIR, 'person'>, event: Record<string, unknown> | null, recipient: string | null): string {
    if (holdout.person.kind === 'key') {
        const value = event?.[holdout.person.field];
        if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number' || typeof value === 'boolean') return String(value);
    }
    return (recipient ?? '').trim();
}

/**
 * Whether the rule's holdout keeps this follow-up from being sent; the decision's detail when it does.
 * `wouldSendAt`: when the follow-up would have gone (now, or the end of its quiet hours).
 */
export function holdoutDecision(
    plan: Pick<RenderPlan, 'holdout'>, event: Record<string, unknown> | null, recipient: string | null, wouldSendAt: Date,
): HoldoutDetail | undefined {
    const holdout = plan.holdout;
    if (!holdout) return undefined;
    const person = holdoutPerson(holdout, event, recipient);
    if (person === '' || holdoutPoint(holdout.seed, person) >= holdout.share / 100) return undefined;
    return { share: holdout.share, measuredFrom: wouldSendAt.toISOString() };
}

/** "held out (10% holdout)", as `explain` and the run say it. */
export function heldOutWords(share: number): string {
    return `held out (${share}% holdout)`;
}
