// Quiet-hours arithmetic (docs/language.md §6): [from, until) on a zone's wall clock, across midnight,
// across both daylight-saving changes in Europe/Paris, several windows at once, the recipient's zone.
import { describe, expect, it } from 'vitest';
import type { QuietHoursIR } from '@followup/compiler';
import { quietHoursHold, recipientZoneOf } from '../../packages/runtime/src/executor/policies/quiet-hours.js';

const window = (from: string, until: string, zone = 'Europe/Paris', scope: QuietHoursIR['scope'] = 'rule'): QuietHoursIR => ({ from, until, zone, scope });
const plan = (...quietHours: QuietHoursIR[]) => ({ quietHours, recipientZone: null });
const held = (p: ReturnType<typeof plan>, at: string, zone?: string) => quietHoursHold(p, zone, new Date(at))?.until.toISOString();

describe('quietHoursHold', () => {
    const night = plan(window('21:00', '08:00'));
    it('holds inside [from, until) and not outside, across midnight', () => {
        expect(held(night, '2026-11-23T19:59:59Z')).toBeUndefined(); // 20:59:59 Paris
        expect(held(night, '2026-11-23T20:00:00Z')).toBe('2026-11-24T07:00:00.000Z'); // 21:00 sharp: held
        expect(held(night, '2026-11-23T23:30:00Z')).toBe('2026-11-24T07:00:00.000Z'); // after midnight
        expect(held(night, '2026-11-24T06:59:59Z')).toBe('2026-11-24T07:00:00.000Z');
        expect(held(night, '2026-11-24T07:00:00Z')).toBeUndefined(); // 08:00 sharp: free
    });
    it('a window within one day', () => {
        const lunch = plan(window('12:00', '14:00', 'UTC'));
        expect(held(lunch, '2026-11-23T13:15:00Z')).toBe('2026-11-23T14:00:00.000Z');
        expect(held(lunch, '2026-11-23T14:00:00Z')).toBeUndefined();
        expect(held(lunch, '2026-11-23T11:59:00Z')).toBeUndefined();
    });
    it('spring forward (2026-03-29 02:00 → 03:00 in Paris): 08:00 is CEST; an end in the skipped hour is the jump', () => {
        expect(held(night, '2026-03-28T23:30:00Z')).toBe('2026-03-29T06:00:00.000Z');
        expect(held(plan(window('01:00', '02:30')), '2026-03-29T00:30:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    });
    it('fall back (2026-10-25 03:00 → 02:00 in Paris): 08:00 is CET; an end in the repeated hour is its first time', () => {
        expect(held(night, '2026-10-24T23:30:00Z')).toBe('2026-10-25T07:00:00.000Z');
        expect(held(plan(window('01:00', '02:30')), '2026-10-24T23:30:00Z')).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    });
    it("the recipient's zone replaces the window's", () => {
        expect(held(night, '2026-11-23T22:30:00Z', 'America/New_York')).toBeUndefined(); // 17:30 there
        expect(held(night, '2026-11-23T22:30:00Z', 'Asia/Tokyo')).toBe('2026-11-23T23:00:00.000Z'); // 07:30 → 08:00 there
    });
    it('several windows (a rule and a policy) release at the first instant inside none', () => {
        const both = plan(window('21:00', '08:00'), window('07:00', '09:30', 'Europe/Paris', 'project'));
        const hold = quietHoursHold(both, undefined, new Date('2026-11-23T23:00:00Z'))!;
        expect(hold).toMatchObject({ until: new Date('2026-11-24T08:30:00Z'), untilLocal: '09:30', zone: 'Europe/Paris', window: '07:00–09:30', scope: 'project' });
        // Two windows covering the whole day do not hang: the hold stops at an end.
        const always = plan(window('08:00', '20:00', 'UTC'), window('20:00', '08:00', 'UTC'));
        expect(quietHoursHold(always, undefined, new Date('2026-11-23T10:00:00Z'))).toBeDefined();
    });
});

describe('recipientZoneOf', () => {
    const p = { recipientZone: { source: 'event' as const, path: ['timezone'] } };
    it('a valid IANA zone of the event', () => {
        expect(recipientZoneOf(p, { timezone: 'Asia/Tokyo' }, null)).toBe('Asia/Tokyo');
    });
    it('anything else is no zone', () => {
        for (const value of ['Mars/Olympus', '', 42, null, undefined, { zone: 'UTC' }, 'x'.repeat(200)]) {
            expect(recipientZoneOf(p, { timezone: value }, null)).toBeUndefined();
        }
        expect(recipientZoneOf({ recipientZone: null }, { timezone: 'Asia/Tokyo' }, null)).toBeUndefined();
    });
    it("the profile's, for events that target it", () => {
        expect(recipientZoneOf({ recipientZone: { source: 'profile', path: ['timezone'] } }, {}, { timezone: 'Europe/Lisbon' })).toBe('Europe/Lisbon');
    });
});
