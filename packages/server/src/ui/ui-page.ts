// The operator page's HTML: one page, its script and uPlot inline (with the response's CSP nonce), that
// reads /ui/api/* and renders with DOM calls (text through textContent; the only markup inserted is the
// report section the server rendered and escaped, and the lift's SVG made of numbers).
import { CHARTS_SCRIPT, inlineScript, REPORT_CSS, uplotAssets } from '@followup/runtime';

const PAGE_CSS = `
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
nav a { margin-right: 12px; }
.rules td a { font-weight: 600; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #eef2ff; font-size: 12px; }
#explain-form { display: flex; gap: 8px; } #explain-form input { flex: 1; padding: 6px 8px; font-size: 14px; }
button { padding: 6px 14px; font-size: 14px; cursor: pointer; }
.verdicts { list-style: none; padding: 0; margin: 6px 0 12px; } .verdicts li { padding: 3px 0; font-size: 13px; }
.verdicts .yes { color: #15803d; } .verdicts .no { color: #374151; } .verdicts .na { color: #9ca3af; }
.error { color: #b91c1c; }
`;

/** What the page does: overview, a rule's page (#rule=<name>), the explain box. */
const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
  function row(cells, header) { var tr = el('tr'); cells.forEach(function (c) { var td = el(header ? 'th' : 'td'); if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '—' : String(c); tr.appendChild(td); }); return tr; }
  function n(x) { return x === null || x === undefined ? '—' : Number(x).toLocaleString('en-US'); }
  function when(x) { return x ? String(x).replace('.000Z', 'Z') : '—'; }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status)); return body; });
    });
  }
  function showError(where, error) { where.textContent = ''; where.appendChild(el('p', error.message || String(error), 'error')); }

  function overview() {
    $('rule').hidden = true; $('overview').hidden = false;
    getJson('/ui/api/overview').then(function (data) {
      $('now').textContent = 'as of ' + when(data.now);
      $('outbox').textContent = 'Outbox: ' + n(data.outbox.pending) + ' pending (' + n(data.outbox.held) + ' held for quiet hours), ' + n(data.outbox.failed) + ' failed';
      var table = $('rules'); table.textContent = '';
      table.appendChild(row(['rule', 'sends', 'trigger', 'schedule', 'goal', 'holdout', 'last run', 'selected', 'sent', 'held out'], true));
      data.rules.forEach(function (r) {
        var link = el('a', r.rule); link.href = '#rule=' + encodeURIComponent(r.rule);
        var run = r.lastRun;
        table.appendChild(row([link, r.message + ' ' + r.channel, r.trigger, r.schedule,
          r.goal ? r.goal.event + ' within ' + r.goal.within + (r.goal.value ? ' (value ' + r.goal.value + ')' : '') : '—',
          r.holdout ? r.holdout.share + '%' : '—', run ? when(run.now) : 'never', run ? n(run.selected) : '—', run ? n(run.sent) : '—', run ? n(run.held_out) : '—']));
      });
    }).catch(function (e) { showError($('rules'), e); });
  }

  function rule(name) {
    $('overview').hidden = true; $('rule').hidden = false;
    $('rule-name').textContent = name; $('rule-body').textContent = 'Loading…';
    getJson('/ui/api/rules/' + encodeURIComponent(name)).then(function (data) {
      var body = $('rule-body'); body.textContent = '';
      body.appendChild(el('h3', 'Last runs'));
      var runs = el('table'); runs.className = 'runs';
      runs.appendChild(row(['now', 'window from', 'finished', 'selected', 'sent', 'held out', 'suppressed', 'expired', 'stopped', 'capped', 'failed'], true));
      data.runs.forEach(function (r) { runs.appendChild(row([when(r.now), when(r.window_start), when(r.finished_at), n(r.selected), n(r.sent), n(r.held_out), n(r.suppressed), n(r.expired), n(r.stopped), n(r.capped), n(r.failed)])); });
      if (data.runs.length === 0) runs.appendChild(row(['no run yet']));
      body.appendChild(runs);
      body.appendChild(el('h3', 'Decisions per day (last 30 days)'));
      var days = el('div', null, 'chart outcomes'); body.appendChild(days);
      followupCharts.outcomes(days, data.days);
      body.appendChild(el('h3', 'Report'));
      var section = el('div', null, 'report'); section.innerHTML = data.reportHtml; body.appendChild(section);
      var report = data.report.rules[0];
      section.querySelectorAll('.chart[data-rule-index]').forEach(function (c) { followupCharts.daily(c, report.daily || [], Boolean(report.goal)); });
      section.querySelectorAll('.lift[data-rule-index]').forEach(function (c) { if (report.lift) c.innerHTML = followupCharts.liftSvg(report.lift); });
    }).catch(function (e) { showError($('rule-body'), e); });
  }

  function explain(event) {
    event.preventDefault();
    var q = $('explain-input').value.trim(); if (!q) return;
    var out = $('explain-result'); out.textContent = 'Explaining…';
    getJson('/ui/api/explain?q=' + encodeURIComponent(q)).then(function (data) {
      out.textContent = '';
      data.explanations.forEach(function (e) {
        out.appendChild(el('h3', 'Event ' + e.event + ' (' + e.type + ', ' + e.occurredAt + ')'));
        var list = el('ul', null, 'verdicts');
        e.verdicts.forEach(function (v) {
          var li = el('li', (v.wouldSend ? '✓ ' : v.kind === 'not-applicable' ? '· ' : '✗ ') + v.rule + ': ' + v.reason,
            v.wouldSend ? 'yes' : v.kind === 'not-applicable' ? 'na' : 'no');
          li.setAttribute('data-rule', v.rule); li.setAttribute('data-kind', v.kind);
          list.appendChild(li);
        });
        out.appendChild(list);
      });
    }).catch(function (e) { showError(out, e); });
  }

  function route() {
    var m = /^#rule=(.+)$/.exec(location.hash);
    if (m) rule(decodeURIComponent(m[1])); else overview();
  }
  $('explain-form').addEventListener('submit', explain);
  window.addEventListener('hashchange', route);
  route();
})();
`;

/** Decisions per day, one line per outcome: added to the charts for this page. */
const OUTCOMES_SCRIPT = String.raw`
(function () {
  var colours = { send: '#2563eb', held_out: '#6b7280', suppressed: '#dc2626', expired: '#a855f7', stopped: '#d97706', capped: '#0891b2' };
  followupCharts.outcomes = function (element, rows) {
    element.textContent = '';
    if (!rows || rows.length === 0) { element.textContent = 'No decision in the last 30 days.'; return null; }
    var days = Array.from(new Set(rows.map(function (r) { return r.day; }))).sort();
    var outcomes = Array.from(new Set(rows.map(function (r) { return r.outcome; }))).sort();
    var xs = days.map(function (d) { return Date.parse(d + 'T00:00:00Z') / 1000; });
    var data = [xs];
    outcomes.forEach(function (o) { data.push(days.map(function (d) { var hit = rows.find(function (r) { return r.day === d && r.outcome === o; }); return hit ? hit.n : 0; })); });
    return new uPlot({
      width: Math.max(320, Math.min(900, element.clientWidth || 720)), height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, range: [xs[0] - 43200, xs[xs.length - 1] + 43200] } },
      series: [{ label: 'day (UTC)' }].concat(outcomes.map(function (o) { return { label: o, stroke: colours[o] || '#111827', width: 2, points: { show: true } }; })),
      axes: [{}, { label: 'decisions' }],
    }, data, element);
  };
})();
`;

export function operatorPage(nonce: string): string {
    const { js, css } = uplotAssets();
    const script = (source: string) => `<script nonce="${nonce}">${inlineScript(source)}</script>`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>followup — operator</title>
<link rel="icon" href="data:,">
<style>${css}</style>
<style>${REPORT_CSS}${PAGE_CSS}</style>
</head>
<body>
<header><h1>followup</h1><span class="muted" id="now"></span><nav><a href="#">Rules</a></nav></header>
<section class="card" id="explain">
<h2>Explain</h2>
<form id="explain-form"><input id="explain-input" name="q" placeholder="an event id (cart-8812) or an address (ana@example.com)" autocomplete="off"><button type="submit" id="explain-button">Explain</button></form>
<div id="explain-result"></div>
</section>
<section class="card" id="overview">
<h2>Rules</h2>
<p class="muted" id="outbox"></p>
<table class="rules" id="rules"></table>
</section>
<section class="card" id="rule" hidden>
<h2 id="rule-name"></h2>
<div id="rule-body"></div>
</section>
${script(js)}
${script(CHARTS_SCRIPT)}
${script(OUTCOMES_SCRIPT)}
${script(PAGE_SCRIPT)}
</body>
</html>
`;
}
