// How fast the runtime renders a message: the cart-abandonment example's follow-up email (subject,
// HTML with a loop over the items and an if, text part with a loop), compiled to a render plan by
// the built compiler and rendered by the runtime's own `createRenderer`, with the example's
// history.jsonl carts as data. Reference: rendering ≥ 300,000 messages/s (/work/shared/PERFORMANCE.md).
//
//   npm run build && node bench/render.mjs
//   node bench/render.mjs [--messages 200000] [--rounds 7] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, table, printHeaderAndExit } from './measure.mjs';

const repo = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const example = nodePath.join(repo, 'examples/cart-abandonment');
const reference = 300_000;

const { values } = parseArgs({
    options: {
        messages: { type: 'string', default: '200000' },
        rounds: { type: 'string', default: '7' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
    },
});
if (values.help) printHeaderAndExit(import.meta.url, 7);
const messages = Number(values.messages);
const rounds = Number(values.rounds);
const int = n => Math.round(n).toLocaleString('en-US');
const log = values.json ? () => {} : line => process.stdout.write(`${line}\n`);

const loadStart = os.loadavg();
const { loadProject, unloadProject, createFollowupServices } = await import('@followup/language');
const { compilePlans } = await import('@followup/compiler');
const { createRenderer } = await import('@followup/runtime/render');
const { NodeFileSystem } = await import('langium/node');

const project = await loadProject([example], createFollowupServices(NodeFileSystem).Followup);
if (project.errorCount > 0) throw new Error(`the example has ${project.errorCount} error(s)`);
const plan = compilePlans(project).find(p => p.message === 'followup' && p.channel === 'email');
unloadProject(project);
if (!plan) throw new Error('no rule sends the example\'s followup email');

const events = fs.readFileSync(nodePath.join(example, 'history.jsonl'), 'utf8').split('\n')
    .filter(line => line.trim() !== '').map(line => JSON.parse(line))
    .filter(r => r.kind === 'event' && r.type === 'cartAbandonment').map(r => r.data);

// Preparing the plan's templates (what run and serve do once per plan) is timed apart from rendering;
// a copy each time, since createRenderer keeps the renderer of a templates object it has seen.
const prepares = [];
let render;
for (let i = 0; i < 50; i++) {
    const templates = { ...plan.templates };
    const t0 = performance.now();
    render = createRenderer(templates);
    prepares.push(performance.now() - t0);
}

const sample = render(events[0], null);
const bytes = Object.values(sample).reduce((n, s) => n + Buffer.byteLength(s), 0);
log(`Rule ${plan.rule}: parts ${Object.keys(plan.templates).join(', ')}; ${events.length} carts from history.jsonl; ` +
    `${int(bytes)} bytes rendered for the first one`);

let sink = 0;
const perSecond = [];
for (let round = 0; round <= rounds; round++) {
    const t0 = performance.now();
    for (let i = 0; i < messages; i++) sink += render(events[i % events.length], null).html.length;
    const seconds = (performance.now() - t0) / 1000;
    if (round > 0) perSecond.push(messages / seconds); // round 0 warms the JIT up
}
if (sink === 0) throw new Error('nothing rendered');
const loadEnd = os.loadavg();

const result = {
    rule: plan.rule, messages, rounds, bytes,
    perSecond: { median: median(perSecond), min: Math.min(...perSecond), max: Math.max(...perSecond) },
    prepareMs: { median: median(prepares), first: prepares[0] },
    reference, loadavg: { start: loadStart, end: loadEnd }, cpus: os.cpus().length,
};
if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
    log('');
    log(table(['rendering', 'median', 'min', 'max', 'reference', 'ratio'], [[
        `${int(messages)} messages × ${rounds} rounds`, `${int(result.perSecond.median)} /s`, `${int(result.perSecond.min)} /s`,
        `${int(result.perSecond.max)} /s`, `≥ ${int(reference)} /s`, `${(result.perSecond.median / reference).toFixed(2)}×`,
    ]]));
    log('');
    log(`createRenderer(plan.templates): first ${result.prepareMs.first.toFixed(2)} ms, then median ${result.prepareMs.median.toFixed(3)} ms`);
    log(`Load average ${loadStart.map(n => n.toFixed(2)).join(' ')} at start, ${loadEnd.map(n => n.toFixed(2)).join(' ')} at end (${os.cpus().length} CPUs)`);
}
