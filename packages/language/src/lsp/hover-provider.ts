// Hover: what a name means in the domain — a field's type and owner, an event's fields, a rule's
// derived name, schedule and window in words.
import { CstUtils, type AstNode, type LangiumDocument, type LangiumDocuments, type MaybePromise } from 'langium';
import { AstNodeHoverProvider, type LangiumServices } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import { typeToString } from '@followup/template';
import {
    isEngagement, isEvent, isField, isGoal, isHoldout, isLimit, isMessage, isModel, isPolicy, isProfile, isQuietHours, isRecordType, isRule,
    type Event, type Field, type Policy, type Profile, type Rule,
} from '../generated/ast.js';
import { durationValue, minutesToWords } from '../model/durations.js';
import { declaredFields, ruleEvent, typeOfTypeRef } from '../model/schema.js';
import { derivedRuleName } from '../services/name-provider.js';
import { goalHover, holdoutHover, ruleMeasuringLines } from './measuring-hover.js';
import { engagementHover, optionHover, policyHover, rulePolicyLines } from './policy-hover.js';

function fieldLine(field: Field): string {
    return `${field.name}: ${typeToString(typeOfTypeRef(field.type))}${field.optional ? '?' : ''}`;
}

function fieldsBlock(owner: Event | Profile): string {
    return '```followup\n' + declaredFields(owner).map(fieldLine).join('\n') + '\n```';
}

/** "sent between 4 and 3 days before each run": the window a run looks at. */
export function ruleWindowInWords(rule: Rule): string {
    const delay = durationValue(rule.trigger?.delay)?.minutes ?? 0;
    const schedule = rule.options.find(o => o.$type === 'Schedule');
    const lookback = rule.options.find(o => o.$type === 'Lookback');
    const period = durationValue(schedule?.every)?.minutes ?? 24 * 60;
    const first = durationValue(lookback?.duration)?.minutes ?? period;
    const when = schedule
        ? `every ${minutesToWords(period)}${schedule.weekday ? ` on ${schedule.weekday}` : ''}${schedule.at ? ` at ${schedule.at}` : schedule.weekday ? ' at 00:00' : ''} in ${schedule.zone ?? 'UTC'}`
        : 'every day at 00:00 in UTC';
    return `Runs ${when}; each run selects deliveries sent between ${minutesToWords(delay + period)} and ${minutesToWords(delay)} before it ` +
        `(its first run looks back ${minutesToWords(first)}).`;
}

export class FollowupHoverProvider extends AstNodeHoverProvider {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumServices) {
        super(services);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    /** Declarations and references as Langium finds them; else the words of a condition or an option. */
    override async getHoverContent(document: LangiumDocument, params: HoverParams): Promise<Hover | undefined> {
        const found = await super.getHoverContent(document, params);
        if (found) return found;
        const root = document.parseResult?.value?.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(params.position));
        const node = leaf?.astNode;
        const value = node && this.wordsHover(node);
        return value ? { contents: { kind: 'markdown', value } } : undefined;
    }

    private wordsHover(node: AstNode): string | undefined {
        if (isEngagement(node)) return engagementHover(node);
        if (isLimit(node) || isQuietHours(node)) return optionHover(node, isPolicy(node.$container));
        if (isPolicy(node)) return policyHover();
        if (isGoal(node)) return goalHover(node);
        if (isHoldout(node)) return holdoutHover(node);
        return undefined;
    }

    /** Every `policy { }` block of the workspace. */
    private policies(): Policy[] {
        return this.documents.all.toArray().flatMap(d => {
            const model = d.parseResult?.value;
            return isModel(model) ? model.declarations.filter(isPolicy) : [];
        });
    }

    protected getAstNodeHoverContent(node: AstNode): MaybePromise<string | undefined> {
        if (isField(node)) {
            const owner = node.$container;
            const of = isEvent(owner) ? `event \`${owner.name}\`` : isProfile(owner) ? 'the profile' : isRecordType(owner) ? `type \`${owner.name}\`` : '';
            return `**${node.name}**: \`${typeToString(typeOfTypeRef(node.type))}\`${node.optional ? ' (optional)' : ''} — field of ${of}`;
        }
        if (isEvent(node)) return `**event ${node.name}**${node.targetsProfile ? ' (targeting the profile)' : ''}\n\n${fieldsBlock(node)}`;
        if (isProfile(node)) return `**profile**\n\n${fieldsBlock(node)}`;
        if (isMessage(node)) {
            return `**message ${node.name}** for \`${node.event?.$refText}\` on ${node.channel}: ${node.parts.map(p => p.part).join(', ')}`;
        }
        if (isRule(node)) {
            const name = node.name ?? derivedRuleName(node);
            const event = ruleEvent(node);
            return `**rule ${name}**${node.name ? '' : ' (short form; name derived as <trigger>_<message>_<channel>)'}\n\n` +
                `Sends \`${node.action?.message?.$refText}\` on ${node.action?.channel}${event ? ` to each \`${event.name}\`` : ''}, ` +
                `${minutesToWords(durationValue(node.trigger?.delay)?.minutes ?? 0)} after \`${node.trigger?.source?.$refText}\` was sent.\n\n${ruleWindowInWords(node)}` +
                [...rulePolicyLines(node, this.policies()), ...ruleMeasuringLines(node, this.policies())].map(line => `\n\n${line}`).join('');
        }
        return undefined;
    }
}
