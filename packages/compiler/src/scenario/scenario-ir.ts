// The scenario IR: a `test "..." { ... }` as plain JSON (no AST), which the runtime's scenario runner
// (packages/runtime/src/scenario) executes with the real executor. Every step has its instant (ISO-8601,
// UTC) and where it is written, so that a failure is reported at its line.

/** 1-based, as `followup check` reports positions. */
export interface SourceRange {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
}

export type ScenarioChannel = 'email' | 'sms' | 'push';

export type EngagementRecordKind = 'delivered' | 'open' | 'click' | 'bounce' | 'complaint' | 'unsubscribe';

/** Which delivery an engagement step is about. */
export type DeliveryTarget =
    /** A delivery of the test (`ana sent transactional email`), known when lowering. */
    | { kind: 'test'; id: string; channel: ScenarioChannel; to: string }
    /** The latest delivery of the event with this message and channel as of the step (a follow-up a run made, usually). */
    | { kind: 'message'; message: string; channel: ScenarioChannel };

export type NotSentReasonIR =
    /** `opened`, `not clicked`, ...: the rule's engagement condition failed (explain: "opened at ...", "not clicked"). */
    | { kind: 'engagement'; what: 'delivered' | 'opened' | 'clicked' | 'bounced'; negated: boolean }
    /** `purchase since sent` (explain: "purchase p1 since sent") or `no purchase since sent`. */
    | { kind: 'since'; event: string; no: boolean }
    | { kind: 'verdict'; verdict: 'suppressed' | 'expired' | 'capped' | 'held' | 'stopped' | 'already-sent' | 'not-due' }
    /** `because "..."`: explain's reason contains the text. */
    | { kind: 'text'; text: string };

export type ScenarioAction =
    | { kind: 'event'; id: string; type: string; data: Record<string, unknown> }
    | { kind: 'profile'; key: string; data: Record<string, unknown> }
    | { kind: 'delivery'; id: string; event: string; message: string; channel: ScenarioChannel; to: string }
    | {
          kind: 'engagement'; record: EngagementRecordKind; event: string; target: DeliveryTarget;
          machine?: boolean; link?: string; url?: string; hard?: boolean;
      }
    | { kind: 'run'; rule?: string }
    | {
          kind: 'expect-sent'; rule: string; event: string; to?: string;
          contains: { part: 'subject' | 'html' | 'text' | 'title'; text: string }[];
      }
    | { kind: 'expect-not-sent'; rule: string; event: string; reason?: NotSentReasonIR }
    | { kind: 'expect-nothing' };

export type ScenarioStep = ScenarioAction & {
    /** The step's instant (an expectation's is its run's). */
    at: string;
    source: SourceRange;
    /** The step as written, on one line (`expect cartReminder sent for ana`), for messages. */
    text: string;
};

export interface ScenarioIR {
    name: string;
    /** Where the test's name is written. */
    source: SourceRange;
    steps: ScenarioStep[];
}
