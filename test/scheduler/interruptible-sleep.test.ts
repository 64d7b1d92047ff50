/** The poll interval of the scheduler and the dispatch workers: wake() cuts it short, and is not lost while busy. */
import { describe, expect, it } from 'vitest';
import { interruptibleSleep } from '../../packages/runtime/src/scheduler/interruptible-sleep.js';

describe('interruptibleSleep', () => {
    it('sleeps the interval when nobody wakes it', async () => {
        const started = Date.now();
        await interruptibleSleep().sleep(60);
        expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    });

    it('wake() ends a sleep at once', async () => {
        const sleeper = interruptibleSleep();
        const started = Date.now();
        setTimeout(() => sleeper.wake(), 20);
        await sleeper.sleep(10_000);
        expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('a wake() while busy makes the next sleep return at once, once', async () => {
        const sleeper = interruptibleSleep();
        sleeper.wake();
        sleeper.wake();
        let started = Date.now();
        await sleeper.sleep(10_000);
        expect(Date.now() - started).toBeLessThan(100);
        started = Date.now();
        await sleeper.sleep(60);
        expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    });
});
