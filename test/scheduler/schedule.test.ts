/**
 * Schedule arithmetic (docs/language.md §4, §6): the fire instants of `every N minutes/hours/days` and of
 * `every day at HH:MM in "<zone>"`, across the DST changes of Europe/Paris and America/New_York.
 * 2026: Paris springs forward on 29 March (02:00 → 03:00) and falls back on 25 October (03:00 → 02:00);
 * New York on 8 March (02:00 → 03:00) and 1 November (02:00 → 01:00).
 */
import { describe, expect, it } from 'vitest';
import { defaultSchedule, fireTimes, ScheduleError, type Schedule } from '../../packages/runtime/src/scheduler/schedule.js';
import { instantOfWallClock, wallClockAt } from '../../packages/runtime/src/scheduler/zoned-time.js';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const daily = (at: string, zone: string): Schedule => ({ every: { text: '1 day', minutes: 1440 }, at, zone, weekday: null });
const every = (text: string, minutes: number): Schedule => ({ every: { text, minutes }, at: null, zone: 'UTC', weekday: null });

/** The next `n` fire instants after `from`. */
function fires(schedule: Schedule, from: string, n: number): string[] {
    const times = fireTimes(schedule);
    const out: string[] = [];
    let at = t(from);
    for (let i = 0; i < n; i++) out.push(iso((at = times.after(at))));
    return out;
}

describe('every N minutes/hours: periods aligned to UTC, the same in every process', () => {
    it('every 1 minute fires on each whole minute', () => {
        const times = fireTimes(every('1 minute', 1));
        expect(iso(times.atOrBefore(t('2026-11-23T10:00:30.250Z')))).toBe('2026-11-23T10:00:00Z');
        expect(iso(times.atOrBefore(t('2026-11-23T10:00:00Z')))).toBe('2026-11-23T10:00:00Z');
        expect(iso(times.after(t('2026-11-23T10:00:00Z')))).toBe('2026-11-23T10:01:00Z');
        expect(fires(every('1 minute', 1), '2026-11-23T09:59:59Z', 3)).toEqual(['2026-11-23T10:00:00Z', '2026-11-23T10:01:00Z', '2026-11-23T10:02:00Z']);
    });

    it('every 90 minutes and every 6 hours restart at midnight UTC', () => {
        expect(iso(fireTimes(every('90 minutes', 90)).atOrBefore(t('2026-11-23T02:00:00Z')))).toBe('2026-11-23T01:30:00Z');
        expect(fires(every('6 hours', 360), '2026-11-23T05:00:00Z', 4)).toEqual([
            '2026-11-23T06:00:00Z', '2026-11-23T12:00:00Z', '2026-11-23T18:00:00Z', '2026-11-24T00:00:00Z',
        ]);
    });

    it('every 7 minutes (not a divisor of a day) is still one fixed grid', () => {
        const times = fireTimes(every('7 minutes', 7));
        const a = times.atOrBefore(t('2026-11-23T10:00:00Z'));
        expect((a - t('1970-01-05T00:00:00Z')) % (7 * 60_000)).toBe(0);
        expect(times.after(a)).toBe(a + 7 * 60_000);
    });

    it('is not moved by DST: every 1 hour is 24 fires on the day Paris springs forward', () => {
        const list = fires(every('1 hour', 60), '2026-03-28T23:00:00Z', 24);
        expect(list[0]).toBe('2026-03-29T00:00:00Z');
        expect(list[23]).toBe('2026-03-29T23:00:00Z');
    });
});

describe('the default schedule: every day at 00:00 in UTC', () => {
    it('fires at midnight UTC', () => {
        const times = fireTimes(defaultSchedule);
        expect(iso(times.atOrBefore(t('2026-11-23T10:00:00Z')))).toBe('2026-11-23T00:00:00Z');
        expect(iso(times.after(t('2026-11-23T00:00:00Z')))).toBe('2026-11-24T00:00:00Z');
    });
});

describe('every day at HH:MM in Europe/Paris', () => {
    it('09:00 stays 09:00 on the wall: 08:00Z in winter, 07:00Z in summer, across both changes', () => {
        expect(fires(daily('09:00', 'Europe/Paris'), '2026-03-27T12:00:00Z', 4)).toEqual([
            '2026-03-28T08:00:00Z', '2026-03-29T07:00:00Z', '2026-03-30T07:00:00Z', '2026-03-31T07:00:00Z',
        ]);
        expect(fires(daily('09:00', 'Europe/Paris'), '2026-10-24T12:00:00Z', 3)).toEqual([
            '2026-10-25T08:00:00Z', '2026-10-26T08:00:00Z', '2026-10-27T08:00:00Z',
        ]);
    });

    it('02:30, skipped on 29 March, fires when the clocks jump (03:00 CEST = 01:00Z), once', () => {
        expect(fires(daily('02:30', 'Europe/Paris'), '2026-03-27T12:00:00Z', 4)).toEqual([
            '2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z',
        ]);
    });

    it('02:30, repeated on 25 October, fires once, at the first of the two (CEST, 00:30Z)', () => {
        expect(fires(daily('02:30', 'Europe/Paris'), '2026-10-24T12:00:00Z', 3)).toEqual([
            '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z',
        ]);
        // Within the repeated hour, the run of the day has already fired.
        const times = fireTimes(daily('02:30', 'Europe/Paris'));
        expect(iso(times.atOrBefore(t('2026-10-25T01:45:00Z')))).toBe('2026-10-25T00:30:00Z');
        expect(iso(times.after(t('2026-10-25T01:45:00Z')))).toBe('2026-10-26T01:30:00Z');
    });

    it('00:00 and 23:59 on the days of change', () => {
        expect(fires(daily('00:00', 'Europe/Paris'), '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z']);
        expect(fires(daily('23:59', 'Europe/Paris'), '2026-10-25T00:00:00Z', 1)).toEqual(['2026-10-25T22:59:00Z']);
    });
});

