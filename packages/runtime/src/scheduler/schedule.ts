// When a rule runs (docs/language.md §4, §6): the fire instants of its `schedule`. Every process computes
// the same instants from the schedule alone — no state, no local clock settings — so several `serve`
// processes agree on which period an instant belongs to, and a claim on (rule, fire instant) is
// meaningful across them.
import { FollowupError } from '@followup/values';
import type { RuleIR } from '@followup/compiler';
import { parseTimeOfDay } from '@followup/template/runtime';
import { assertKnownZone, instantOfWallClock, wallClockAt } from './zoned-time.js';

export type Schedule = RuleIR['schedule'];

/** docs/language.md §4: a rule without a `schedule` runs every day at 00:00 in UTC. */
export const defaultSchedule: Schedule = { every: { text: '1 day', minutes: 24 * 60 }, at: '00:00', zone: 'UTC', weekday: null };

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Periods are counted from Monday 1970-01-05 00:00 (UTC for `every N minutes/hours`, the zone's
 * calendar for `at`), so that `every 1 week` fires on Mondays and `every 2 days` on the same days in
 * every process. A period that divides a day is aligned to midnight either way.
 */
const ANCHOR_DAY = 4; // 1970-01-05 is day 4 of the epoch
const ANCHOR = ANCHOR_DAY * DAY;

/** A schedule turned into arithmetic, checked once. */
export interface FireTimes {
    /** The latest fire instant at or before `instant` (ms). */
    atOrBefore(instant: number): number;
    /** The first fire instant strictly after `instant` (ms). */
    after(instant: number): number;
    /** "every 1 day at 09:00 in Europe/Paris", for logs. */
    readonly text: string;
}

export class ScheduleError extends FollowupError {
    constructor(message: string) {
        super(message, 'input');
    }
}

export function fireTimes(schedule: Schedule): FireTimes {
    const period = schedule.every.minutes * MINUTE;
    if (!Number.isInteger(schedule.every.minutes) || schedule.every.minutes <= 0) {
        throw new ScheduleError(`a schedule period must be a positive whole number of minutes, not ${schedule.every.minutes}`);
    }
    if (schedule.at === null) return fixedPeriod(period, `every ${schedule.every.text}`);
    return timeOfDay(schedule, period);
}

/** `every N minutes/hours/days` without `at`: instants ANCHOR + k·period, in UTC. */
function fixedPeriod(period: number, text: string): FireTimes {
    const atOrBefore = (t: number) => ANCHOR + Math.floor((t - ANCHOR) / period) * period;
    return { atOrBefore, after: (t) => atOrBefore(t) + period, text };
}

/**
 * `every N days at HH:MM in "<zone>"`: HH:MM on the wall clock of the zone, on every N-th calendar
 * day of that zone. A day is a calendar day here, not 24 hours, so 09:00 stays 09:00 across DST
 * changes; on the night the clocks skip HH:MM the run fires when they jump, and on the night they
 * repeat it, it fires at the first of the two (see instantOfWallClock).
 */
function timeOfDay(schedule: Schedule, period: number): FireTimes {
    const time = parseTimeOfDay(schedule.at ?? undefined);
    if (!time) throw new ScheduleError(`'${schedule.at}' is not a time of day (HH:MM)`);
    if (period % DAY !== 0) throw new ScheduleError(`'at' needs a schedule of whole days or weeks, not ${schedule.every.text}`);
    const zone = schedule.zone;
    assertKnownZone(zone);
    const days = period / DAY;
    // `on friday`: weeks counted from the first Friday after the anchor Monday.
    const weekday = schedule.weekday ?? null;
    if (weekday !== null && days % 7 !== 0) throw new ScheduleError(`'on ${weekday}' needs a schedule of whole weeks, not ${schedule.every.text}`);
    const anchorDay = ANCHOR_DAY + (weekday === null ? 0 : weekdays.indexOf(weekday));
    const text = `every ${schedule.every.text}${weekday ? ` on ${weekday}` : ''} at ${schedule.at} in ${zone}`;
    const fireOnDay = (day: number) => instantOfWallClock(day * DAY + (time.hour * 60 + time.minute) * MINUTE, zone);
    /** The latest day of the schedule (zone calendar, days since the epoch) at or before the day of `t`. */
    const scheduledDayOf = (t: number) => {
        const day = Math.floor(wallClockAt(t, zone) / DAY);
        return day - mod(day - anchorDay, days);
    };
    return {
        text,
        atOrBefore(t) {
            let day = scheduledDayOf(t);
            while (fireOnDay(day) > t) day -= days;
            return fireOnDay(day);
        },
        after(t) {
            let day = scheduledDayOf(t);
            while (fireOnDay(day) <= t) day += days;
            return fireOnDay(day);
        },
    };
}

function mod(a: number, n: number): number {
    return ((a % n) + n) % n;
}
