// `followup report` (docs/measuring.md): for each rule, the compiled report queries of its plan
// (packages/compiler/src/sql/report-query.ts) run as of `now`, then the rates, the lift and its interval.
import type { RenderPlan, ReportDailyRow, ReportTotalsRow } from '@followup/compiler';
import { bindParameters } from '../executor/bind-parameters.js';
import { refreshPlannerStatistics } from '../executor/planner-statistics.js';
import type { Store } from '../store/store.js';
import { newcombeDifference, relativeLift, wilsonInterval, type Interval } from './statistics.js';
import { compareText } from '@followup/values';

/**
 * Below these, the report gives the rates but no lift ("not enough data"): at least this many measured
 * people in each group (sent and held out), and this many conversions in the two groups together.
 */
export const MINIMUM = { peoplePerGroup: 100, conversions: 10 } as const;

export const LIFT_METHOD = "Newcombe's hybrid score interval (Wilson score intervals of both rates; Newcombe 1998, method 10)";
export const RELATIVE_METHOD = "Katz's log interval for the ratio of the two rates";

export interface ReportOptions {
    now: Date;
    /** Decisions taken at or after this instant (default: all). */
    from?: Date;
    /** Decisions taken before this instant (default: all up to now). */
    to?: Date;
    /** Also read the counts per day (for charts). */
    daily?: boolean;
}

/** One group of people compared: those the rule decided to send to, or those it held out. */
export interface GroupReport {
    /** Everyone in the group (in the period). */
    people: number;
    /** Those whose goal window has closed by now: the rate's denominator. */
    measured: number;
    converted: number;
    /** converted / measured; null when nobody is measured yet. */
    rate: number | null;
    /** Wilson's 95% score interval of the rate. */
    interval: Interval | null;
    /** Sum of the goal's value over the measured people, when the goal has a value. */
    revenue: number | null;
    revenuePerRecipient: number | null;
}

export interface LiftReport {
    /** rate(sent) - rate(held out), as a proportion (0.05 = 5 points), with its 95% interval. */
    absolute: Interval & { estimate: number };
    /** rate(sent) / rate(held out) - 1, with its 95% interval; null when the held out never converted. */
    relative: (Interval & { estimate: number }) | null;
    /** revenuePerRecipient(sent) - revenuePerRecipient(held out), when the goal has a value. */
    revenuePerRecipient: number | null;
}

export interface RuleReport {
    rule: string;
    event: string;
    message: string;
    channel: string;
    goal: { event: string; within: string; value: string | null; scope: 'rule' | 'project' } | null;
    holdout: { share: number } | null;
    counts: {
        /** Every decision (send, held out, suppressed, expired, stopped, capped). */
        selected: number;
        /** Follow-ups a transport accepted. */
        sent: number;
        heldOut: number;
        delivered: number;
        /** Opened by a person (a click, or an open no privacy proxy made). */
        opened: number;
        clicked: number;
        /** Measured people of the sent group who converted. */
        converted: number | null;
    };
    /** The people the rule decided to send to (intention to treat: whatever became of the send). */
    sentGroup: GroupReport | null;
    heldOutGroup: GroupReport | null;
    /** People of either group whose goal window has not closed yet. */
    measuring: number;
    /**
     * `measured`: a lift with its interval; `not-enough-data`: below MINIMUM (see `why`); `no-holdout`: only
     * the sent group's rate; `no-goal`: counts only.
     */
    verdict: 'measured' | 'not-enough-data' | 'no-holdout' | 'no-goal';
    why?: string;
    lift: LiftReport | null;
    daily?: ReportDailyRow[];
}

/** Counts of the rules that send the same message on the same channel, added up. */
export interface MessageReport {
    message: string;
    channel: string;
    event: string;
    rules: string[];
    counts: Omit<RuleReport['counts'], 'converted'>;
}

export interface Report {
    now: string;
    from: string | null;
    to: string | null;
    rules: RuleReport[];
    messages: MessageReport[];
    method: { lift: string; relative: string; confidence: 0.95; minimum: typeof MINIMUM };
}

/** The values a report query binds first: `$1` from, `$2` to, `$3` now. */
export function reportRuntimeValues(options: Pick<ReportOptions, 'now' | 'from' | 'to'>): string[] {
    return [options.from?.toISOString() ?? '-infinity', options.to?.toISOString() ?? 'infinity', options.now.toISOString()];
}

/**
 * The report queries read whole periods: hash joins are their plan. The planner only picks a nested
 * loop when its statistics say a side is tiny — typically the goal events just imported, of a type the
 * statistics have never seen — and then probes the goal window once per decision: 136 s instead of
 * 0.13 s for 20,000 decisions on PGlite (bench/README.md). So they run with nested loops off, in one
 * read-only transaction (one snapshot for every rule).
 */
export const REPORT_SETTINGS = 'SET LOCAL enable_nestloop = off';

