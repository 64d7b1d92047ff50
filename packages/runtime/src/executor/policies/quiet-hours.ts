// Quiet hours (docs/language.md §6): a follow-up decided while `now` is inside a quiet-hours window
// — on the wall clock of the recipient's zone when the event (or profile) holds a valid IANA zone in
// its `timezone` field, else of the window's own zone — is held until the window ends. Windows are
// [from, until): 21:00 to 08:00 holds from 21:00:00 and releases at 08:00:00 the next morning.
// Daylight saving: the end is the first instant the wall clock shows `until` (a skipped `until`, as on
// a spring-forward night, is the moment the clocks jump past it; a repeated one, its first time).
import type { QuietHoursIR, RenderPlan } from '@followup/compiler';
import { assertKnownZone, instantOfWallClock, wallClockAt } from '../../scheduler/zoned-time.js';

const DAY = 24 * 60 * 60 * 1000;

/** A held follow-up: when it may go, and the window and zone that held it (for `explain`). */
export interface Hold {
    until: Date;
    /** The zone whose wall clock the window was read in. */
    zone: string;
    /** `until` on that zone's wall clock, `08:00`. */
    untilLocal: string;
    /** The window that ended last: `21:00–08:00`. */
    window: string;
    scope: QuietHoursIR['scope'];
}

function minutesOf(time: string): number {
    const [hour, minute] = time.split(':').map(Number);
    return hour! * 60 + minute!;
}

function validZone(value: unknown): string | undefined {
    if (typeof value !== 'string' || value.trim() === '' || value.length > 100) return undefined;
    try {
        assertKnownZone(value);
        return value;
    } catch {
        return undefined;
    }
}

/** The recipient's zone, from the field the plan names, when it holds a valid IANA zone. */
export function recipientZoneOf(
    plan: Pick<RenderPlan, 'recipientZone'>,
    event: Record<string, unknown> | null,
    profile: Record<string, unknown> | null,
): string | undefined {
    const where = plan.recipientZone;
    if (!where) return undefined;
    let value: unknown = where.source === 'event' ? event : profile;
    for (const step of where.path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step as string] : undefined;
    return validZone(value);
}

/** When `window` (read in `zone`) ends, if `at` is inside it; undefined when it is not. */
export function windowEnd(window: Pick<QuietHoursIR, 'from' | 'until'>, zone: string, at: number): number | undefined {
    const wall = wallClockAt(at, zone);
    const ofDay = ((wall % DAY) + DAY) % DAY;
    const from = minutesOf(window.from) * 60_000;
    const until = minutesOf(window.until) * 60_000;
    const inside = from < until ? ofDay >= from && ofDay < until : ofDay >= from || ofDay < until;
    if (!inside) return undefined;
    const dayStart = wall - ofDay;
    const endWall = dayStart + until + (from > until && ofDay >= from ? DAY : 0);
    return instantOfWallClock(endWall, zone);
}

/**
 * The hold of a follow-up decided at `now`, or undefined when no window holds it. Several windows
 * (the rule's, the policy's) are one: it is released at the first instant inside none of them.
 */
export function quietHoursHold(plan: Pick<RenderPlan, 'quietHours' | 'recipientZone'>, recipientZone: string | undefined, now: Date): Hold | undefined {
    if (plan.quietHours.length === 0) return undefined;
    let at = now.getTime();
    let last: { window: QuietHoursIR; zone: string } | undefined;
    // Each step moves `at` to a window's end; more steps than windows would be a cycle of windows
    // covering the whole day, which the checker cannot see across a rule and a policy: stop there.
    for (let step = 0; step <= plan.quietHours.length * 2; step++) {
        let moved = false;
        for (const window of plan.quietHours) {
            const zone = recipientZone ?? window.zone;
            const end = windowEnd(window, zone, at);
            if (end !== undefined && end > at) {
                at = end;
                last = { window, zone };
                moved = true;
            }
        }
        if (!moved) break;
    }
    if (!last) return undefined;
    const wall = wallClockAt(at, last.zone);
    const local = new Date(wall).toISOString().slice(11, 16);
    return {
        until: new Date(at),
        zone: last.zone,
        untilLocal: local,
        window: `${last.window.from}–${last.window.until}`,
        scope: last.window.scope,
    };
}
