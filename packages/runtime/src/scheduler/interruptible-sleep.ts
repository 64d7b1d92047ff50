// A poll interval that can be cut short: by stop(), or by wake() when there is work right now.

export interface InterruptibleSleep {
    /** Resolves after `ms`, or at once if wake() was called since the last sleep ended. */
    sleep(ms: number): Promise<void>;
    wake(): void;
}

export function interruptibleSleep(): InterruptibleSleep {
    let woken = false;
    let resolveCurrent: (() => void) | undefined;
    return {
        sleep(ms) {
            if (woken) {
                woken = false;
                return Promise.resolve();
            }
            return new Promise<void>((resolve) => {
                const timer = setTimeout(done, ms);
                function done() {
                    clearTimeout(timer);
                    resolveCurrent = undefined;
                    woken = false;
                    resolve();
                }
                resolveCurrent = done;
            });
        },
        wake() {
            // A wake that comes while the sleeper is busy is remembered, so the next sleep returns at once.
            if (resolveCurrent) resolveCurrent();
            else woken = true;
        },
    };
}
