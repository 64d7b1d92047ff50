// The clock of `followup serve`: the real one, or for tests and demos a fixed instant (`--now`), or a
// clock that starts at a given instant and runs, possibly faster than real time (a scheduler test
// can let a day pass in a minute).

export type Clock = () => Date;

export interface ClockOptions {
    /** Every reading is this instant. */
    fixed?: Date;
    /** The clock reads this instant when created, then advances. */
    startAt?: Date;
    /** Clock milliseconds per real millisecond (default 1); only with `startAt`. */
    rate?: number;
}

export function createClock(options: ClockOptions = {}): Clock {
    if (options.fixed) {
        const at = options.fixed.getTime();
        return () => new Date(at);
    }
    if (options.startAt) {
        const origin = options.startAt.getTime();
        const realOrigin = Date.now();
        const rate = options.rate ?? 1;
        return () => new Date(origin + (Date.now() - realOrigin) * rate);
    }
    return () => new Date();
}
