// A rule's trigger, recipient, options and `since` conditions.
import type { ValidationAcceptor } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import {
    isEvent, isRule,
    type Duration, type Engagement, type Limit, type QuietHours, type Rule, type RuleOption, type Schedule, type SinceCondition
} from '../generated/ast.js';
import { resolveRecipient, resolveSinceMatch, channelAddressType, type ChannelName } from '../model/channels.js';
import { isKnownTimeZone, parseTimeOfDay } from '../model/durations.js';
import { containingRule, ruleEvent } from '../model/schema.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { didYouMean } from '../template/did-you-mean.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';

let timeZones: string[] | undefined;
function allTimeZones(): string[] {
    timeZones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
    return timeZones;
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
    };

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

    private checkOptions(rule: Rule, accept: ValidationAcceptor): void {
        const seen = new Map<string, RuleOption>();
        for (const option of rule.options) {
            if (seen.has(option.$type)) {
                report(accept, 'error', DiagnosticCode.DuplicateOption, `'${option.$type.toLowerCase()}' is given twice`, { node: option });
            }
            seen.set(option.$type, option);
        }
    }

    checkLimit = (limit: Limit, accept: ValidationAcceptor): void => {
        if (!Number.isInteger(limit.count) || limit.count < 1) {
            report(accept, 'error', DiagnosticCode.NotWholeNumber, `A limit is a whole number of messages, at least 1, not ${limit.count}`,
                { node: limit, property: 'count' });
        }
    };

    checkEngagement = (engagement: Engagement, accept: ValidationAcceptor): void => {
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
    };

    checkQuietHours = (quiet: QuietHours, accept: ValidationAcceptor): void => {
        this.checkTime(quiet, 'from', quiet.from, accept);
        this.checkTime(quiet, 'until', quiet.until, accept);
        this.checkZone(quiet, quiet.zone, accept);
    };

    private checkTime(node: Schedule | QuietHours, property: string, text: string, accept: ValidationAcceptor): void {
        if (!parseTimeOfDay(text)) {
            report(accept, 'error', DiagnosticCode.BadTimeOfDay, `'${text}' is not a time of day`,
                { node, property }, 'Write HH:MM between 00:00 and 23:59');
        }
    }

    private checkZone(node: Schedule | QuietHours, zone: string, accept: ValidationAcceptor): void {
        if (isKnownTimeZone(zone) && allTimeZones().includes(zone)) return;
        const guess = didYouMean(zone, allTimeZones());
        report(accept, 'error', DiagnosticCode.UnknownTimeZone, `Unknown time zone "${zone}"`, { node, property: 'zone' },
            guess ? `Did you mean "${guess}"?` : 'Use an IANA name such as "Europe/Paris" or "UTC"');
    }

    checkSince = (since: SinceCondition, accept: ValidationAcceptor): void => {
        const rule = containingRule(since);
        const event = rule && ruleEvent(rule);
        const other = since.event?.ref;
        if (!rule || !isEvent(event) || !other) return;
        const channel = rule.action?.channel as ChannelName;
        if (resolveSinceMatch(event, other, channel, this.scopes.profile())) return;
        report(accept, 'error', DiagnosticCode.SinceWithoutMatch,
            `'${other.name}' cannot be related to '${event.name}': they share no key and no single ${channelAddressType[channel] ?? 'email'} address field`,
            { node: since, property: 'event' }, `Declare the same key in both (e.g. \`key customerId\`)`);
    };
}
