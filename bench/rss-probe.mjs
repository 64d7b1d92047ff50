// Preloaded into the benchmark's child processes (`node --import ./bench/rss-probe.mjs ...`):
// on exit, writes {"maxRssKiB": ..., "cpuMs": ...} (peak resident set size, user + system CPU time)
// to $FOLLOWUP_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.FOLLOWUP_BENCH_RSS_FILE;
if (file) {
    process.on('exit', () => {
        try {
            const usage = process.resourceUsage();
            writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
        } catch {
            // the benchmark reports the values as unknown
        }
    });
}
