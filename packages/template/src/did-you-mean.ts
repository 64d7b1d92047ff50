// "Did you mean ...?" suggestions for misspelt names (fields, filters, events, ...).

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein where each substring is edited once):
 * insertions, deletions, substitutions and transpositions of adjacent characters cost 1.
 */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                best = Math.min(best, d[i - 2]![j - 2]! + 1);
            }
            d[i]![j] = best;
        }
    }
    return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `name`, or undefined when none is close enough. Case is ignored when
 * measuring (`firstname` finds `firstName`); names of up to 3 characters allow one edit, longer
 * names two. Ties go to the earliest candidate.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
    const wanted = name.toLowerCase();
    const maxDistance = name.length <= 3 ? 1 : 2;
    let best: string | undefined;
    let bestScore = Infinity;
    for (const candidate of candidates) {
        if (candidate === name) continue;
        const lower = candidate.toLowerCase();
        const distance = editDistance(wanted, lower);
        if (distance > maxDistance || distance >= Math.max(candidate.length, name.length)) continue;
        // Prefer an exact-case match among equally distant candidates.
        const score = distance * 2 + (editDistance(name, candidate) > distance ? 1 : 0);
        if (score < bestScore) {
            best = candidate;
            bestScore = score;
        }
    }
    return best;
}

/** `Did you mean 'firstName'?`, or undefined when nothing is close. */
export function didYouMeanHint(name: string, candidates: Iterable<string>): string | undefined {
    const suggestion = didYouMean(name, candidates);
    return suggestion === undefined ? undefined : `Did you mean '${suggestion}'?`;
}
