// A rule's trigger, recipient, options and `since` conditions.
import type { ValidationAcceptor } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import { didYouMean, isBoolean, isNumeric, isTemporal, isTextual, parseTimeOfDay, typeToString, type FuType } from '@followup/template';
import {
    isEvent, isLimit, isQuietHours, isRule,
    type Duration, type Engagement, type Event, type Goal, type Limit, type Policy, type QuietHours, type Rule, type RuleOption, type Schedule, type SinceCondition
} from '../generated/ast.js';
import { resolveRecipient, resolveSinceMatch, channelAddressType, type ChannelName } from '../model/channels.js';
import { durationValue, isKnownTimeZone } from '../model/durations.js';
import { containingRule, declaredFields, ruleEvent, typeOfTypeRef } from '../model/schema.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';

let timeZones: string[] | undefined;
let timeZoneSet: Set<string> | undefined;
function allTimeZones(): string[] {
    timeZones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
    return timeZones;
}

/**
 * Whether Intl lists `zone` among its canonical names. Checked before isKnownTimeZone, whose first
 * Intl.DateTimeFormat loads ICU's locale data (~12 ms of every `check`), which a listed name never needs.
 */
function isListedTimeZone(zone: string): boolean {
    timeZoneSet ??= new Set(allTimeZones());
    return timeZoneSet.has(zone);
}

export class RuleChecks {
    constructor(private readonly services: LangiumServices) {}

    private get scopes(): FollowupScopeProvider {
        return this.services.references.ScopeProvider as FollowupScopeProvider;
    }

    checkRule = (rule: Rule, accept: ValidationAcceptor): void => {
        this.checkTriggerCycle(rule, accept);
        this.checkRecipient(rule, accept);
        this.checkOptions(rule, accept);
        this.checkPreviousNames(rule, accept);
    };

    /** `was <old>`: the old name is not this rule's, nor another rule's of the project (that one still exists). */
    private checkPreviousNames(rule: Rule, accept: ValidationAcceptor): void {
        if (rule.previousNames.length === 0) return;
        const current = new Set(this.services.shared.workspace.IndexManager.allElements('Rule').map(d => d.name));
        rule.previousNames.forEach((old, index) => {
            if (old === rule.name) {
                report(accept, 'error', DiagnosticCode.PreviousNameInUse, `'${old}' is this rule's own name`, { node: rule, property: 'previousNames', index },
                    'Name the rule it used to be, or remove `was`');
            } else if (current.has(old)) {
                report(accept, 'error', DiagnosticCode.PreviousNameInUse, `'${old}' is still a rule of the project: a rule can only take over the decisions of one that is gone`,
                    { node: rule, property: 'previousNames', index }, `Remove '${old}' from the project (or from \`was\`)`);
            }
        });
    }

    private checkTriggerCycle(rule: Rule, accept: ValidationAcceptor): void {
        const seen = new Set<Rule>([rule]);
        let source = rule.trigger?.source?.ref;
        while (isRule(source)) {
            if (seen.has(source)) {
                report(accept, 'error', DiagnosticCode.TriggerCycle, 'This rule is triggered by its own follow-ups (a cycle of chained rules)',
                    { node: rule.trigger, property: 'source' }, 'Chain from an event or from a rule that does not lead back here');
                return;
            }
            seen.add(source);
            source = source.trigger?.source?.ref;
        }
    }

    private checkRecipient(rule: Rule, accept: ValidationAcceptor): void {
        if (!rule.action?.message?.ref) return; // the missing message is reported; its recipient question would only add noise
        const result = resolveRecipient(rule, this.scopes.profile());
        if (result.ok || result.reason === 'unresolved') return;
        const channel = rule.action.channel;
        const where = result.owner?.$type === 'Profile' ? 'the profile' : `event '${ruleEvent(rule)?.name}'`;
        if (result.reason === 'wrong-type') {
            report(accept, 'error', DiagnosticCode.RecipientWrongType,
                `The ${channel} channel sends to a value of type ${result.addressType}`, { node: rule.action, property: 'recipient' });
        } else if (result.reason === 'none') {
            report(accept, 'error', DiagnosticCode.NoRecipient,
                `The ${channel} channel needs a recipient: ${where} has no field of type ${result.addressType}`,
                { node: rule.action, property: 'channel' }, `Add a field such as \`${channel === 'email' ? 'email' : channel === 'sms' ? 'phone' : 'pushToken'}: ${result.addressType}\``);
        } else {
            const names = result.candidates.map(f => f.name);
            report(accept, 'error', DiagnosticCode.AmbiguousRecipient,
                `The ${channel} recipient is ambiguous: ${where} has ${names.map(n => `'${n}'`).join(' and ')} of type ${result.addressType}`,
                { node: rule.action, property: 'channel' }, `Say which: send ${rule.action.message.$refText} ${channel} to ${names[0]}`,
                { candidates: names });
        }
    }

