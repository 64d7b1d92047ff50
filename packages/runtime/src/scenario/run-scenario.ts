// `followup test`: a scenario (a `test "..." { ... }` lowered to JSON) run through the production code.
// Its records go through `importHistory` (validated against the project's schemas, as `followup import
// --project` does), each `run` is `reconcileRuleIdentities`, `runRules` then `dispatchOutbox` as `followup run` does them (into an
// in-memory transport), and "not sent because ..." is `explainEvent`'s verdict. Nothing here decides
// anything about follow-ups: it only replays the test's timeline and compares.
import type { NotSentReasonIR, RenderPlan, ScenarioIR, ScenarioStep, SourceRange } from '@followup/compiler';
import { applyDispatch } from '../dispatch/apply-dispatch.js';
import { dispatchOutbox } from '../dispatch/dispatch-outbox.js';
import { reconcileRuleIdentities } from '../executor/rule-identity.js';
import { runRules, selectPlans } from '../executor/run-rules.js';
import type { RunCounts } from '../executor/run-report.js';
import { explainEvent, ExplainInputError, instant } from '../explain/explain.js';
import { importHistory, ImportRejectedError } from '../import/import-history.js';
import type { ImportSchemas } from '../import/records.js';
import type { Store } from '../store/store.js';
import type { OutgoingMessage } from '../transport/transport.js';
import { createMemoryTransport, type MemoryTransport } from './memory-transport.js';
import { describeReason, reasonMatches, type ScenarioVerdict } from './reasons.js';
import { emptyStore } from './scenario-store.js';

export interface ScenarioOptions {
    /** The project's declarations: each record is checked against them, as `followup import --project` does. */
    schemas?: ImportSchemas;
}

export interface ScenarioFailure {
    /** FU190: an expectation the run did not meet; FU191: a step that could not be carried out. */
    code: 'FU190' | 'FU191';
    source: SourceRange;
    /** The step as written. */
    step: string;
    message: string;
    expected?: string;
    got?: string;
}

/** What one `run` step did: the records imported before it, and what it sent. */
export interface ScenarioRun {
    at: string;
    rule?: string;
    /** The records (history JSON lines) imported just before the run. */
    records: string[];
    sent: { rule: string; event: string; channel: string; to: string; subject?: string }[];
    counts: RunCounts;
    /** The same, per rule that ran. */
    rules: (RunCounts & { rule: string })[];
}

export interface ScenarioResult {
    name: string;
    source: SourceRange;
    passed: boolean;
    /** Expectations checked (failed ones included). */
    expectations: number;
    failures: ScenarioFailure[];
    runs: ScenarioRun[];
    durationMs: number;
}

/**
 * Empties `store` (every table: give it a store made for tests), then runs the scenario's steps in
 * order. A failing expectation is recorded and the test goes on; a step that cannot be carried out
 * (a record the import refuses, an engagement with no such delivery) ends it.
 */
export async function runScenario(store: Store, plans: readonly RenderPlan[], scenario: ScenarioIR, options: ScenarioOptions = {}): Promise<ScenarioResult> {
    const started = performance.now();
    await emptyStore(store);
    const runner = new ScenarioRunner(store, plans, scenario, options);
    await runner.execute();
    return {
        name: scenario.name,
        source: scenario.source,
        passed: runner.failures.length === 0,
        expectations: runner.expectations,
        failures: runner.failures,
        runs: runner.runs,
        durationMs: performance.now() - started,
    };
}

/** Every scenario, one after the other, each on the emptied store. */
export async function runScenarios(
    store: Store, plans: readonly RenderPlan[], scenarios: readonly ScenarioIR[], options: ScenarioOptions & { onResult?(result: ScenarioResult): void } = {},
): Promise<ScenarioResult[]> {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
        const result = await runScenario(store, plans, scenario, options);
        options.onResult?.(result);
        results.push(result);
    }
    return results;
}

class StepFailed extends Error {}

