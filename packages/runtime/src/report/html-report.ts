// `followup report --html <file>`: one self-contained page (no network needed to view it): the report's
// tables rendered here, its charts drawn in the browser by uPlot (inline) from the report's JSON (inline).
import type { Report, RuleReport } from './build-report.js';
import { escapeHtml } from '../html/escape-html.js';
import { CHARTS_SCRIPT, inlineJson, inlineScript, uplotAssets } from './charts.js';
import { amount, count, goalWords, liftLine, percent, verdictWords } from './format-report.js';

/** Styles shared by the HTML report and the operator page. */
export const REPORT_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; }
body { margin: 0 auto; padding: 24px; max-width: 1100px; background: #f9fafb; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: #6b7280; font-size: 13px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 20px; margin: 16px 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f4f6; font-weight: 600; }
.verdict { font-weight: 600; } .verdict.up { color: #15803d; } .verdict.down { color: #b91c1c; } .verdict.none { color: #374151; }
.chart { min-height: 40px; margin-top: 8px; }
code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
`;

function verdictClass(r: RuleReport): string {
    if (r.verdict !== 'measured') return 'none';
    const a = r.lift!.absolute;
    return a.lower > 0 ? 'up' : a.upper < 0 ? 'down' : 'none';
}

function countsTable(r: RuleReport): string {
    const c = r.counts;
    return `<table class="counts"><tr><th>selected</th><th>sent</th><th>held out</th><th>delivered</th><th>opened (by a person)</th><th>clicked</th><th>converted</th></tr>
<tr><td>${count(c.selected)}</td><td>${count(c.sent)}</td><td>${count(c.heldOut)}</td><td>${count(c.delivered)}</td><td>${count(c.opened)}</td><td>${count(c.clicked)}</td><td>${count(c.converted)}</td></tr></table>`;
}

function groupsTable(r: RuleReport): string {
    if (!r.sentGroup) return '';
    const row = (name: string, g: NonNullable<RuleReport['sentGroup']>) => `<tr><td>${name}</td><td>${count(g.people)}</td><td>${count(g.measured)}</td>` +
        `<td>${count(g.converted)}</td><td>${percent(g.rate)}</td><td>${g.interval ? `${percent(g.interval.lower)}–${percent(g.interval.upper)}` : '—'}</td>` +
        `${r.goal?.value ? `<td>${amount(g.revenuePerRecipient)}</td>` : ''}</tr>`;
    return `<table class="groups"><tr><th>group</th><th>people</th><th>measured</th><th>converted</th><th>conversion rate</th><th>95% CI (Wilson)</th>${r.goal?.value ? '<th>revenue per recipient</th>' : ''}</tr>
${row('sent', r.sentGroup)}${r.heldOutGroup ? row('held out', r.heldOutGroup) : ''}</table>`;
}

/** One rule's section: counts, the two groups, the lift with its chart, the chart per day. */
export function ruleSection(r: RuleReport, index: number): string {
    const title = `${escapeHtml(r.rule)} <span class="muted">sends ${escapeHtml(r.message)} ${escapeHtml(r.channel)} (${escapeHtml(r.event)})</span>`;
    const about = [
        r.goal ? `goal: <code>${escapeHtml(goalWords(r.goal))}</code>` : 'no goal',
        r.holdout ? `holdout ${r.holdout.share}%` : 'no holdout',
        r.measuring > 0 ? `${count(r.measuring)} still within their goal window (not in the rates yet)` : '',
    ].filter(Boolean).join(' · ');
    const lift = r.lift
        ? `<p>Lift: <strong>${escapeHtml(liftLine(r.lift))}</strong>${r.lift.revenuePerRecipient !== null ? `; revenue per recipient ${r.lift.revenuePerRecipient >= 0 ? '+' : ''}${amount(r.lift.revenuePerRecipient)}` : ''}</p>
<div class="lift" data-rule-index="${index}"></div>`
        : '';
    return `<section class="card rule" data-rule="${escapeHtml(r.rule)}">
<h2>${title}</h2>
<p class="muted">${about}</p>
${countsTable(r)}
${groupsTable(r)}
<p class="verdict ${verdictClass(r)}">${escapeHtml(verdictWords(r))}</p>
${lift}
<h3>Per day</h3>
<div class="chart" data-rule-index="${index}"></div>
</section>`;
}

/** The script that fills a page's `.chart` and `.lift` placeholders from the report's JSON. */
export const FILL_CHARTS_SCRIPT = `
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  document.querySelectorAll('.chart[data-rule-index]').forEach(function (el) {
    var rule = report.rules[Number(el.getAttribute('data-rule-index'))];
    followupCharts.daily(el, rule.daily || [], Boolean(rule.goal));
  });
  document.querySelectorAll('.lift[data-rule-index]').forEach(function (el) {
    var rule = report.rules[Number(el.getAttribute('data-rule-index'))];
    if (rule.lift) el.innerHTML = followupCharts.liftSvg(rule.lift);
  });
})();
`;

export function renderReportHtml(report: Report, options: { project?: string } = {}): string {
    const { js, css } = uplotAssets();
    const period = report.from || report.to
        ? `decisions from ${report.from ?? 'the start'} to ${report.to ?? 'now'}`
        : 'every decision';
    const title = `followup report${options.project ? ` — ${options.project}` : ''}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">As of ${escapeHtml(report.now)}; ${escapeHtml(period)}. Lift: ${escapeHtml(report.method.lift)}; relative lift: ${escapeHtml(report.method.relative)}; 95% intervals.
No lift below ${report.method.minimum.peoplePerGroup} measured people in each group or ${report.method.minimum.conversions} conversions in all.</p>
${report.rules.map(ruleSection).join('\n')}
<script type="application/json" id="report-data">${inlineJson(report)}</script>
<script>${inlineScript(js)}</script>
<script>${inlineScript(CHARTS_SCRIPT)}</script>
<script>${inlineScript(FILL_CHARTS_SCRIPT)}</script>
</body>
</html>
`;
}
