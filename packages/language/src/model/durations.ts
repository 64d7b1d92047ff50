import type { Duration } from '../generated/ast.js';

export type DurationUnit = 'minute' | 'hour' | 'day' | 'week';

const unitMinutes: Record<DurationUnit, number> = { minute: 1, hour: 60, day: 24 * 60, week: 7 * 24 * 60 };

export interface DurationValue {
    amount: number;
    unit: DurationUnit;
    /** Whole minutes: `D days` is D × 24 hours (docs/language.md §4), no calendar arithmetic. */
    minutes: number;
}

export function durationValue(d: Duration | undefined): DurationValue | undefined {
    if (!d?.unit) return undefined;
    const unit = d.unit.replace(/s$/, '') as DurationUnit;
    const amount = d.amount ?? 1;
    return { amount, unit, minutes: amount * unitMinutes[unit] };
}

export function minutesToWords(minutes: number): string {
    for (const unit of ['day', 'hour', 'minute'] as DurationUnit[]) {
        const size = unitMinutes[unit];
        if (minutes % size === 0) {
            const n = minutes / size;
            return `${n} ${unit}${n === 1 ? '' : 's'}`;
        }
    }
    return `${minutes} minutes`;
}

const knownZones = new Map<string, boolean>();

export function isKnownTimeZone(zone: string): boolean {
    let known = knownZones.get(zone);
    if (known === undefined) {
        try {
            new Intl.DateTimeFormat('en-US', { timeZone: zone });
            known = true;
        } catch {
            known = false;
        }
        knownZones.set(zone, known);
    }
    return known;
}