describe('every day at HH:MM in America/New_York', () => {
    it('02:30, skipped on 8 March, fires at 03:00 EDT (07:00Z)', () => {
        expect(fires(daily('02:30', 'America/New_York'), '2026-03-07T00:00:00Z', 3)).toEqual([
            '2026-03-07T07:30:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z',
        ]);
    });

    it('01:30, repeated on 1 November, fires once at 01:30 EDT (05:30Z)', () => {
        expect(fires(daily('01:30', 'America/New_York'), '2026-10-31T00:00:00Z', 3)).toEqual([
            '2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z',
        ]);
    });

    it('09:00 is 14:00Z in winter and 13:00Z in summer', () => {
        expect(fires(daily('09:00', 'America/New_York'), '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z']);
    });
});

describe('every N days / weeks at HH:MM', () => {
    it('every 1 week fires on Mondays', () => {
        const week: Schedule = { every: { text: '1 week', minutes: 7 * 1440 }, at: '09:00', zone: 'UTC', weekday: null };
        expect(fires(week, '2026-11-20T00:00:00Z', 2)).toEqual(['2026-11-23T09:00:00Z', '2026-11-30T09:00:00Z']);
        expect(new Date('2026-11-23T09:00:00Z').getUTCDay()).toBe(1);
    });

    it('every week on friday at 09:00 in Paris fires on Fridays at 09:00 local, across the autumn change; every 2 weeks on sunday every other Sunday', () => {
        const friday: Schedule = { every: { text: '1 week', minutes: 7 * 1440 }, at: '09:00', zone: 'Europe/Paris', weekday: 'friday' };
        expect(fires(friday, '2026-10-17T00:00:00Z', 3)).toEqual(['2026-10-23T07:00:00Z', '2026-10-30T08:00:00Z', '2026-11-06T08:00:00Z']);
        expect(fireTimes(friday).text).toBe('every 1 week on friday at 09:00 in Europe/Paris');
        const sundays: Schedule = { every: { text: '2 weeks', minutes: 14 * 1440 }, at: '00:00', zone: 'UTC', weekday: 'sunday' };
        const list = fires(sundays, '2026-11-01T00:00:00Z', 3);
        expect(list.map((x) => new Date(x).getUTCDay())).toEqual([0, 0, 0]);
        expect((t(list[1]!) - t(list[0]!)) / 86_400_000).toBe(14);
        expect(() => fireTimes({ ...friday, every: { text: '1 day', minutes: 1440 } })).toThrow(ScheduleError);
    });

    it('every 2 days in Paris keeps a two-day rhythm of calendar days across the spring change', () => {
        const two: Schedule = { every: { text: '2 days', minutes: 2 * 1440 }, at: '09:00', zone: 'Europe/Paris' };
        const list = fires(two, '2026-03-25T00:00:00Z', 4);
        const days = list.map((x) => new Date(wallClockAt(t(x), 'Europe/Paris')).toISOString().slice(0, 16));
        expect(days.map((d) => d.slice(11))).toEqual(['09:00', '09:00', '09:00', '09:00']);
        const dayNumbers = days.map((d) => Date.parse(d.slice(0, 10)) / 86_400_000);
        expect(dayNumbers.slice(1).map((d, i) => d - dayNumbers[i]!)).toEqual([2, 2, 2]);
    });
});

describe('consistency over a year of instants', () => {
    const schedules: Schedule[] = [
        daily('02:30', 'Europe/Paris'), daily('01:30', 'America/New_York'), daily('00:00', 'Australia/Lord_Howe'),
        daily('09:15', 'Asia/Kolkata'), defaultSchedule, every('1 minute', 1), every('5 hours', 300),
    ];
    it('atOrBefore(t) <= t < after(t), and no fire lies between them', () => {
        for (const schedule of schedules) {
            const times = fireTimes(schedule);
            for (let at = t('2026-01-01T00:00:00Z'); at < t('2027-01-01T00:00:00Z'); at += 7 * 3_600_000 + 13 * 60_000 + 17_000) {
                const before = times.atOrBefore(at);
                const after = times.after(at);
                expect(before, `${times.text} at ${iso(at)}`).toBeLessThanOrEqual(at);
                expect(after, `${times.text} at ${iso(at)}`).toBeGreaterThan(at);
                expect(times.after(before), `${times.text} at ${iso(at)}`).toBe(after);
            }
        }
    });

    it('instantOfWallClock inverts wallClockAt wherever the wall clock is shown once', () => {
        for (let at = t('2026-01-01T00:00:00Z'); at < t('2027-01-01T00:00:00Z'); at += 5 * 3_600_000 + 1_000) {
            for (const zone of ['Europe/Paris', 'America/New_York']) {
                const wall = wallClockAt(at, zone);
                const back = instantOfWallClock(wall, zone);
                expect(wallClockAt(back, zone)).toBe(wall);
                expect(back).toBeLessThanOrEqual(at); // the first of two when repeated
            }
        }
    });
});

describe('bad schedules', () => {
    it('rejects an unknown zone, a bad time and `at` with an hourly period', () => {
        expect(() => fireTimes(daily('09:00', 'Mars/Olympus'))).toThrow(/unknown time zone "Mars\/Olympus"/);
        expect(() => fireTimes(daily('25:00', 'UTC'))).toThrow(ScheduleError);
        expect(() => fireTimes({ every: { text: '2 hours', minutes: 120 }, at: '09:00', zone: 'UTC' })).toThrow(/whole days or weeks/);
    });
});
