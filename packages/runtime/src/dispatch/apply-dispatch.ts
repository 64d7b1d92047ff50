// Folds what dispatch did into a run's report, so one summary tells selected → sent.
import type { RunReport } from '../executor/run-report.js';
import type { DispatchReport } from './dispatch-outbox.js';

export function applyDispatch(report: RunReport, dispatch: DispatchReport): RunReport {
    for (const [rule, counts] of Object.entries(dispatch.byRule)) {
        const target = report.rules.find((r) => r.rule === rule);
        if (!target) continue;
        target.sent += counts.sent;
        target.failed += counts.failed;
        target.stopped += counts.stopped;
        target.suppressed += counts.suppressed;
        target.capped += counts.capped;
    }
    report.total.sent += dispatch.total.sent;
    report.total.failed += dispatch.total.failed;
    report.total.stopped += dispatch.total.stopped;
    report.total.suppressed += dispatch.total.suppressed;
    report.total.capped += dispatch.total.capped;
    return report;
}
