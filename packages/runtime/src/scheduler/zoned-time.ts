// Wall-clock time in an IANA time zone, with nothing but Intl: what a clock on the wall in `zone`
// shows at an instant, and the instant at which it shows a given date and time.

/** Milliseconds of a wall-clock reading taken as if it were UTC (Date.UTC of the fields). */
export type WallClock = number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
    let f = formatters.get(zone);
    if (!f) {
        // h23: midnight is 00, never 24. Throws RangeError for an unknown zone.
        f = new Intl.DateTimeFormat('en-US', {
            timeZone: zone, hourCycle: 'h23',
            year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
        });
        formatters.set(zone, f);
    }
    return f;
}

/** Throws a RangeError naming the zone when Intl does not know it. */
export function assertKnownZone(zone: string): void {
    try {
        formatter(zone);
    } catch {
        throw new RangeError(`unknown time zone "${zone}"`);
    }
}

/** The wall clock in `zone` at `instant` (whole seconds: zone offsets are whole seconds). */
export function wallClockAt(instant: number, zone: string): WallClock {
    const parts: Record<string, number> = {};
    for (const p of formatter(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
}

/** The zone's offset from UTC at `instant`, in milliseconds (+1 h for Paris in winter). */
export function offsetAt(instant: number, zone: string): number {
    const seconds = Math.floor(instant / 1000) * 1000;
    return wallClockAt(seconds, zone) - seconds;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The instant at which the wall clock in `zone` shows `wall`.
 * - Shown twice (the repeated hour when clocks go back): the first time, so a daily run fires once.
 * - Never shown (the hour skipped when clocks go forward): the first instant after the skipped
 *   reading, i.e. the moment the clocks jump (02:30 on a spring-forward night in Paris → 03:00 CEST).
 */
export function instantOfWallClock(wall: WallClock, zone: string): number {
    // Offsets a day either side bracket any single transition near `wall`.
    const offsets = [...new Set([offsetAt(wall - DAY, zone), offsetAt(wall, zone), offsetAt(wall + DAY, zone)])];
    const shown = offsets.map((o) => wall - o).filter((t) => wallClockAt(t, zone) === wall);
    if (shown.length > 0) return Math.min(...shown);
    // A gap: between these two instants the wall clock jumps over `wall`; find the jump to the second.
    let lo = wall - Math.max(...offsets); // shows a reading before `wall`
    let hi = wall - Math.min(...offsets); // shows a reading after it
    lo = Math.floor(lo / 1000);
    hi = Math.ceil(hi / 1000);
    while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (wallClockAt(mid * 1000, zone) >= wall) hi = mid;
        else lo = mid;
    }
    return hi * 1000;
}
