// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) for GET /metrics. Metrics are declared with their help text;
// one used without a declaration is declared on first use with its kind guessed from the call.
import type { MetricsSink } from '@followup/runtime';
import { compareText } from '@followup/values';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDeclaration {
    kind: MetricKind;
    help: string;
    /** Histogram bucket upper bounds, in increasing order. */
    buckets?: readonly number[];
}

/** Seconds: from a fast HTTP answer to a long rule run. */
export const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Series {
    labels: Record<string, string>;
    value: number;
    /** Histograms: cumulative counts per bucket, then the sum. */
    counts?: number[];
    sum?: number;
}

interface Metric extends MetricDeclaration {
    series: Map<string, Series>;
}

/** The metrics every `serve` process exposes, declared up front so they show (at zero) from the start. */
export const serveMetricDeclarations: Record<string, MetricDeclaration> = {
    followup_events_received_total: { kind: 'counter', help: 'Events accepted (stored) by ingestion, by type.' },
    followup_events_rejected_total: { kind: 'counter', help: 'Events refused by ingestion (invalid, unknown type), by reason.' },
    followup_messages_total: { kind: 'counter', help: 'Messages by rule ("" for transactional), channel and outcome (queued, held, sent, failed, retrying, suppressed, stopped, expired, capped, held_out; held counts queued follow-ups waiting for quiet hours to end).' },
    followup_run_duration_seconds: { kind: 'histogram', help: 'Duration of one scheduled run of a rule.' },
    followup_outbox_depth: { kind: 'gauge', help: 'Outbox rows pending delivery (read at scrape time).' },
    followup_http_requests_total: { kind: 'counter', help: 'HTTP requests answered, by method, route and status code.' },
    followup_http_request_duration_seconds: { kind: 'histogram', help: 'Time to answer an HTTP request, by route.' },
};

export class MetricsRegistry implements MetricsSink {
    private readonly metrics = new Map<string, Metric>();

    constructor(declarations: Record<string, MetricDeclaration> = serveMetricDeclarations) {
        for (const [name, declaration] of Object.entries(declarations)) this.declare(name, declaration);
    }

    declare(name: string, declaration: MetricDeclaration): void {
        if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name '${name}'`);
        const existing = this.metrics.get(name);
        if (existing) {
            if (existing.kind !== declaration.kind) throw new Error(`metric '${name}' is a ${existing.kind}, not a ${declaration.kind}`);
            return;
        }
        const buckets = declaration.kind === 'histogram' ? [...(declaration.buckets ?? DEFAULT_BUCKETS)] : undefined;
        this.metrics.set(name, { ...declaration, ...(buckets ? { buckets } : {}), series: new Map() });
    }

    increment(name: string, labels: Record<string, string> = {}, by = 1): void {
        this.series(name, 'counter', labels).value += by;
    }

    setGauge(name: string, value: number, labels: Record<string, string> = {}): void {
        this.series(name, 'gauge', labels).value = value;
    }

    observe(name: string, value: number, labels: Record<string, string> = {}): void {
        const metric = this.metric(name, 'histogram');
        const s = this.seriesOf(metric, labels);
        s.counts ??= new Array<number>(metric.buckets!.length).fill(0);
        metric.buckets!.forEach((bound, i) => {
            if (value <= bound) s.counts![i]!++;
        });
        s.value++;
        s.sum = (s.sum ?? 0) + value;
    }

    /** The current value of a counter or gauge series (0 when it never moved): for tests and logs. */
    value(name: string, labels: Record<string, string> = {}): number {
        return this.metrics.get(name)?.series.get(seriesKey(labels))?.value ?? 0;
    }

    /** The text exposition format: `# HELP`, `# TYPE`, then one line per series (histograms: buckets, sum, count). */
    render(): string {
        const lines: string[] = [];
        for (const [name, metric] of [...this.metrics].sort(([a], [b]) => compareText(a, b))) {
            lines.push(`# HELP ${name} ${escapeHelp(metric.help)}`, `# TYPE ${name} ${metric.kind}`);
            for (const s of metric.series.values()) {
                if (metric.kind !== 'histogram') {
                    lines.push(`${name}${labelText(s.labels)} ${formatNumber(s.value)}`);
                    continue;
                }
                metric.buckets!.forEach((bound, i) => {
                    lines.push(`${name}_bucket${labelText({ ...s.labels, le: formatNumber(bound) })} ${s.counts?.[i] ?? 0}`);
                });
                lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.value}`);
                lines.push(`${name}_sum${labelText(s.labels)} ${formatNumber(s.sum ?? 0)}`);
                lines.push(`${name}_count${labelText(s.labels)} ${s.value}`);
            }
        }
        return lines.join('\n') + '\n';
    }

    private metric(name: string, kind: MetricKind): Metric {
        if (!this.metrics.has(name)) this.declare(name, { kind, help: name });
        const metric = this.metrics.get(name)!;
        if (metric.kind !== kind) throw new Error(`metric '${name}' is a ${metric.kind}: it cannot be used as a ${kind}`);
        return metric;
    }

    private series(name: string, kind: MetricKind, labels: Record<string, string>): Series {
        return this.seriesOf(this.metric(name, kind), labels);
    }

    private seriesOf(metric: Metric, labels: Record<string, string>): Series {
        const key = seriesKey(labels);
        let s = metric.series.get(key);
        if (!s) metric.series.set(key, (s = { labels: { ...labels }, value: 0 }));
        return s;
    }
}

/** The content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function seriesKey(labels: Record<string, string>): string {
    return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function labelText(labels: Record<string, string>): string {
    const names = Object.keys(labels).sort((a, b) => (a === 'le' ? 1 : b === 'le' ? -1 : compareText(a, b)));
    if (names.length === 0) return '';
    return `{${names.map((n) => `${n}="${escapeLabel(labels[n]!)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
    return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
    if (Number.isNaN(n)) return 'NaN';
    if (n === Infinity) return '+Inf';
    if (n === -Infinity) return '-Inf';
    return String(n);
}
