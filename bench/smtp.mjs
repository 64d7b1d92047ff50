// SMTP dispatch throughput: N emails of ~2.7 KB through the SmtpTransport (nodemailer pool,
// `maxMessages: Infinity`) to a local smtp-server that only counts what it receives (no parsing,
// so mailparser isn't measured), with a pool of 5 connections and with 1.
//
//   npm run build && node bench/smtp.mjs
//   node bench/smtp.mjs [--count 2000] [--runs 3] [--concurrency 0] [--same-thread] [--baseline] [--json]
//
// The sink runs in a worker thread (a real server is another process), --same-thread puts it in
// the benchmark's own event loop. --concurrency N keeps at most N sends in flight (0: all at once,
// as a batch would). --baseline also measures bare nodemailer (pool 5, maxMessages 100 and
// Infinity) for comparison. "CPU ms / 1k" is the benchmark process's CPU time (all threads, so
// the sink's too when it runs in a worker) per 1,000 emails: less sensitive to a busy machine
// than emails/s. Target (PERFORMANCE.md): ≥ 1,200 emails/s with the pool.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { bareNodemailerSender, referenceMessage } from './smtp-reference.mjs';

if (!isMainThread) {
    // The sink's thread: start, report the URL, answer stats requests, close on request.
    const sink = await startCountingSink();
    parentPort.on('message', async msg => {
        if (msg === 'stats') parentPort.postMessage({ stats: { ...sink.stats } });
        else if (msg === 'reset') {
            sink.stats.messages = sink.stats.bytes = 0;
            parentPort.postMessage({ reset: true });
        } else if (msg === 'close') {
            await sink.close();
            parentPort.postMessage({ closed: true });
            parentPort.close();
        }
    });
    parentPort.postMessage({ url: sink.url });
}

const { createSmtpTransport } = isMainThread ? await import('../packages/runtime/dist/transport/smtp.js') : {};
const { values } = parseArgs({
    strict: isMainThread,
    options: {
        'same-thread': { type: 'boolean', default: false },
        count: { type: 'string', default: '2000' },
        runs: { type: 'string', default: '3' },
        concurrency: { type: 'string', default: '0' },
        baseline: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
    },
});
const count = Number(values.count);
const runs = Math.max(1, Number(values.runs));
const concurrency = Number(values.concurrency);

/** A sink that drains each message and counts it and its bytes. */
async function startCountingSink() {
    const stats = { messages: 0, bytes: 0, connections: 0 };
    const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        closeTimeout: 500,
        onConnect(_session, callback) {
            stats.connections++;
            callback();
        },
        onData(stream, _session, callback) {
            stream.on('data', chunk => (stats.bytes += chunk.length));
            stream.on('end', () => {
                stats.messages++;
                callback(null, 'OK');
            });
        },
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    return { url: `smtp://127.0.0.1:${server.server.address().port}`, stats, close: () => new Promise(resolve => server.close(resolve)) };
}

/** The counting sink in a worker thread, behind the same shape as the in-thread one. */
async function startWorkerSink() {
    const worker = new Worker(new URL(import.meta.url));
    const ask = (request, key) =>
        new Promise((resolve, reject) => {
            const onMessage = msg => {
                if (key in msg) {
                    worker.off('message', onMessage);
                    resolve(msg[key]);
                }
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            if (request) worker.postMessage(request);
        });
    const url = await ask(undefined, 'url');
    return {
        url,
        stats: () => ask('stats', 'stats'),
        reset: () => ask('reset', 'reset'),
        close: async () => {
            await ask('close', 'closed');
            await worker.terminate();
        },
    };
}

async function startSink() {
    if (!values['same-thread']) return startWorkerSink();
    const sink = await startCountingSink();
    return {
        url: sink.url,
        stats: async () => ({ ...sink.stats }),
        reset: async () => void (sink.stats.messages = sink.stats.bytes = 0),
        close: sink.close,
    };
}

async function dispatch(send) {
    const results = new Array(count);
    if (!concurrency) {
        await Promise.all(Array.from({ length: count }, (_, i) => send(referenceMessage(i)).then(r => (results[i] = r))));
    } else {
        let next = 0;
        const worker = async () => {
            while (next < count) {
                const i = next++;
                results[i] = await send(referenceMessage(i));
            }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
    }
    return results;
}

async function measure(label, makeSender) {
    const perSecond = [];
    const cpuPer1k = [];
    let bytesPerMessage = 0;
    let connections = 0;
    for (let run = 0; run < runs; run++) {
        const sink = await startSink();
        const { send, close } = makeSender(sink.url);
        // One warm-up message (first connection, JIT); the pool's other connections still open
        // inside the timed run, as they would in production.
        await send(referenceMessage(-1));
        await sink.reset();
        const cpu = process.cpuUsage();
        const started = performance.now();
        const results = await dispatch(send);
        const seconds = (performance.now() - started) / 1000;
        const used = process.cpuUsage(cpu);
        const stats = await sink.stats();
        const failed = results.filter(r => r && r.status && r.status !== 'sent');
        if (failed.length || stats.messages !== count) throw new Error(`${label}: ${failed.length} not sent, sink got ${stats.messages}/${count}: ${JSON.stringify(failed[0])}`);
        perSecond.push(count / seconds);
        cpuPer1k.push((used.user + used.system) / 1000 / (count / 1000));
        bytesPerMessage = stats.bytes / stats.messages;
        connections = stats.connections;
        await close();
        await sink.close();
    }
    const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { label, median: median(perSecond), min: Math.min(...perSecond), max: Math.max(...perSecond), cpuMsPer1k: median(cpuPer1k), bytesPerMessage, connections };
}

const transportSender = maxConnections => url => {
    const t = createSmtpTransport(url, { from: 'Shop <hello@shop.example>', env: {}, maxConnections });
    return { send: m => t.send(m), close: () => t.close() };
};
const bareSender = maxMessages => url => bareNodemailerSender(url, maxMessages);

if (isMainThread) await main();

async function main() {
    const rows = [];
    rows.push(await measure('SmtpTransport, pool of 5', transportSender(5)));
    rows.push(await measure('SmtpTransport, 1 connection', transportSender(1)));
    if (values.baseline) {
        rows.push(await measure('bare nodemailer pool 5, maxMessages 100', bareSender(100)));
        rows.push(await measure('bare nodemailer pool 5, maxMessages Infinity', bareSender(Infinity)));
    }

    if (values.json) {
        process.stdout.write(JSON.stringify({ count, runs, concurrency, node: process.version, rows }, null, 2) + '\n');
    } else {
        const fmt = n => Math.round(n).toLocaleString('en-US');
        console.log(
            `${count} emails of ~${(rows[0].bytesPerMessage / 1024).toFixed(1)} KB to a local counting smtp-server ` +
                `(${values['same-thread'] ? 'same thread' : 'worker thread'}), ${runs} run(s), ` +
                `${concurrency ? `${concurrency} in flight` : 'all sent at once'}, node ${process.version}, load ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
        );
        console.log('');
        console.log('| setup | emails/s (median) | min | max | CPU ms / 1k | connections |');
        console.log('|---|---:|---:|---:|---:|---:|');
        for (const r of rows) console.log(`| ${r.label} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${fmt(r.cpuMsPer1k)} | ${r.connections} |`);
    }
}
