// The report's statistics against published worked examples, and the minimum below which there is no lift.
import { describe, expect, it } from 'vitest';
import { newcombeDifference, notEnoughData, relativeLift, ruleReport, wilsonInterval } from '@followup/runtime';
import { seeded } from '../../bench/measured-history.mjs';

const four = (i: { lower: number; upper: number }) => [Number(i.lower.toFixed(4)), Number(i.upper.toFixed(4))];

describe("Wilson's score interval", () => {
    // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
    // methods", Statistics in Medicine 17:857-872, Table I, method 3 (score, no continuity correction).
    it.each([
        [81, 263, 0.2553, 0.3662],
        [15, 148, 0.0624, 0.1605],
        [0, 20, 0, 0.1611],
        [1, 29, 0.0061, 0.1718],
        [29, 29, 0.8830, 1],
    ])('%i/%i: %f to %f', (x, n, lower, upper) => {
        expect(four(wilsonInterval(x, n))).toEqual([lower, upper]);
    });
});

describe("Newcombe's hybrid score interval for a difference of proportions", () => {
    // Newcombe (1998), "Interval estimation for the difference between independent proportions:
    // comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10.
    it.each([
        [56, 70, 48, 80, 0.0524, 0.3339],
        [9, 10, 3, 10, 0.1705, 0.8090],
        [6, 7, 2, 7, 0.0582, 0.8062],
        [5, 56, 0, 29, -0.0381, 0.1926],
        [0, 10, 0, 20, -0.1611, 0.2775],
        [0, 10, 0, 10, -0.2775, 0.2775],
        [10, 10, 0, 20, 0.6791, 1],
        [10, 10, 0, 10, 0.6075, 1],
    ])('%i/%i - %i/%i: %f to %f', (x1, n1, x2, n2, lower, upper) => {
        const d = newcombeDifference(x1, n1, x2, n2);
        expect(four(d)).toEqual([lower, upper]);
        expect(d.estimate).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    });

    it('covers the true difference about 95% of the time (2,000 simulated holdout tests, 15% vs 10%)', () => {
        const random = seeded(2026);
        const binomial = (n: number, p: number) => { let x = 0; for (let i = 0; i < n; i++) if (random() < p) x++; return x; };
        let covered = 0;
        const runs = 2000;
        for (let i = 0; i < runs; i++) {
            const d = newcombeDifference(binomial(900, 0.15), 900, binomial(100, 0.10), 100);
            if (d.lower <= 0.05 && 0.05 <= d.upper) covered++;
        }
        expect(covered / runs).toBeGreaterThan(0.93);
        expect(covered / runs).toBeLessThan(0.975);
    });
});

describe("the relative lift: Katz's log interval for the ratio", () => {
    it('60/400 vs 40/400: ratio 1.5, ln 1.5 ± 1.96·√(1/60 − 1/400 + 1/40 − 1/400)', () => {
        const r = relativeLift(60, 400, 40, 400)!;
        const se = Math.sqrt(1 / 60 - 1 / 400 + 1 / 40 - 1 / 400); // √0.036667 = 0.19149; e^(1.96 × 0.19149) = 1.4554
        expect(r.estimate).toBeCloseTo(0.5, 12);
        expect(r.lower).toBeCloseTo(1.5 * Math.exp(-1.959964 * se) - 1, 5); // 1.5 / 1.4554 − 1 = +3.1%
        expect(r.upper).toBeCloseTo(1.5 * Math.exp(1.959964 * se) - 1, 5); // 1.5 × 1.4554 − 1 = +118.3%
        expect([Number(r.lower.toFixed(3)), Number(r.upper.toFixed(3))]).toEqual([0.031, 1.183]);
    });
    it('is undefined when the held out never converted', () => {
        expect(relativeLift(5, 100, 0, 100)).toBeUndefined();
    });
});

describe('not enough data', () => {
    it('below 100 measured people in a group, or 10 conversions in all', () => {
        expect(notEnoughData({ measured: 900, converted: 90 }, { measured: 99, converted: 9 })).toBe(
            'not enough data: 99 measured held out (at least 100 in each group)');
        expect(notEnoughData({ measured: 150, converted: 5 }, { measured: 100, converted: 4 })).toBe(
            'not enough data: 9 conversions (at least 10 in both groups together)');
        expect(notEnoughData({ measured: 150, converted: 6 }, { measured: 100, converted: 4 })).toBeUndefined();
    });

    it('gives the rates but no lift', () => {
        const plan = {
            rule: 'r', event: 'cart', message: 'm', channel: 'email' as const,
            goal: { event: 'purchase', match: { kind: 'key' as const, on: [] }, within: { text: '7 days', minutes: 10080 }, value: null, scope: 'rule' as const },
            holdout: { share: 10, person: { kind: 'recipient' as const }, seed: 'r' },
        };
        const row = {
            selected: 110, treated: 99, sent: 99, held_out: 11, delivered: 0, opened: 0, clicked: 0,
            treated_measured: 99, treated_converted: 20, treated_value: 0, held_out_measured: 11, held_out_converted: 1, held_out_value: 0,
        };
        const report = ruleReport(plan, row);
        expect(report.verdict).toBe('not-enough-data');
        expect(report.lift).toBeNull();
        expect(report.sentGroup?.rate).toBeCloseTo(20 / 99, 12);
        expect(report.heldOutGroup?.rate).toBeCloseTo(1 / 11, 12);
    });
});
