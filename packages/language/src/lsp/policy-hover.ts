// Hover words for what a rule is under: its caps and quiet hours (its own and the project policy's)
// and the engagement words (`opened by a person`), as docs/language.md §3 and §6 say them.
import type { Engagement, Limit, Policy, QuietHours, Rule } from '../generated/ast.js';
import { channelAddressType, type ChannelName } from '../model/channels.js';
import { durationValue, minutesToWords } from '../model/durations.js';

function limitText(limit: Limit, whose: string): string {
    const per = minutesToWords(durationValue(limit.per)?.minutes ?? 0);
    return `at most ${limit.count} follow-up${limit.count === 1 ? '' : 's'} ${whose} per recipient in any ${per} (queued or sent); more are recorded as capped, never sent`;
}

function quietText(quiet: QuietHours): string {
    return `follow-ups decided between ${quiet.from} and ${quiet.until} (in the recipient's \`timezone\` when the event or profile holds a valid one, else ${quiet.zone}) are held until ${quiet.until}, then checked again before sending`;
}

/** The policy options that apply to a rule on `channel`. */
function policyOptions(policies: readonly Policy[], channel: string | undefined): (Limit | QuietHours)[] {
    return policies.flatMap(p => p.options).filter((o): o is Limit | QuietHours => o.$type !== 'Goal' && (o.channel === undefined || o.channel === channel));
}

/** Lines for a rule's hover: every cap and quiet-hours window its follow-ups are under. */
export function rulePolicyLines(rule: Rule, policies: readonly Policy[]): string[] {
    const channel = rule.action?.channel;
    const lines: string[] = [];
    for (const option of rule.options) {
        if (option.$type === 'Limit') lines.push(`Limit: ${limitText(option, 'of this rule')}.`);
        if (option.$type === 'QuietHours') lines.push(`Quiet hours: ${quietText(option)}.`);
    }
    for (const option of policyOptions(policies, channel)) {
        if (option.$type === 'Limit') lines.push(`Project policy: ${limitText(option, `of any rule on ${channel}`)}.`);
        else lines.push(`Project policy, quiet hours: ${quietText(option)}.`);
    }
    return lines;
}

/** Hover of a `limit` or `quiet hours` line, in a rule or in the policy block. */
export function optionHover(option: Limit | QuietHours, inPolicy: boolean): string {
    const scope = inPolicy ? (option.channel ? `every rule on ${option.channel}` : 'every rule, on each channel') : 'this rule';
    if (option.$type === 'Limit') {
        const address = option.channel ? `${channelAddressType[option.channel as ChannelName]} address` : 'address';
        return `**limit** (${scope}): ${limitText(option, inPolicy ? 'of all those rules together' : 'of this rule')}. ` +
            `The recipient is the ${address} as compared everywhere (emails trimmed and lower-cased); transactional messages never count.`;
    }
    return `**quiet hours** (${scope}): ${quietText(option)}.`;
}

export function policyHover(): string {
    return '**policy**: project-wide limits and quiet hours. Each line applies to every follow-up rule, on the channel named after `on` (every channel without it), in addition to the rule\'s own options.';
}

export function engagementHover(engagement: Engagement): string {
    switch (engagement.kind) {
        case 'opened':
            return engagement.byPerson
                ? '**opened by a person**: an open that is not a machine\'s, or a click, was tracked for the triggering delivery. Opens by mail privacy proxies (Apple Mail Privacy Protection, the Gmail image proxy) do not count.'
                : '**opened**: an open or a click was tracked for the triggering delivery (a click proves the open). Machine opens by mail privacy proxies count too: write `opened by a person` to leave them out.';
        case 'clicked':
            return `**clicked**${engagement.link !== undefined ? ` link ${JSON.stringify(engagement.link)}` : ''}: a click was tracked for the triggering delivery${engagement.link !== undefined ? ', on the link of that name or a URL containing it' : ''}.`;
        case 'delivered':
            return '**delivered**: the provider reported the triggering delivery delivered.';
        default:
            return '**bounced**: the triggering delivery bounced (hard or soft).';
    }
}
