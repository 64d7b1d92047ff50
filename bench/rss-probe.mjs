// Preloaded into the benchmark's child processes (`node --import ./bench/rss-probe.mjs ...`):
// on exit, writes the process's peak resident set size (KiB) to $FOLLOWUP_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.FOLLOWUP_BENCH_RSS_FILE;
if (file) {
    process.on('exit', () => {
        try {
            writeFileSync(file, String(process.resourceUsage().maxRSS));
        } catch {
            // the benchmark reports the value as unknown
        }
    });
}
