// The report's numbers in words, the same in the terminal, the HTML page and the operator page.
import type { GroupReport, LiftReport, RuleReport } from './build-report.js';

export function percent(value: number | null | undefined, digits = 1): string {
    return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** A difference of proportions in percentage points, signed: `+5.0 points`. */
export function points(value: number, digits = 1): string {
    const text = (value * 100).toFixed(digits);
    return `${value >= 0 && !text.startsWith('-') ? '+' : ''}${text}`;
}

export function signedPercent(value: number, digits = 0): string {
    const text = (value * 100).toFixed(digits);
    return `${value >= 0 && !text.startsWith('-') ? '+' : ''}${text}%`;
}

export function count(n: number | null | undefined): string {
    return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function amount(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** "16.1% (291 of 1,812 measured; 95% CI 14.5%–17.8%)". */
export function groupLine(g: GroupReport): string {
    if (g.measured === 0) return `— (${count(g.people)} people, none measured yet)`;
    const ci = g.interval ? `; 95% CI ${percent(g.interval.lower)}–${percent(g.interval.upper)}` : '';
    return `${percent(g.rate)} (${count(g.converted)} of ${count(g.measured)} measured${ci})`;
}

/** "+5.1 points (95% CI +2.9 to +7.2), relative +51% (95% CI +26% to +81%)". */
export function liftLine(lift: LiftReport): string {
    const a = lift.absolute;
    const relative = lift.relative
        ? `, relative ${signedPercent(lift.relative.estimate)} (95% CI ${signedPercent(lift.relative.lower)} to ${signedPercent(lift.relative.upper)})`
        : '';
    return `${points(a.estimate)} points (95% CI ${points(a.lower)} to ${points(a.upper)})${relative}`;
}

/** The goal in the language's words: `purchase within 7 days (value total)`. */
export function goalWords(goal: NonNullable<RuleReport['goal']>): string {
    return `${goal.event} within ${goal.within}${goal.value ? ` (value ${goal.value})` : ''}${goal.scope === 'project' ? ', from the policy' : ''}`;
}

/** What the lift says, in one sentence a marketer can read. */
export function verdictWords(r: RuleReport): string {
    switch (r.verdict) {
        case 'no-goal': return 'no goal: only counts (add `goal <event> within <duration>` to measure conversions)';
        case 'no-holdout': return 'no holdout: the conversion rate of the sent group alone says nothing about what the follow-up changed (add `holdout 10%`)';
        case 'not-enough-data': return r.why ?? 'not enough data';
        case 'measured': {
            const a = r.lift!.absolute;
            if (a.lower > 0) return 'the follow-up raised conversions: the whole interval is above 0';
            if (a.upper < 0) return 'the follow-up lowered conversions: the whole interval is below 0';
            return 'no measurable effect: the interval contains 0';
        }
    }
}
