// What long-running parts of the runtime (the scheduler, the dispatch workers) and the server report
// to: a structured logger and a metrics sink. Interfaces only: `@followup/server` implements them
// (JSON-lines logs, the Prometheus registry behind GET /metrics), tests keep what they are told.

/** JSON-lines logger. Fields are structured; secrets, API keys and tokens must never be passed in. */
export interface Logger {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}

/** Prometheus-style counters, histograms and gauges; label values are low-cardinality (rule, channel, outcome). */
export interface MetricsSink {
    increment(name: string, labels?: Record<string, string>, by?: number): void;
    observe(name: string, value: number, labels?: Record<string, string>): void;
    setGauge(name: string, value: number, labels?: Record<string, string>): void;
}