interface LastRun {
    at: Date;
    plans: readonly RenderPlan[];
    sent: OutgoingMessage[];
    /** explain's verdicts before the run, for the (rule, event) pairs the expectations after it name. */
    before: Map<string, ScenarioVerdict>;
    after: Map<string, ScenarioVerdict>;
}

const pairKey = (rule: string, event: string) => `${rule}\u0000${event}`;

class ScenarioRunner {
    readonly failures: ScenarioFailure[] = [];
    readonly runs: ScenarioRun[] = [];
    expectations = 0;
    private pending: { line: string; step: ScenarioStep }[] = [];
    private readonly transport: MemoryTransport = createMemoryTransport();
    private last: LastRun | undefined;
    /** The test's own deliveries, for engagement with a named message that no run made. */
    private readonly testDeliveries: { id: string; event: string; message: string; channel: string; to: string; at: string }[] = [];

    constructor(
        private readonly store: Store,
        private readonly plans: readonly RenderPlan[],
        private readonly scenario: ScenarioIR,
        private readonly options: ScenarioOptions,
    ) {}

    async execute(): Promise<void> {
        const steps = this.scenario.steps;
        for (let i = 0; i < steps.length; i++) {
            const step = steps[i]!;
            try {
                await this.step(step, i);
            } catch (error) {
                if (!(error instanceof StepFailed)) this.fail('FU191', step, `this step could not be carried out: ${(error as Error).message}`);
                return;
            }
        }
    }

    private fail(code: ScenarioFailure['code'], step: ScenarioStep, message: string, expected?: string, got?: string): void {
        this.failures.push({ code, source: step.source, step: step.text, message, ...(expected !== undefined ? { expected } : {}), ...(got !== undefined ? { got } : {}) });
    }

    private async step(step: ScenarioStep, index: number): Promise<void> {
        switch (step.kind) {
            case 'event':
                return this.record(step, { kind: 'event', id: step.id, type: step.type, at: step.at, data: step.data });
            case 'profile':
                return this.record(step, { kind: 'profile', key: step.key, data: step.data, at: step.at });
            case 'delivery':
                this.testDeliveries.push({ id: step.id, event: step.event, message: step.message, channel: step.channel, to: step.to, at: step.at });
                return this.record(step, { kind: 'delivery', id: step.id, event: step.event, message: step.message, channel: step.channel, to: step.to, at: step.at });
            case 'engagement':
                return this.engagement(step);
            case 'run':
                return this.run(step, index);
            case 'expect-sent':
            case 'expect-not-sent':
            case 'expect-nothing':
                this.expectations++;
                return this.expect(step);
        }
    }

    private record(step: ScenarioStep, record: Record<string, unknown>): void {
        this.pending.push({ line: JSON.stringify(record), step });
    }

    private async engagement(step: Extract<ScenarioStep, { kind: 'engagement' }>): Promise<void> {
        const target = step.target.kind === 'test' ? step.target : await this.messageDelivery(step);
        if (step.record === 'unsubscribe') {
            return this.record(step, { kind: 'unsubscribe', channel: target.channel, to: target.to, at: step.at });
        }
        this.record(step, {
            kind: step.record, delivery: target.id, at: step.at,
            ...(step.machine ? { machine: true } : {}),
            ...(step.url !== undefined ? { url: step.url } : {}),
            ...(step.link !== undefined ? { link: step.link } : {}),
            ...(step.record === 'bounce' ? { hard: step.hard === true } : {}),
        });
    }

