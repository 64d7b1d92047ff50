// The charts of the HTML report and of the operator page (`serve`'s /ui), drawn in the browser:
// sends and conversions per day (conversions on their own axis, right) with uPlot (https://github.com/leeoniya/uPlot, MIT, ~50 KB minified:
// installed from npm and written inline into every page, so a report file views offline), and the lift
// with its interval as a small SVG drawn by CHARTS_SCRIPT itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let assets: { js: string; css: string } | undefined;

/** uPlot's minified browser build and its stylesheet, read once from the installed package. */
export function uplotAssets(): { js: string; css: string } {
    if (!assets) {
        const require = createRequire(import.meta.url);
        assets = {
            js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
            css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
        };
    }
    return assets;
}

/** Text safe inside a <script> element: `</script>` and `<!--` cannot end or confuse it. */
export function inlineScript(source: string): string {
    return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside <script type="application/json">. */
export function inlineJson(value: unknown): string {
    return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}


/**
 * Browser code (no dependencies but uPlot): `followupCharts.daily(element, rows, hasGoal)` draws a
 * report's `daily` rows (sent, held out, and with a goal the conversions of each group, per UTC day); `followupCharts.liftSvg(lift)`
 * returns the SVG of a lift's estimate and 95% interval around a line at 0.
 */
export const CHARTS_SCRIPT = String.raw`
(function () {
  'use strict';
  var DAY = 86400;
  var colours = { sent: '#2563eb', heldOut: '#6b7280', convertedSent: '#16a34a', convertedHeldOut: '#d97706' };
  function daily(element, rows, hasGoal) {
    element.textContent = '';
    if (!rows || rows.length === 0) {
      element.textContent = 'Nothing decided in this period.';
      return null;
    }
    var xs = rows.map(function (r) { return Date.parse(r.day + 'T00:00:00Z') / 1000; });
    var data = [xs, rows.map(function (r) { return r.sent; }), rows.map(function (r) { return r.held_out; })];
    var series = [
      { label: 'day (UTC)' },
      { label: 'sent', stroke: colours.sent, width: 2, points: { show: true } },
      { label: 'held out', stroke: colours.heldOut, width: 2, points: { show: true } },
    ];
    var axes = [{}, { label: 'sent, held out' }];
    if (hasGoal) {
      data.push(rows.map(function (r) { return r.converted_sent; }), rows.map(function (r) { return r.converted_held_out; }));
      series.push(
        { label: 'converted (sent)', scale: 'conversions', stroke: colours.convertedSent, width: 2, points: { show: true } },
        { label: 'converted (held out)', scale: 'conversions', stroke: colours.convertedHeldOut, width: 2, dash: [6, 4], points: { show: true } });
      axes.push({ scale: 'conversions', side: 1, label: 'conversions', grid: { show: false } });
    }
    var width = Math.max(320, Math.min(900, element.clientWidth || 720));
    return new uPlot({
      width: width, height: 240,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, range: [xs[0] - DAY / 2, xs[xs.length - 1] + DAY / 2] } },
      series: series,
      axes: axes,
    }, data, element);
  }
  function fmt(x) { var t = (x * 100).toFixed(1); return (x >= 0 && t.charAt(0) !== '-' ? '+' : '') + t; }
  function liftSvg(lift) {
    var a = lift.absolute;
    var lo = Math.min(a.lower, 0), hi = Math.max(a.upper, 0);
    var pad = Math.max((hi - lo) * 0.15, 0.005);
    lo -= pad; hi += pad;
    var W = 420, H = 64, L = 20, R = W - 20;
    var x = function (v) { return L + ((v - lo) / (hi - lo)) * (R - L); };
    var colour = a.lower > 0 ? '#16a34a' : a.upper < 0 ? '#dc2626' : '#6b7280';
    return '<svg xmlns="http://www.w3.org/2000/svg" class="lift-chart" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="lift ' + fmt(a.estimate) + ' points, 95% interval ' + fmt(a.lower) + ' to ' + fmt(a.upper) + '">' +
      '<line x1="' + L + '" y1="30" x2="' + R + '" y2="30" stroke="#d1d5db"/>' +
      '<line x1="' + x(0) + '" y1="12" x2="' + x(0) + '" y2="48" stroke="#111827" stroke-dasharray="3 3"/>' +
      '<text x="' + x(0) + '" y="60" font-size="11" text-anchor="middle" fill="#111827">0</text>' +
      '<line class="lift-interval" x1="' + x(a.lower) + '" y1="30" x2="' + x(a.upper) + '" y2="30" stroke="' + colour + '" stroke-width="4"/>' +
      '<line x1="' + x(a.lower) + '" y1="22" x2="' + x(a.lower) + '" y2="38" stroke="' + colour + '" stroke-width="2"/>' +
      '<line x1="' + x(a.upper) + '" y1="22" x2="' + x(a.upper) + '" y2="38" stroke="' + colour + '" stroke-width="2"/>' +
      '<circle class="lift-estimate" cx="' + x(a.estimate) + '" cy="30" r="6" fill="' + colour + '"/>' +
      '<text x="' + x(a.lower) + '" y="14" font-size="11" text-anchor="middle" fill="#374151">' + fmt(a.lower) + '</text>' +
      '<text x="' + x(a.upper) + '" y="14" font-size="11" text-anchor="middle" fill="#374151">' + fmt(a.upper) + '</text>' +
      '<text x="' + x(a.estimate) + '" y="52" font-size="12" font-weight="bold" text-anchor="middle" fill="' + colour + '">' + fmt(a.estimate) + ' pts</text>' +
      '</svg>';
  }
  window.followupCharts = { daily: daily, liftSvg: liftSvg, colours: colours };
})();
`;
