// The statistics of the report (docs/measuring.md), in a few lines each:
// - Wilson's score interval for one proportion (Wilson 1927, without continuity correction);
// - Newcombe's hybrid score interval for the difference of two independent proportions (Newcombe 1998,
//   "Interval estimation for the difference between independent proportions: comparison of eleven
//   methods", Statistics in Medicine 17:873-890, method 10), built from the two Wilson intervals;
// - Katz's log interval for the ratio of two proportions (Katz et al. 1978), for the relative lift.

/** The 97.5th percentile of the standard normal: two-sided 95% intervals. */
export const Z95 = 1.959963984540054;

export interface Interval {
    lower: number;
    upper: number;
}

/** Wilson's score interval for x successes out of n (n > 0). */
export function wilsonInterval(x: number, n: number, z = Z95): Interval {
    if (n <= 0) throw new RangeError('a proportion needs at least one trial');
    const p = x / n;
    const z2 = z * z;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p1 - p2 (x1/n1 - x2/n2): each side of the difference widened by
 * the distances from the two proportions to the ends of their Wilson intervals that push it that way.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z = Z95): Interval & { estimate: number } {
    const p1 = x1 / n1;
    const p2 = x2 / n2;
    const w1 = wilsonInterval(x1, n1, z);
    const w2 = wilsonInterval(x2, n2, z);
    const d = p1 - p2;
    return {
        estimate: d,
        lower: Math.max(-1, d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2)),
        upper: Math.min(1, d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2)),
    };
}

/**
 * The relative lift p1 / p2 - 1 with Katz's log interval for the ratio: exp(ln(p1/p2) ± z·√(1/x1 − 1/n1
 * + 1/x2 − 1/n2)) − 1. Undefined when either group has no success (the ratio or its logarithm is infinite).
 */
export function relativeLift(x1: number, n1: number, x2: number, n2: number, z = Z95): (Interval & { estimate: number }) | undefined {
    if (x1 <= 0 || x2 <= 0 || n1 <= 0 || n2 <= 0) return undefined;
    const ratio = x1 / n1 / (x2 / n2);
    const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
    return { estimate: ratio - 1, lower: ratio * Math.exp(-z * se) - 1, upper: ratio * Math.exp(z * se) - 1 };
}