    /** The latest delivery of the event with the step's message and channel, sent by the step's instant. */
    private async messageDelivery(step: Extract<ScenarioStep, { kind: 'engagement' }>): Promise<{ id: string; channel: string; to: string }> {
        if (step.target.kind !== 'message') throw new Error('not a message target');
        const { message, channel } = step.target;
        const { rows } = await this.store.query<{ id: string; recipient: string; sent_at: Date }>(
            `SELECT id, recipient, sent_at FROM deliveries
             WHERE event_id = $1 AND message = $2 AND channel = $3 AND status = 'sent' AND sent_at <= $4
             ORDER BY sent_at DESC, id DESC LIMIT 1`,
            [step.event, message, channel, step.at],
        );
        const own = this.testDeliveries.filter(d => d.event === step.event && d.message === message && d.channel === channel && d.at <= step.at).pop();
        const stored = rows[0];
        if (stored && (!own || stored.sent_at.toISOString() >= own.at)) return { id: stored.id, channel, to: stored.recipient };
        if (own) return own;
        this.fail('FU191', step, `${step.event} has not been sent ${message} ${channel} by ${instant(step.at)}: nothing to be ${verb(step.record)}`,
            `a sent ${message} ${channel} for ${step.event}`, 'none (a follow-up is sent by a run whose rule decides it)');
        throw new StepFailed();
    }