export async function buildReport(store: Store, plans: readonly RenderPlan[], options: ReportOptions): Promise<Report> {
    const runtime = reportRuntimeValues(options);
    await refreshPlannerStatistics(store);
    const rules = await store.transaction(async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY');
        await tx.query(REPORT_SETTINGS);
        const out: RuleReport[] = [];
        for (const plan of plans) {
            const queries = plan.queries.report;
            const { rows } = await tx.query<ReportTotalsRow>(queries.totals.sql, bindParameters(queries.totals, runtime));
            const report = ruleReport(plan, rows[0]!);
            if (options.daily) {
                const daily = await tx.query<ReportDailyRow>(queries.daily.sql, bindParameters(queries.daily, runtime));
                report.daily = daily.rows;
            }
            out.push(report);
        }
        return out;
    });
    return {
        now: options.now.toISOString(),
        from: options.from?.toISOString() ?? null,
        to: options.to?.toISOString() ?? null,
        rules,
        messages: messageReports(rules),
        method: { lift: LIFT_METHOD, relative: RELATIVE_METHOD, confidence: 0.95, minimum: MINIMUM },
    };
}

function group(people: number, measured: number | null, converted: number | null, revenue: number | null, hasValue: boolean): GroupReport {
    const m = measured ?? 0;
    const c = converted ?? 0;
    const value = hasValue ? (revenue ?? 0) : null;
    return {
        people,
        measured: m,
        converted: c,
        rate: m > 0 ? c / m : null,
        interval: m > 0 ? wilsonInterval(c, m) : null,
        revenue: value,
        revenuePerRecipient: value !== null && m > 0 ? value / m : null,
    };
}

/** A rule's report from its totals row. */
export function ruleReport(plan: Pick<RenderPlan, 'rule' | 'event' | 'message' | 'channel' | 'goal' | 'holdout'>, row: ReportTotalsRow): RuleReport {
    const goal = plan.goal ?? null;
    const hasValue = goal?.value != null;
    const sentGroup = goal ? group(row.treated, row.treated_measured, row.treated_converted, row.treated_value, hasValue) : null;
    const heldOutGroup = goal && (plan.holdout || row.held_out > 0)
        ? group(row.held_out, row.held_out_measured, row.held_out_converted, row.held_out_value, hasValue)
        : null;
    const base: RuleReport = {
        rule: plan.rule,
        event: plan.event,
        message: plan.message,
        channel: plan.channel,
        goal: goal ? { event: goal.event, within: goal.within.text, value: goal.value, scope: goal.scope } : null,
        holdout: plan.holdout ? { share: plan.holdout.share } : null,
        counts: {
            selected: row.selected, sent: row.sent, heldOut: row.held_out,
            delivered: row.delivered, opened: row.opened, clicked: row.clicked,
            converted: sentGroup ? sentGroup.converted : null,
        },
        sentGroup,
        heldOutGroup,
        measuring: sentGroup ? sentGroup.people - sentGroup.measured + (heldOutGroup ? heldOutGroup.people - heldOutGroup.measured : 0) : 0,
        verdict: 'no-goal',
        lift: null,
    };
    if (!sentGroup) return base;
    if (!heldOutGroup) return { ...base, verdict: 'no-holdout', why: 'the rule has no holdout: there is nobody to compare with' };
    const why = notEnoughData(sentGroup, heldOutGroup);
    if (why) return { ...base, verdict: 'not-enough-data', why };
    const absolute = newcombeDifference(sentGroup.converted, sentGroup.measured, heldOutGroup.converted, heldOutGroup.measured);
    const relative = relativeLift(sentGroup.converted, sentGroup.measured, heldOutGroup.converted, heldOutGroup.measured) ?? null;
    const revenuePerRecipient = sentGroup.revenuePerRecipient !== null && heldOutGroup.revenuePerRecipient !== null
        ? sentGroup.revenuePerRecipient - heldOutGroup.revenuePerRecipient : null;
    return { ...base, verdict: 'measured', lift: { absolute, relative, revenuePerRecipient } };
}

/** Why a lift would mean nothing yet (docs/measuring.md: "not enough data"), or undefined. */
export function notEnoughData(sent: Pick<GroupReport, 'measured' | 'converted'>, heldOut: Pick<GroupReport, 'measured' | 'converted'>): string | undefined {
    const small = [['sent', sent] as const, ['held out', heldOut] as const].filter(([, g]) => g.measured < MINIMUM.peoplePerGroup);
    if (small.length > 0) {
        return `not enough data: ${small.map(([name, g]) => `${g.measured} measured ${name}`).join(' and ')} (at least ${MINIMUM.peoplePerGroup} in each group)`;
    }
    const conversions = sent.converted + heldOut.converted;
    if (conversions < MINIMUM.conversions) return `not enough data: ${conversions} conversion${conversions === 1 ? '' : 's'} (at least ${MINIMUM.conversions} in both groups together)`;
    return undefined;
}

function messageReports(rules: readonly RuleReport[]): MessageReport[] {
    const byMessage = new Map<string, MessageReport>();
    for (const r of rules) {
        const key = `${r.event}\u0000${r.message}\u0000${r.channel}`;
        const m = byMessage.get(key) ?? {
            message: r.message, channel: r.channel, event: r.event, rules: [],
            counts: { selected: 0, sent: 0, heldOut: 0, delivered: 0, opened: 0, clicked: 0 },
        };
        m.rules.push(r.rule);
        for (const k of Object.keys(m.counts) as (keyof MessageReport['counts'])[]) m.counts[k] += r.counts[k];
        byMessage.set(key, m);
    }
    return [...byMessage.values()].sort((a, b) => compareText(a.event, b.event) || compareText(a.message, b.message) || compareText(a.channel, b.channel));
}
