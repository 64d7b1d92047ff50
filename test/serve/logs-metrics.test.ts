// The JSON-lines logger keeps secrets out (by field name and by value), and the metrics registry
// renders the Prometheus text exposition format; the API key check accepts only configured keys.
import { describe, expect, it } from 'vitest';
import { createApiKeyCheck, createJsonLogger, environmentSecrets, MetricsRegistry, parseApiKeys } from '@followup/server';

describe('createJsonLogger', () => {
    const env = {
        FOLLOWUP_API_KEYS: 'key-one-123456, key-two-654321',
        FOLLOWUP_SECRET: 'tracking-secret-abcdef012345',
        FOLLOWUP_SMTP_PASSWORD: 'smtp-password-987',
        FOLLOWUP_DB: 'postgres://app:db-pass-42x@db.internal:5432/followup',
        HOME: '/root',
    };

    it('writes one JSON object a line with time, level, message and fields', () => {
        const lines: string[] = [];
        const log = createJsonLogger({ write: (l) => lines.push(l), clock: () => new Date('2026-11-20T10:00:00Z'), base: { pid: 7 } });
        log.info('listening', { url: 'http://127.0.0.1:8080' });
        log.error('failed', { error: Object.assign(new Error('boom'), { code: 'ECONNREFUSED' }) });
        expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
        expect(lines.map((l) => JSON.parse(l))).toEqual([
            { time: '2026-11-20T10:00:00.000Z', level: 'info', msg: 'listening', pid: 7, url: 'http://127.0.0.1:8080' },
            { time: '2026-11-20T10:00:00.000Z', level: 'error', msg: 'failed', pid: 7, error: { name: 'Error', message: 'boom', code: 'ECONNREFUSED' } },
        ]);
    });

    it('never writes a secret: fields named like one are redacted, and every known secret value is masked wherever it appears', () => {
        const lines: string[] = [];
        const log = createJsonLogger({ write: (l) => lines.push(l), secrets: environmentSecrets(env) });
        log.info('request', { authorization: 'Bearer key-one-123456', apiKey: 'key-two-654321', token: 'abc.def', password: 'x' });
        log.warn('odd', { note: 'someone sent key-two-654321 in a URL', url: 'https://t.example/c/tracking-secret-abcdef012345' });
        log.error('smtp', { error: new Error('535 auth failed for smtp-password-987') });
        log.error('db', { error: new Error('password authentication failed: db-pass-42x') });
        log.info('plain', { home: env.HOME });
        const text = lines.join('');
        for (const secret of ['key-one-123456', 'key-two-654321', 'tracking-secret-abcdef012345', 'smtp-password-987', 'db-pass-42x', 'abc.def']) {
            expect(text).not.toContain(secret);
        }
        expect(JSON.parse(lines[0]!)).toMatchObject({ authorization: '[redacted]', apiKey: '[redacted]', token: '[redacted]' });
        expect(JSON.parse(lines[1]!).note).toBe('someone sent [redacted] in a URL');
        expect(JSON.parse(lines[4]!).home).toBe('/root'); // not a secret
    });
});

describe('MetricsRegistry', () => {
    it('renders counters, gauges and histograms in the text exposition format', () => {
        const m = new MetricsRegistry({
            demo_total: { kind: 'counter', help: 'Demo "things".' },
            depth: { kind: 'gauge', help: 'Depth.' },
            took_seconds: { kind: 'histogram', help: 'Took.', buckets: [0.1, 1] },
        });
        m.increment('demo_total', { rule: 'a"b\\c', channel: 'email' });
        m.increment('demo_total', { channel: 'email', rule: 'a"b\\c' }, 2);
        m.setGauge('depth', 5);
        m.observe('took_seconds', 0.05, { rule: 'r' });
        m.observe('took_seconds', 0.5, { rule: 'r' });
        m.observe('took_seconds', 3, { rule: 'r' });
        expect(m.render()).toBe([
            '# HELP demo_total Demo "things".',
            '# TYPE demo_total counter',
            'demo_total{channel="email",rule="a\\"b\\\\c"} 3',
            '# HELP depth Depth.',
            '# TYPE depth gauge',
            'depth 5',
            '# HELP took_seconds Took.',
            '# TYPE took_seconds histogram',
            'took_seconds_bucket{rule="r",le="0.1"} 1',
            'took_seconds_bucket{rule="r",le="1"} 2',
            'took_seconds_bucket{rule="r",le="+Inf"} 3',
            'took_seconds_sum{rule="r"} 3.55',
            'took_seconds_count{rule="r"} 3',
            '',
        ].join('\n'));
        expect(() => m.observe('demo_total', 1)).toThrow(/counter/);
    });
});

describe('API keys', () => {
    it('accepts exactly the configured keys as Bearer tokens, each with its own scope', () => {
        const check = createApiKeyCheck(parseApiKeys(' alpha-key-1 ,beta-key-2,, '));
        const a = check.verify('Bearer alpha-key-1');
        const b = check.verify('bearer beta-key-2');
        expect(a).toMatch(/^[0-9a-f]{32}$/);
        expect(b).toMatch(/^[0-9a-f]{32}$/);
        expect(a).not.toBe(b);
        expect(a).not.toContain('alpha');
        for (const bad of [undefined, '', 'alpha-key-1', 'Bearer alpha-key-', 'Bearer alpha-key-11', 'Basic alpha-key-1', 'Bearer  ', 'Bearer alpha-key-1 beta-key-2']) {
            expect(check.verify(bad), String(bad)).toBeUndefined();
        }
        expect(createApiKeyCheck([]).verify('Bearer anything')).toBeUndefined();
    });
});