    private async flush(): Promise<string[]> {
        const batch = this.pending;
        this.pending = [];
        if (batch.length === 0) return [];
        async function* lines() {
            for (const { line } of batch) yield line;
        }
        try {
            await importHistory(this.store, lines(), this.options.schemas ? { schemas: this.options.schemas } : {});
        } catch (error) {
            if (!(error instanceof ImportRejectedError)) throw error;
            for (const problem of error.errors) {
                const step = batch[problem.line - 1]?.step ?? batch[0]!.step;
                this.fail('FU191', step, `the import refuses this step's record: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
            }
            throw new StepFailed();
        }
        return batch.map(b => b.line);
    }

    private async run(step: Extract<ScenarioStep, { kind: 'run' }>, index: number): Promise<void> {
        const records = await this.flush();
        const now = new Date(step.at);
        const plans = selectPlans(this.plans, step.rule);
        const before = new Map<string, ScenarioVerdict>();
        for (const [rule, event] of this.namedAfter(index)) before.set(pairKey(rule, event), await this.verdict(rule, event, now));
        // As `followup run` does before its rules run: renamed rules take their history over.
        await reconcileRuleIdentities(this.store, this.plans);
        const report = await runRules(this.store, plans, { now, ...(step.rule ? { onlyRule: step.rule } : {}) });
        // As `followup run` does: the rules' outbox rows, sent as of the same now.
        const transports = { email: this.transport, sms: this.transport, push: this.transport };
        applyDispatch(report, await dispatchOutbox(this.store, { transports, plans, now }));
        const sent = this.transport.take();
        this.last = { at: now, plans, sent, before, after: new Map() };
        this.runs.push({
            at: step.at, ...(step.rule ? { rule: step.rule } : {}), records,
            sent: sent.map(m => ({ rule: m.rule ?? '', event: m.eventId, channel: m.channel, to: m.to, ...(m.subject !== undefined ? { subject: m.subject } : {}) })),
            counts: report.total,
            rules: report.rules.map(({ rule, selected, sent: n, suppressed, expired, stopped, failed, queued, capped, held, heldOut }) =>
                ({ rule, selected, sent: n, suppressed, expired, stopped, failed, queued, capped, held, heldOut })),
        });
    }

    /** The (rule, event) pairs named by the expectations between this run and the next. */
    private namedAfter(index: number): [string, string][] {
        const pairs: [string, string][] = [];
        for (const step of this.scenario.steps.slice(index + 1)) {
            if (step.kind === 'run') break;
            if (step.kind === 'expect-sent' || step.kind === 'expect-not-sent') pairs.push([step.rule, step.event]);
        }
        return pairs;
    }

    private async verdict(rule: string, event: string, now: Date): Promise<ScenarioVerdict> {
        const plan = this.plans.find(p => p.rule === rule);
        if (!plan) return { kind: 'no-event', reason: `the project has no rule '${rule}'`, wouldSend: false };
        try {
            const explanation = await explainEvent(this.store, [plan], event, now);
            return explanation.verdicts[0]!;
        } catch (error) {
            if (error instanceof ExplainInputError) return { kind: 'no-event', reason: `no event '${event}' as of ${instant(now)}`, wouldSend: false };
            throw error;
        }
    }

    /**
     * Why the last run did not send the rule's follow-up for the event: what explain said before the run
     * (a condition, not due, already sent, ...), unless the run decided it without sending (expired,
     * suppressed, capped, held, stopped): then what explain says after it.
     */
    private async whyNotSent(rule: string, event: string): Promise<ScenarioVerdict> {
        const last = this.last!;
        const key = pairKey(rule, event);
        const before = last.before.get(key) ?? await this.verdict(rule, event, last.at);
        if (before.kind === 'decided') return before;
        let after = last.after.get(key);
        if (!after) last.after.set(key, after = await this.verdict(rule, event, last.at));
        return after.kind === 'decided' || after.kind === 'held' ? after : before;
    }

    private async expect(step: Extract<ScenarioStep, { kind: 'expect-sent' | 'expect-not-sent' | 'expect-nothing' }>): Promise<void> {
        const last = this.last;
        if (!last) {
            this.fail('FU191', step, 'there is no run before this expectation');
            return;
        }
        if (step.kind === 'expect-nothing') {
            if (last.sent.length > 0) {
                this.fail('FU190', step, `the run at ${instant(last.at)} sent ${last.sent.length} follow-up${last.sent.length === 1 ? '' : 's'}`,
                    'nothing sent', last.sent.map(describeSent).join('; '));
            }
            return;
        }
        const message = last.sent.find(m => m.rule === step.rule && m.eventId === step.event);
        if (step.kind === 'expect-not-sent') {
            if (message) {
                this.fail('FU190', step, `${step.rule} sent its follow-up for ${step.event} at ${instant(last.at)}`,
                    `not sent${step.reason ? ` because ${describeReason(step.reason)}` : ''}`, describeSent(message));
                return;
            }
            if (step.reason) await this.checkReason(step, step.reason);
            return;
        }
        if (!message) {
            const why = await this.whyNotSent(step.rule, step.event);
            this.fail('FU190', step, `${step.rule} did not send a follow-up for ${step.event} at ${instant(last.at)}`,
                `sent${step.to ? ` to ${step.to}` : ''}`, `not sent: ${why.reason}`);
            return;
        }
        if (step.to !== undefined && !sameAddress(message.channel, message.to, step.to)) {
            this.fail('FU190', step, `${step.rule} sent its follow-up for ${step.event} to another recipient`, `to ${step.to}`, `to ${message.to}`);
        }
        for (const check of step.contains) {
            const content = message[check.part];
            if (content === undefined || !content.includes(check.text)) {
                this.fail('FU190', step, `the ${check.part} of ${step.rule}'s follow-up for ${step.event} does not contain ${JSON.stringify(check.text)}`,
                    `${check.part} contains ${JSON.stringify(check.text)}`,
                    content === undefined ? `no ${check.part}` : `${check.part}: ${JSON.stringify(excerpt(content))}`);
            }
        }
    }

    private async checkReason(step: Extract<ScenarioStep, { kind: 'expect-not-sent' }>, reason: NotSentReasonIR): Promise<void> {
        const why = await this.whyNotSent(step.rule, step.event);
        if (!reasonMatches(reason, why)) {
            this.fail('FU190', step, `${step.rule} did not send a follow-up for ${step.event}, but not because ${describeReason(reason)}`,
                `not sent because ${describeReason(reason)}`, `not sent: ${why.reason}`);
        }
    }
}

function describeSent(m: OutgoingMessage): string {
    const label = m.subject ?? m.title ?? m.text ?? '';
    return `${m.rule} sent ${m.channel} to ${m.to} for ${m.eventId}${label ? ` (${JSON.stringify(excerpt(label))})` : ''}`;
}

function excerpt(text: string): string {
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}

function sameAddress(channel: string, a: string, b: string): boolean {
    return channel === 'email' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a.trim() === b.trim();
}

function verb(record: string): string {
    return { delivered: 'delivered', open: 'opened', click: 'clicked', bounce: 'bounced', complaint: 'complained about', unsubscribe: 'unsubscribed from' }[record] ?? record;
}
