// The IR: one plain, serialisable plan per rule. No AST references; everything the SQL generator
// and the render plan need, and nothing about how it was written. `followup compile --emit ir` prints it.
import type { ChannelName, PathStep } from '@followup/language';

export type ValueSource = 'event' | 'profile';

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

/** The value types the IR distinguishes: what a comparison casts to. */
export type ScalarType = 'text' | 'number' | 'boolean' | 'timestamp' | 'date';

export type OperandIR =
    | { kind: 'field'; source: ValueSource; path: PathStep[]; type: ScalarType | 'list'; elementType?: ScalarType }
    | { kind: 'count'; source: ValueSource; path: PathStep[] };

export interface LiteralIR {
    type: 'string' | 'number' | 'boolean';
    value: string | number | boolean;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'contains' | 'starts with' | 'is empty' | 'is not empty';

/**
 * How another event is the same person's (`key`, `address`) or about the same thing (`same`, from
 * `with same f`): each pair of fields must be equal (text; emails trimmed and lower-cased).
 */
export interface SinceMatchIR {
    kind: 'key' | 'address' | 'same';
    on: { field: string; otherField: string; normalise: 'email' | 'none' }[];
}

export type ConditionIR =
    | { kind: 'and'; items: ConditionIR[] }
    | { kind: 'or'; items: ConditionIR[] }
    | { kind: 'not'; item: ConditionIR }
    /** `byPerson`: `opened by a person`, which machine opens (privacy proxies) do not satisfy. */
    | { kind: 'engagement'; what: 'delivered' | 'opened' | 'clicked' | 'bounced'; link?: string; byPerson?: true }
    | { kind: 'compare'; operand: OperandIR; op: CompareOp; values: LiteralIR[] }
    | { kind: 'since'; event: string; match: SinceMatchIR };

export interface DurationIR {
    /** As written, normalised: "3 days". */
    text: string;
    minutes: number;
}

export interface RuleIR {
    rule: string;
    /** True for the short form, whose name is derived as <trigger>_<message>_<channel>. */
    derivedName: boolean;
    /**
     * What the rule was called before (`followup x was old { }`): its decisions become this rule's.
     * `isNew` (`followup x is new { }`): it is not a renamed rule, whatever it looks like.
     */
    identity: { previousNames: string[]; isNew: boolean };
    source: { file: string; line: number; column: number };
    /** The event whose data personalises the follow-up (for a chained rule, the first rule's event). */
    event: string;
    trigger: {
        /** `event`: original deliveries of the event; `rule`: deliveries made by the named rule. */
        kind: 'event' | 'rule';
        name: string;
        /** `<event> email sent` restricts to deliveries of that channel. */
        channel: ChannelName | null;
        delay: DurationIR;
    };
    channel: ChannelName;
    message: string;
    recipient: { source: ValueSource; path: PathStep[]; normalise: 'email' | 'none' };
    /** Set when the event targets the profile: joined on the profile's key. */
    profile: { keyField: string } | null;
    condition: ConditionIR | null;
    /** `weekday`: `every N weeks on friday` (null: weeks fire on Mondays). */
    schedule: { every: DurationIR; at: string | null; zone: string; weekday: Weekday | null };
    lookback: DurationIR;
    expire: DurationIR;
    /** Every frequency cap the rule's follow-ups are under: its own `limit`s, then the project policy's for its channel. */
    limits: LimitIR[];
    /** Every quiet-hours window that holds the rule's follow-ups: its own, then the project policy's for its channel. */
    quietHours: QuietHoursIR[];
    /**
     * Where the recipient's time zone is read (a string field called `timezone` of the event, else of
     * the profile): quiet hours are the recipient's when it holds a valid IANA zone. Null: none declared.
     */
    recipientZone: { source: ValueSource; path: PathStep[] } | null;
    /** What counts as a conversion (docs/measuring.md): the rule's `goal`, else the policy's for its event. Null: none. */
    goal: GoalIR | null;
    /** `holdout N%`: that share of the people the rule would send to is held out. Null: none. */
    holdout: HoldoutIR | null;
}

/**
 * `goal <event> [with same f] within <duration> [value <field>]`: a follow-up converted when an event of
 * that type, related to the rule's event by `match` (as `since` relates them), happened in
 * (t, t + within], t being when the follow-up was sent (held out: when it would have been).
 */
export interface GoalIR {
    event: string;
    match: SinceMatchIR;
    within: DurationIR;
    /** A numeric field of the goal event, summed as revenue; null when the goal has no value. */
    value: string | null;
    scope: 'rule' | 'project';
}

/**
 * `holdout <share>%`: a person is held out when a hash of (seed, person) falls below the share, so they
 * stay in the same group across events and runs. The person is the event's key value, else the recipient.
 */
export interface HoldoutIR {
    share: number;
    person: { kind: 'key'; field: string } | { kind: 'recipient' };
    /** The rule's first name (the oldest of `was`), so that a renamed rule keeps its split. */
    seed: string;
}

/**
 * `limit <count> per recipient per <per>`: at `count` follow-ups or more to the recipient's address on
 * the rule's channel (queued or sent) in (now - per, now], the decision is `capped`. `rule`: this rule's
 * follow-ups count; `project` (a policy): every rule's follow-ups on the channel.
 */
export interface LimitIR {
    count: number;
    per: DurationIR;
    scope: 'rule' | 'project';
}

/** `quiet hours <from> to <until> in "<zone>"` (wall-clock HH:MM; from > until spans midnight). */
export interface QuietHoursIR {
    from: string;
    until: string;
    zone: string;
    scope: 'rule' | 'project';
}