    /**
     * Each option once, except `limit`: a rule may cap per day and per week at once (each limit is
     * enforced), but not twice over the same period.
     */
    private checkOptions(rule: Rule, accept: ValidationAcceptor): void {
        const seen = new Map<string, RuleOption>();
        for (const option of rule.options) {
            const key = isLimit(option) ? `limit per ${durationKey(option.per)}` : option.$type;
            if (seen.has(key)) {
                const what = isLimit(option) ? `A limit per ${option.per?.$cstNode?.text ?? 'period'}` : `'${optionWord(option)}'`;
                report(accept, 'error', DiagnosticCode.DuplicateOption, `${what} is given twice`, { node: option });
            }
            seen.set(key, option);
            if ((isLimit(option) || isQuietHours(option)) && option.channel !== undefined) {
                report(accept, 'error', DiagnosticCode.ChannelInRuleOption,
                    `A rule's ${optionWord(option)} applies to its own channel (${rule.action?.channel ?? 'the rule\'s'}): 'on ${option.channel}' belongs in a policy block`,
                    { node: option, property: 'channel' }, `Remove 'on ${option.channel}', or move the line into \`policy { ... }\` to apply it to every rule on ${option.channel}`);
            }
        }
    }

    /** A policy's options: each limit period and each quiet hours once per channel (or for every channel). */
    checkPolicy = (policy: Policy, accept: ValidationAcceptor): void => {
        const seen = new Set<string>();
        for (const option of policy.options) {
            if (option.$type === 'Goal') continue; // goals are checked across every policy block (goal-checks.ts)
            const scope = option.channel ?? 'every channel';
            const key = isLimit(option) ? `limit per ${durationKey(option.per)} on ${scope}` : `quiet hours on ${scope}`;
            if (seen.has(key)) {
                report(accept, 'error', DiagnosticCode.DuplicateOption, `The policy gives ${isLimit(option) ? `a limit per ${option.per?.$cstNode?.text ?? 'period'}` : 'quiet hours'} on ${scope} twice`,
                    { node: option }, 'Keep one of them');
            }
            seen.add(key);
        }
    };

    checkLimit = (limit: Limit, accept: ValidationAcceptor): void => {
        if (!Number.isInteger(limit.count) || limit.count < 1) {
            report(accept, 'error', DiagnosticCode.NotWholeNumber, `A limit is a whole number of messages, at least 1, not ${limit.count}`,
                { node: limit, property: 'count' });
        }
    };

    checkEngagement = (engagement: Engagement, accept: ValidationAcceptor): void => {
        if (engagement.byPerson && engagement.kind !== 'opened') {
            const hint = engagement.kind === 'clicked' ? "Write 'clicked': only opens can be a machine's (mail privacy proxies load images), clicks always count"
                : `Write '${engagement.kind}'`;
            report(accept, 'error', DiagnosticCode.OperatorDoesNotFit, `'by a person' applies to opens only, not to '${engagement.kind}'`,
                { node: engagement, property: 'byPerson' }, hint);
        }
        if (engagement.link !== undefined && engagement.kind !== 'clicked') {
            report(accept, 'error', DiagnosticCode.OperatorDoesNotFit, `'link' applies to clicks only, not to '${engagement.kind}'`,
                { node: engagement, property: 'link' }, `Write: clicked link ${JSON.stringify(engagement.link)}`);
        }
    };

    checkDuration = (duration: Duration, accept: ValidationAcceptor): void => {
        if (duration.amount === undefined) return;
        if (duration.amount === 0) {
            report(accept, 'error', DiagnosticCode.ZeroDuration, 'A duration of zero', { node: duration }, 'Use at least 1');
        } else if (!Number.isInteger(duration.amount) || duration.amount < 0) {
            report(accept, 'error', DiagnosticCode.NotWholeNumber, `A duration is a positive whole number of ${duration.unit}`,
                { node: duration, property: 'amount' }, `Use smaller units, e.g. hours instead of days`);
        }
    };

    checkSchedule = (schedule: Schedule, accept: ValidationAcceptor): void => {
        if (schedule.at !== undefined) {
            this.checkTime(schedule, 'at', schedule.at, accept);
            const unit = schedule.every?.unit?.replace(/s$/, '');
            if (unit !== 'day' && unit !== 'week') {
                report(accept, 'error', DiagnosticCode.BadTimeOfDay, `'at' needs a schedule of days or weeks, not ${schedule.every?.unit}`,
                    { node: schedule, property: 'at' });
            }
        }
        if (schedule.zone !== undefined) this.checkZone(schedule, schedule.zone, accept);
        if (schedule.weekday !== undefined && schedule.every?.unit?.replace(/s$/, '') !== 'week') {
            report(accept, 'error', DiagnosticCode.BadTimeOfDay, `'on ${schedule.weekday}' needs a schedule of weeks, not ${schedule.every?.unit}`,
                { node: schedule, property: 'weekday' }, `Write: schedule every week on ${schedule.weekday}${schedule.at ? ` at ${schedule.at}` : ''}`);
        }
    };

