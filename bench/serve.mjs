// Load bench of `followup serve` on PostgreSQL: cart events posted at a fixed concurrency for 30 s
// (autocannon), then a check that every 202-acknowledged event (and its transactional message) is in
// the store; then a second phase that sends SIGTERM to serve in the middle of the load and checks
// the same: nothing acknowledged is lost.
//
//   npm run build && npm run bench:serve
//   node bench/serve.mjs [--seconds 30] [--connections 50] [--rate <events/s>] [--transport outbox:<dir>|smtp://...] [--smtp-sink] [--ingest-only] [--no-fsync] [--skip-sigterm]
//
// --rate N offers N events/s (autocannon's overallRate) instead of as many as the connections can
// send: the end-to-end measure. While serve runs, the bench then counts how many of the acknowledged
// events' messages were sent when the load ended (the backlog) and how long the rest took to go out:
// serve keeps up with N events/s ingested and sent when the backlog stays about constant (a second's
// worth or less) rather than growing with the load's length.
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { startCountingSink } from './counting-smtp-sink.mjs';
import { describeStuckDispatch } from './stuck-dispatch.mjs';
import { benchProject, loadEvents, missingFromStore, startPostgres, startServe } from './serve-load.mjs';

const { values } = parseArgs({
    options: {
        seconds: { type: 'string', default: '30' },
        connections: { type: 'string', default: '50' },
        rate: { type: 'string' },
        transport: { type: 'string' },
        'skip-sigterm': { type: 'boolean', default: false },
        // Ingestion alone: `followup serve --no-send` (messages queued, sent by other processes).
        'ingest-only': { type: 'boolean', default: false },
        // fsync off on the PostgreSQL server (as in the tests): commits no longer wait on the disk.
        'no-fsync': { type: 'boolean', default: false },
        // Emails over SMTP to a local server that counts them (in a worker thread of the bench).
        'smtp-sink': { type: 'boolean', default: false },
    },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = values.rate ? Number(values.rate) : undefined;

console.log(`followup serve load bench: ${connections} connections, ${rate ? `${rate} events/s offered, ` : ''}${seconds} s, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const sink = values['smtp-sink'] ? await startCountingSink() : undefined;
if (sink) values.transport = sink.url;
const postgres = await startPostgres({ durable: !values['no-fsync'] });
const mode = { ingestOnly: values['ingest-only'] };
console.log(`${mode.ingestOnly ? 'followup serve --no-send (tracking on, nothing sent)' : 'followup serve (sending to ' + (values.transport ?? 'the outbox folder') + ', tracking on)'}, PostgreSQL ${values['no-fsync'] ? 'without fsync' : 'with durable commits'}`);
const project = await benchProject(values.transport);
let failed = false;
try {
    // Phase 1: steady load.
    let serve = startServe(project.dir, postgres.url, {}, mode);
    let url = await serve.url;
    // A few requests first, so that the first second measures a warm process.
    await loadEvents(url, { seconds: 2, connections, prefix: 'warmup' });
    const { result, acknowledged } = await loadEvents(url, { seconds, connections, rate, prefix: 'steady' });
    const accepted = acknowledged.length / seconds;
    console.log(`\nsteady load: ${acknowledged.length} events acknowledged in ${seconds} s = ${Math.round(accepted)} events/s`);
    console.log(`  latency p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    console.log(`  non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
    if (rate && !mode.ingestOnly) {
        // serve still runs: the backlog when the load ended, then how long the rest took to go out.
        const endedAt = Date.now();
        let inStore = await missingFromStore(postgres.url, acknowledged);
        const sentAtEnd = inStore.sent;
        while (inStore.sent < acknowledged.length && Date.now() - endedAt < 60_000) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            inStore = await missingFromStore(postgres.url, acknowledged);
        }
        const { sent } = inStore;
        const drained = (Date.now() - endedAt) / 1000;
        console.log(`  sent when the load ended: ${sentAtEnd} of ${acknowledged.length} (backlog ${acknowledged.length - sentAtEnd} = ${((acknowledged.length - sentAtEnd) / Math.max(1, accepted)).toFixed(1)} s of load); ${sent === acknowledged.length ? 'all' : sent} sent ${drained.toFixed(1)} s after the load ended`);
        console.log(`  end to end: ${sent} sent in ${(seconds + drained).toFixed(1)} s = ${Math.round(sent / (seconds + drained))} events/s ingested and sent`);
        if (sent < acknowledged.length) {
            // Not all sent within a minute: say where the rest are, and what serve logged about it.
            console.log(`  outbox rows of the acknowledged events by status: ${JSON.stringify(inStore.statuses)}`);
            const logged = `${serve.stdout()}\n${serve.stderr()}`.split('\n').filter((line) => /"level":"(warn|error)"|Error/.test(line));
            console.log(`  serve's warnings and errors (${logged.length}, the last 10):\n${logged.slice(-10).map((line) => `    ${line.slice(0, 400)}`).join('\n')}`);
            await describeStuckDispatch(postgres.url);
        }
    }
    serve.child.kill('SIGTERM');
    console.log(`  serve exited with ${await serve.exited}`);
    if (sink) console.log(`  emails received by the SMTP sink so far: ${await sink.count()}`);
    let missing = await missingFromStore(postgres.url, acknowledged);
    console.log(`  acknowledged but missing: ${missing.events.length} events, ${missing.messages.length} transactional messages`);
    if (!mode.ingestOnly) console.log(`  transactional messages sent when serve stopped (right after the load): ${missing.sent} of ${acknowledged.length} = ${Math.round(missing.sent / seconds)} /s over the ${seconds} s`);
    failed ||= missing.events.length + missing.messages.length > 0 || acknowledged.length === 0;

    if (!values['skip-sigterm']) {
        // Phase 2: SIGTERM in the middle of the load.
        serve = startServe(project.dir, postgres.url, {}, mode);
        url = await serve.url;
        const half = Math.max(2, Math.round(seconds / 3));
        let signalledAt = 0;
        let exitedAt = 0;
        void serve.exited.then(() => (exitedAt = Date.now()));
        const timer = setTimeout(() => {
            signalledAt = Date.now();
            serve.child.kill('SIGTERM');
        }, half * 1000);
        const phase = await loadEvents(url, { seconds: half * 2, connections, prefix: 'sigterm' });
        clearTimeout(timer);
        const code = await serve.exited;
        missing = await missingFromStore(postgres.url, phase.acknowledged);
        console.log(`\nSIGTERM after ${half} s of load: serve exited with ${code} ${signalledAt ? `${exitedAt - signalledAt} ms after the signal` : ''}`);
        console.log(`  ${phase.acknowledged.length} events acknowledged; refused or unanswered once stopping: ${phase.result.non2xx + phase.result.errors}`);
        console.log(`  acknowledged but missing: ${missing.events.length} events, ${missing.messages.length} transactional messages`);
        failed ||= missing.events.length + missing.messages.length > 0 || code !== 0;
    }
} finally {
    await sink?.close();
    await project.remove();
    await postgres.stop();
}
console.log(failed ? '\nFAILED: an acknowledged event is missing (or serve did not exit cleanly)' : '\nOK: every acknowledged event is stored with its transactional message');
process.exit(failed ? 1 : 0);
