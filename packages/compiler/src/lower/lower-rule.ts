// Checked AST → IR. Runs only on projects without errors, so every reference here is resolved.
import * as nodePath from 'node:path';
import { AstUtils } from 'langium';
import {
    derivedRuleName, durationValue, fieldViews, isAndCondition, isLimit, isQuietHours, isBooleanLiteral, isComparison, isCountCall, isEngagement, isEvent,
    isNotCondition, isNumberLiteral, isOrCondition, isSinceCondition, keyField, pathRoot, pathSteps, pathType,
    resolveRecipient, resolveSameMatch, resolveSinceMatch, ruleEvent,
    type ChannelName, type Comparison, type Event, type Condition, type Duration, type Literal, type Operand,
    type Limit, type Policy, type Profile, type QuietHours, type Rule
} from '@followup/language';
import { isBoolean, isNumeric, isTextual, type FuType } from '@followup/template';
import { lowerGoal, lowerHoldout, lowerMatch } from './lower-measuring.js';
import type { CompareOp, ConditionIR, DurationIR, LimitIR, LiteralIR, OperandIR, QuietHoursIR, RuleIR, ScalarType, Weekday } from '../ir/rule-ir.js';

export class LoweringError extends Error {}

const defaults = {
    schedule: { every: { text: '1 day', minutes: 24 * 60 }, at: '00:00', zone: 'UTC', weekday: null },
    expire: { text: '1 day', minutes: 24 * 60 },
};

function duration(d: Duration | undefined): DurationIR {
    const v = durationValue(d);
    if (!v) throw new LoweringError('duration missing');
    return { text: `${v.amount} ${v.unit}${v.amount === 1 ? '' : 's'}`, minutes: v.minutes };
}

export function scalarType(type: FuType): ScalarType {
    if (isTextual(type)) return 'text';
    if (isNumeric(type)) return 'number';
    if (isBoolean(type)) return 'boolean';
    if (type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'date')) return type.name;
    throw new LoweringError(`no scalar type for ${type.kind}`);
}

function literal(l: Literal): LiteralIR {
    if (isNumberLiteral(l)) return { type: 'number', value: l.value };
    if (isBooleanLiteral(l)) return { type: 'boolean', value: l.value };
    return { type: 'string', value: l.value };
}

function operand(o: Operand): OperandIR {
    if (isCountCall(o)) return { kind: 'count', source: pathRoot(o.path), path: pathSteps(o.path) };
    const { type } = pathType(o);
    const source = pathRoot(o);
    if (type.kind === 'list') {
        const element = type.element.kind === 'primitive' ? scalarType(type.element) : undefined;
        return { kind: 'field', source, path: pathSteps(o), type: 'list', ...(element ? { elementType: element } : {}) };
    }
    return { kind: 'field', source, path: pathSteps(o), type: scalarType(type) };
}

function compareOp(c: Comparison): CompareOp {
    if (c.op === 'in') return c.negated ? 'not in' : 'in';
    if (c.op === 'is') return c.negated ? 'is not empty' : 'is empty';
    if (c.op === 'starts') return 'starts with';
    return c.op as CompareOp;
}

function lowerLimit(limit: Limit, scope: LimitIR['scope']): LimitIR {
    return { count: limit.count, per: duration(limit.per), scope };
}

function lowerQuietHours(quiet: QuietHours, scope: QuietHoursIR['scope']): QuietHoursIR {
    return { from: normaliseTime(quiet.from), until: normaliseTime(quiet.until), zone: quiet.zone, scope };
}

/** `9:00` → `09:00`, so the plan says one thing one way. */
function normaliseTime(text: string): string {
    const [hour, minute] = text.split(':');
    return `${hour!.padStart(2, '0')}:${minute}`;
}

/** The recipient's `timezone` field (a string), in the event, else in the profile the event targets. */
function recipientZone(event: Event, profile: Profile | undefined): RuleIR['recipientZone'] {
    const isZoneField = (f: { name: string; type: FuType }) => f.name === 'timezone' && isTextual(f.type);
    if (fieldViews(event).some(isZoneField)) return { source: 'event', path: ['timezone'] };
    if (event.targetsProfile && fieldViews(profile).some(isZoneField)) return { source: 'profile', path: ['timezone'] };
    return null;
}