    checkQuietHours = (quiet: QuietHours, accept: ValidationAcceptor): void => {
        // After a syntax error the parser may leave a part out: that error is reported already.
        if (quiet.from === undefined || quiet.until === undefined || quiet.zone === undefined) return;
        const from = this.checkTime(quiet, 'from', quiet.from, accept);
        const until = this.checkTime(quiet, 'until', quiet.until, accept);
        this.checkZone(quiet, quiet.zone, accept);
        if (from && until && from.hour === until.hour && from.minute === until.minute) {
            report(accept, 'error', DiagnosticCode.EmptyQuietHours, `Quiet hours from ${quiet.from} to ${quiet.until} are empty`,
                { node: quiet, property: 'until' }, 'Give the time they end, e.g. quiet hours 21:00 to 08:00 (a span across midnight is fine)');
        }
    };

    private checkTime(node: Schedule | QuietHours, property: string, text: string, accept: ValidationAcceptor): { hour: number; minute: number } | undefined {
        const time = parseTimeOfDay(text);
        if (!time) {
            report(accept, 'error', DiagnosticCode.BadTimeOfDay, `'${text}' is not a time of day`,
                { node, property }, 'Write HH:MM between 00:00 and 23:59');
        }
        return time;
    }

    private checkZone(node: Schedule | QuietHours, zone: string | undefined, accept: ValidationAcceptor): void {
        if (zone === undefined) return;
        // Any name Intl knows, as the runtime takes a recipient's zone: the list holds canonical names
        // only, and ICU's at that ("Asia/Calcutta", not the IANA database's "Asia/Kolkata").
        if (isListedTimeZone(zone) || isKnownTimeZone(zone)) return;
        const guess = didYouMean(zone, allTimeZones());
        report(accept, 'error', DiagnosticCode.UnknownTimeZone, `Unknown time zone "${zone}"`, { node, property: 'zone' },
            guess ? `Did you mean "${guess}"?` : 'Use an IANA name such as "Europe/Paris" or "UTC"');
    }

    checkSince = (since: SinceCondition, accept: ValidationAcceptor): void => {
        const rule = containingRule(since);
        const event = rule && ruleEvent(rule);
        const other = since.event?.ref;
        if (!rule || !isEvent(event) || !other) return;
        if (since.same.length > 0) {
            checkSameFields(since, event, other, accept);
            return;
        }
        const channel = rule.action?.channel as ChannelName;
        if (resolveSinceMatch(event, other, channel, this.scopes.profile())) return;
        report(accept, 'error', DiagnosticCode.SinceWithoutMatch,
            `'${other.name}' cannot be related to '${event.name}': they share no key and no single ${channelAddressType[channel] ?? 'email'} address field`,
            { node: since, property: 'event' },
            `Declare the same key in both (e.g. \`key customerId\`), or relate them on a field both have: ${other.name} with same <field> since sent`);
    };

}

/** `with same f` (of a `since` condition or a goal): f is a single value (not a list or a record) in both events, of comparable types. */
export function checkSameFields(since: SinceCondition | Goal, event: Event, other: Event, accept: ValidationAcceptor): void {
    since.same.forEach((reference, index) => {
        const mine = reference.ref;
        if (!mine) return; // unknown in the rule's event: reported by linking
        const at = { node: since, property: 'same' as const, index };
        const theirs = declaredFields(other).find(f => f.name === mine.name);
        if (!theirs) {
            const guess = didYouMean(mine.name, declaredFields(other).map(f => f.name));
            report(accept, 'error', DiagnosticCode.SameFieldMissing, `'${other.name}' has no field '${mine.name}' to compare with '${event.name}'s`, at,
                guess ? `Did you mean to relate them on a field both have? '${other.name}' has '${guess}'` : `Add '${mine.name}' to event '${other.name}', or relate the events on a field both have`);
            return;
        }
        const [a, b] = [typeOfTypeRef(mine.type), typeOfTypeRef(theirs.type)];
        if (a.kind !== 'primitive' || b.kind !== 'primitive') {
            report(accept, 'error', DiagnosticCode.OperatorDoesNotFit, `'${mine.name}' is ${typeToString(a.kind !== 'primitive' ? a : b)}: 'with same' compares single values`, at);
        } else if (!comparable(a, b)) {
            report(accept, 'error', DiagnosticCode.IncompatibleComparison,
                `'${mine.name}' is ${typeToString(a)} in '${event.name}' but ${typeToString(b)} in '${other.name}': they cannot be the same`, at);
        }
    });
}

/** The same period written two ways (`1 week`, `7 days`) is the same key. */
function durationKey(duration: Duration | undefined): string {
    return String(durationValue(duration)?.minutes ?? duration?.$cstNode?.text ?? '?');
}

function optionWord(option: RuleOption): string {
    return option.$type === 'QuietHours' ? 'quiet hours' : option.$type.toLowerCase();
}

/** Two single values that can be equal: both text, both numbers, both booleans, or the same temporal type. */
function comparable(a: FuType, b: FuType): boolean {
    if (isTextual(a) && isTextual(b)) return true;
    if (isNumeric(a) && isNumeric(b)) return true;
    if (isBoolean(a) && isBoolean(b)) return true;
    return isTemporal(a) && isTemporal(b) && a.kind === 'primitive' && b.kind === 'primitive' && a.name === b.name;
}
