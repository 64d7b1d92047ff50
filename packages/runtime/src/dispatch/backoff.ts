// When to try a temporary failure again: exponential, capped, and never sooner than the provider asked.

export interface RetryPolicy {
    /** Attempts in all (the first included) before a message is given up as failed. */
    maxAttempts: number;
    /** Delay after the first failed attempt; doubles each time. */
    baseDelayMs: number;
    maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 60_000, maxDelayMs: 6 * 3_600_000 };

/** The delay before attempt number `attemptsMade + 1`, given the provider's Retry-After if any. */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, retryAfterMs?: number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
    return Math.max(exponential, retryAfterMs ?? 0);
}