export function lowerRule(rule: Rule, projectRoot: string, profile: Profile | undefined, policies: readonly Policy[] = []): RuleIR {
    const event = ruleEvent(rule);
    const message = rule.action?.message?.ref;
    if (!event || !message) throw new LoweringError('rule is not resolved');
    const recipient = resolveRecipient(rule, profile);
    if (!recipient.ok) throw new LoweringError('rule has no recipient');
    const triggerSource = rule.trigger.source.ref;
    const document = AstUtils.getDocument(rule);
    const start = rule.$cstNode?.range.start ?? { line: 0, character: 0 };
    const schedule = rule.options.find(o => o.$type === 'Schedule');
    const lookback = rule.options.find(o => o.$type === 'Lookback');
    const expire = rule.options.find(o => o.$type === 'Expire');
    const channel = rule.action.channel as ChannelName;
    const policyOptions = policies.flatMap(p => p.options).filter(o => o.$type !== 'Goal' && (o.channel === undefined || o.channel === channel));
    const limits = [
        ...rule.options.filter(isLimit).map(l => lowerLimit(l, 'rule')),
        ...policyOptions.filter(isLimit).map(l => lowerLimit(l, 'project')),
    ];
    const quietHours = [
        ...rule.options.filter(isQuietHours).map(q => lowerQuietHours(q, 'rule')),
        ...policyOptions.filter(isQuietHours).map(q => lowerQuietHours(q, 'project')),
    ];
    const scheduleIR = schedule
        ? {
            every: duration(schedule.every),
            // `every week on friday` without `at` runs at midnight (UTC), as a schedule without one does.
            at: schedule.at ?? (schedule.weekday ? '00:00' : null),
            zone: schedule.zone ?? 'UTC',
            weekday: (schedule.weekday as Weekday | undefined) ?? null,
        }
        : defaults.schedule;
    const addressNormalise = channel === 'email' ? 'email' : 'none';

    const lowerCondition = (c: Condition): ConditionIR => {
        if (isAndCondition(c) || isOrCondition(c)) {
            const kind = isAndCondition(c) ? 'and' : 'or';
            const items = [c.left, c.right].map(lowerCondition).flatMap(i => (i.kind === kind ? i.items : [i]));
            return { kind, items };
        }
        if (isNotCondition(c)) return { kind: 'not', item: lowerCondition(c.operand) };
        if (isEngagement(c)) {
            return { kind: 'engagement', what: c.kind, ...(c.link !== undefined ? { link: c.link } : {}), ...(c.byPerson ? { byPerson: true as const } : {}) };
        }
        if (isSinceCondition(c)) {
            const other = c.event.ref;
            const same = c.same.map(s => s.ref).filter((f): f is NonNullable<typeof f> => f !== undefined);
            const match = other && (c.same.length > 0 ? resolveSameMatch(same, other) : resolveSinceMatch(event, other, channel, profile));
            if (!other || !match) throw new LoweringError('since condition is not resolved');
            return { kind: 'since', event: other.name, match: lowerMatch(match, channel) };
        }
        if (isComparison(c)) {
            const values = c.op === 'in' ? c.values : c.right ? [c.right] : [];
            return { kind: 'compare', operand: operand(c.left), op: compareOp(c), values: values.map(literal) };
        }
        throw new LoweringError(`unexpected condition ${(c as Condition).$type}`);
    };

    const name = rule.name ?? derivedRuleName(rule);
    return {
        rule: name,
        derivedName: !rule.name,
        identity: { previousNames: [...rule.previousNames], isNew: rule.isNew },
        source: {
            file: nodePath.relative(projectRoot, document.uri.fsPath).split(nodePath.sep).join('/'),
            line: start.line + 1,
            column: start.character + 1,
        },
        event: event.name,
        trigger: {
            kind: isEvent(triggerSource) ? 'event' : 'rule',
            name: isEvent(triggerSource) ? triggerSource.name : (triggerSource?.name ?? derivedRuleName(triggerSource as Rule)),
            channel: (rule.trigger.channel as ChannelName | undefined) ?? null,
            delay: duration(rule.trigger.delay),
        },
        channel,
        message: message.name,
        recipient: { source: recipient.source, path: recipient.path, normalise: addressNormalise },
        profile: event.targetsProfile ? { keyField: keyField(profile)?.name ?? '' } : null,
        condition: rule.condition ? lowerCondition(rule.condition) : null,
        schedule: scheduleIR,
        lookback: lookback ? duration(lookback.duration) : scheduleIR.every,
        expire: expire ? duration(expire.duration) : defaults.expire,
        limits,
        quietHours,
        recipientZone: quietHours.length > 0 ? recipientZone(event, profile) : null,
        goal: lowerGoal(rule, event, channel, profile, policies, duration),
        holdout: lowerHoldout(rule, event, profile, name),
    };
}
