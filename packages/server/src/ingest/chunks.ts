// Large requests (a batch of 10,000 events, 10 MB) are worked through in chunks, with the event loop
// free between them: /healthz, /readyz and the other requests are answered meanwhile. On the embedded
// store a statement runs on the event loop's thread, so its writes are chunked too (in one
// transaction: a batch stays all or nothing).

/** Events per chunk: validated or prepared before the event loop gets a turn. */
export const CHUNK_EVENTS = 100;

/**
 * Events per statement of a large request (and per group commit on the embedded store): about 100 ms
 * of the embedded database's time on two busy cores, during which nothing else runs.
 */
export const WRITE_CHUNK_EVENTS = 100;

/** Lets the event loop run what is waiting (timers, I/O, other requests), then resumes. */
export function yieldToEventLoop(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

/** `items.map(fn)`, giving the event loop a turn after every `size` items (none for a short list). */
export async function mapInChunks<T, R>(items: readonly T[], fn: (item: T, index: number) => R, size = CHUNK_EVENTS): Promise<R[]> {
    const out: R[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
        if (i > 0 && i % size === 0) await yieldToEventLoop();
        out[i] = fn(items[i]!, i);
    }
    return out;
}
