// Completion that knows where it is: the rule's event's fields (with their types) in conditions,
// the fields of what a path names after `.`, that event's messages for the written channel after
// `send`, the channels a message exists on, time zones in `in "..."`, and inside `{{ }}` of a
// message the fields, loop variables and the filters valid for the value's type. Keywords come
// from Langium's grammar-driven completion, which is right wherever the grammar asks for one.
import {
    AstUtils, CstUtils, GrammarAST, isLeafCstNode, type AstNode, type AstNodeDescription, type CstNode, type LangiumDocument, type MaybePromise,
    type IndexManager, type ReferenceInfo, type Stream,
} from 'langium';
import {
    DefaultCompletionProvider, type CompletionAcceptor, type CompletionContext, type CompletionProviderOptions, type NextFeature,
} from 'langium/lsp';
import {
    CompletionItemKind, CompletionList, type CompletionItem, type CompletionParams, type Range,
} from 'vscode-languageserver';
import type { CancellationToken } from 'vscode-languageserver';
import { decodeStringLiteral, type TemplateContext, type FuType } from '@followup/template';
import {
    isEvent, isMessage, isMessagePart, isModel, isQuietHours, isRule, isSchedule, isTextLiteral, type Event, type Message, type Model, type Rule,
} from '../../generated/ast.js';
import { partMode, templateContext } from '../../model/message-templates.js';
import { containingRule, fieldViews, ruleEvent, schemaType } from '../../model/schema.js';
import type { FollowupServices } from '../../services/followup-module.js';
import type { FollowupScopeProvider } from '../../services/scope-provider.js';
import { goalCandidates, goalReferenceItem, measuringPhrases } from './goal-completion.js';
import { completeInTemplate } from './template-completion.js';
import { timeZoneItems } from './time-zones.js';
import { fieldItem, fieldsAfterDot, segmentsBeforeDot, walkSegments } from './typed-paths.js';

const channels = ['email', 'sms', 'push'] as const;
const stringTokens = new Set(['STRING', 'TRIPLE_STRING']);

/** Keywords that only ever start a fixed phrase, by the grammar rule they start it in. */
const phrases: Record<string, { rule: string; text: string; detail: string }> = {
    by: { rule: 'Engagement', text: 'by a person', detail: 'an open by a person: machine opens (mail privacy proxies) do not count; a click does' },
    with: { rule: 'SinceCondition', text: 'with same', detail: 'with same <field>: an event with the same value of that field (the same order, say), instead of the same person' },
    quiet: { rule: 'QuietHours', text: 'quiet hours', detail: 'quiet hours HH:MM to HH:MM in "<zone>": follow-ups decided inside them are held until they end' },
    ...measuringPhrases,
};

export class FollowupCompletionProvider extends DefaultCompletionProvider {
    override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: ['.', '|', '{', '"', '#'] };
    private readonly followupScopes: FollowupScopeProvider;
    private readonly indexManager: IndexManager;

    constructor(services: FollowupServices) {
        super(services);
        this.followupScopes = services.references.ScopeProvider;
        this.indexManager = services.shared.workspace.IndexManager;
    }

    override async getCompletion(document: LangiumDocument, params: CompletionParams, cancelToken?: CancellationToken): Promise<CompletionList | undefined> {
        const offset = document.textDocument.offsetAt(params.position);
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, offset);
        const tokenName = leaf && isLeafCstNode(leaf) ? leaf.tokenType.name : undefined;
        if (root && this.inComment(CstUtils.findLeafNodeBeforeOffset(root, offset), offset)) return CompletionList.create([], false);
        if (leaf && tokenName && stringTokens.has(tokenName) && leaf.offset < offset && offset < leaf.end) {
            return CompletionList.create(this.completeInString(document, leaf.astNode, leaf.offset, leaf.text, offset), false);
        }
        // A zone being typed before its closing quote.
        const lineStart = document.textDocument.offsetAt({ line: params.position.line, character: 0 });
        const zone = /\bin\s+"([^"]*)$/.exec(document.textDocument.getText().slice(lineStart, offset));
        if (zone) return CompletionList.create(this.withRange(timeZoneItems(), this.rangeOf(document, offset - zone[1]!.length, offset)), false);
        const template = this.completeInUnterminatedString(document, offset);
        if (template) return CompletionList.create(template, false);
        const countArgument = this.completeCountArgument(document, offset);
        if (countArgument) return CompletionList.create(countArgument, false);
        return super.getCompletion(document, params, cancelToken);
    }

    /** A line comment runs to the end of its line, so the offset right after it is still inside. */
    private inComment(leaf: CstNode | undefined, offset: number): boolean {
        if (!leaf || !isLeafCstNode(leaf) || leaf.offset >= offset) return false;
        if (leaf.tokenType.name === 'SL_COMMENT') return offset <= leaf.end;
        return leaf.tokenType.name === 'ML_COMMENT' && offset < leaf.end;
    }

    // ------------------------------------------------------------ inside strings

    private completeInString(document: LangiumDocument, node: AstNode, tokenOffset: number, tokenText: string, offset: number): CompletionItem[] {
        const container = node.$container;
        if ((isSchedule(node) || isQuietHours(node)) && node.zone !== undefined) {
            const quote = tokenText.startsWith('"""') ? 3 : 1;
            return this.withRange(timeZoneItems(), this.rangeOf(document, tokenOffset + quote, tokenOffset + tokenText.length - quote));
        }
        if (isTextLiteral(node) && isMessagePart(container) && container.$container.event?.ref) {
            const message = container.$container;
            const context = templateContext(message, this.followupScopes.profile(), partMode(container));
            const decoded = decodeStringLiteral(tokenText);
            const relative = offset - tokenOffset;
            let index = decoded.offsets.findIndex(o => o >= relative);
            if (index < 0) index = decoded.value.length;
            const result = completeInTemplate(decoded.value, index, context);
            if (!result) return [];
            return this.withRange(result.items, this.rangeOf(document, offset - result.replaceLength, offset));
        }
        return [];
    }

    /**
     * A message part's string still being typed (no closing quotes yet, so it is no token): when
     * closing it right at the cursor makes the text before end with a string token, that string is
     * completed as a template of the message written above it.
     */
    private completeInUnterminatedString(document: LangiumDocument, offset: number): CompletionItem[] | undefined {
        // An unclosed quote is a lexing error: without one, there is nothing to look for.
        if (document.parseResult.lexerErrors.length === 0) return undefined;
        const before = document.textDocument.getText().slice(0, offset);
        for (const quotes of ['"""', '"']) {
            const tokens = this.lexer.tokenize(before + quotes).tokens;
            const last = tokens[tokens.length - 1];
            if (!last || last.startOffset + last.image.length !== before.length + quotes.length || !['TRIPLE_STRING', 'STRING'].includes(last.tokenType.name)) continue;
            if (last.startOffset + quotes.length > before.length) continue;
            const head = before.slice(0, last.startOffset);
            const part = /\b(subject|html|text|title)\s*:\s*$/.exec(head)?.[1];
            const message = [...head.matchAll(/\bmessage\s+`?[A-Za-z_][A-Za-z0-9_]*`?\s+for\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s+(?:email|sms|push)\s*\{/g)].pop();
            const event = message && this.indexManager.allElements('Event').map(d => d.node).find(n => isEvent(n) && n.name === message[1]) as Event | undefined;
            if (!part || !event) return [];
            const profile = this.followupScopes.profile();
            // As templateContext() builds it for a parsed message.
            const context: TemplateContext = {
                fields: fieldViews(event),
                profileFields: event.targetsProfile && profile ? fieldViews(profile) : undefined,
                mode: part === 'html' ? 'html' : 'text',
            };
            const result = completeInTemplate(before.slice(last.startOffset + quotes.length), offset - last.startOffset - quotes.length, context);
            return result ? this.withRange(result.items, this.rangeOf(document, offset - result.replaceLength, offset)) : [];
        }
        return undefined;
    }

    private rangeOf(document: LangiumDocument, start: number, end: number): Range {
        return { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) };
    }

    private withRange(items: CompletionItem[], range: Range): CompletionItem[] {
        return items.map(item => ({ ...item, textEdit: { range, newText: item.insertText ?? item.label } }));
    }

    // ------------------------------------------------------------ grammar-driven places

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): MaybePromise<void> {
        if (GrammarAST.isCrossReference(next.feature)) {
            const assignment = AstUtils.getContainerOfType(next.feature, GrammarAST.isAssignment);
            // The grammar rule that holds the reference (`next.type` may name an enclosing new node instead).
            const owner = assignment && AstUtils.getContainerOfType(assignment, GrammarAST.isParserRule)?.name;
            if (owner === 'PathSegment') return this.completePathSegment(context, acceptor);
            if (owner === 'SendAction' && assignment?.feature === 'message') return this.completeMessage(context, acceptor);
        }
        return super.completionFor(context, next, acceptor);
    }

    protected override completionForKeyword(context: CompletionContext, keyword: GrammarAST.Keyword, acceptor: CompletionAcceptor): MaybePromise<void> {
        const rule = AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name;
        // A new name (a field's, a message's): the soft keywords a name may be are not suggestions.
        if (rule === 'Name' || rule === 'ScenarioKeyword') return;
        // A message's parts: each once.
        if (rule === 'PartName') {
            const message = context.node && AstUtils.getContainerOfType(context.node, isMessage);
            if (message?.parts.some(p => p.part === keyword.value && p.$cstNode && p.$cstNode.offset !== context.tokenOffset)) return;
        }
        // `<event> since sent` / `<event> with same f since sent`: after a field name, neither fits.
        if (keyword.value === 'since' || (keyword.value === 'with' && rule === 'SinceCondition')) {
            const word = /`?([A-Za-z_][A-Za-z0-9_]*)`?\s*$/.exec(context.textDocument.getText().slice(0, context.tokenOffset))?.[1];
            if (!word || !this.indexManager.allElements('Event').some(d => d.name === word)) return;
        }
        // Phrases the grammar spells word by word are offered whole.
        const phrase = phrases[keyword.value];
        if (phrase && AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name === phrase.rule) {
            // Only opens can be a machine's (the checker refuses `clicked by a person`).
            if (keyword.value === 'by' && !/\bopened\s*$/.test(context.textDocument.getText().slice(0, context.tokenOffset))) return;
            acceptor(context, { label: phrase.text, kind: CompletionItemKind.Keyword, detail: phrase.detail, sortText: '1' });
            return;
        }
        if ((channels as readonly string[]).includes(keyword.value)) {
            const sent = this.messageBeforeChannel(context);
            if (sent && sent.candidates.length > 0 && !sent.candidates.some(m => m.channel === keyword.value)) return;
            if (sent) {
                acceptor(context, {
                    label: keyword.value, kind: CompletionItemKind.EnumMember, sortText: '0',
                    detail: sent.candidates.length > 0 ? `message ${sent.name} for ${sent.event.name} ${keyword.value}` : 'channel',
                });
                return;
            }
        }
        return super.completionForKeyword(context, keyword, acceptor);
    }

    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const candidates = goalCandidates(refInfo, super.getReferenceCandidates(refInfo, context));
        if (refInfo.property !== 'source') return candidates;
        // A trigger names an event or another rule: not the rule being written, nor a short rule
        // whose derived name is still incomplete.
        const self = this.ruleAt(context);
        return candidates.filter(d => {
            const node = d.node;
            if (!isRule(node)) return true;
            if (node === self) return false;
            return !!node.name || !!(node.trigger?.source?.$refText && node.action?.message?.$refText && node.action.channel);
        });
    }

    protected override createReferenceCompletionItem(description: AstNodeDescription, refInfo: ReferenceInfo, context: CompletionContext) {
        const item = super.createReferenceCompletionItem(description, refInfo, context);
        const goal = goalReferenceItem(description, refInfo, item);
        if (goal) return goal;
        const node = description.node;
        // In a condition an event starts `<event> since sent`: after the fields and the engagement keywords.
        if (isEvent(node) && refInfo.property === 'event') {
            return { ...item, detail: 'event', labelDetails: { description: `${node.name} since sent` }, sortText: `3_${node.name}` };
        }
        if (isEvent(node)) return { ...item, detail: node.targetsProfile ? 'event (targeting the profile)' : 'event' };
        if (isRule(node)) {
            return { ...item, detail: `rule: sends ${node.action?.message?.$refText ?? '?'} ${node.action?.channel ?? ''}`.trim(), sortText: '1' };
        }
        return item;
    }

    // ------------------------------------------------------------ helpers

    /** The rule the cursor is in: from the AST node before it, else the declaration that starts before it. */
    private ruleAt(context: CompletionContext): Rule | undefined {
        const fromNode = context.node && containingRule(context.node);
        if (fromNode) return fromNode;
        const model = context.document.parseResult.value;
        if (!isModel(model)) return undefined;
        let last: Rule | undefined;
        for (const declaration of (model as Model).declarations) {
            if ((declaration.$cstNode?.offset ?? Infinity) > context.offset) break;
            last = isRule(declaration) ? declaration : undefined;
        }
        return last;
    }

    private eventAt(context: CompletionContext): Event | undefined {
        const rule = this.ruleAt(context);
        return rule && ruleEvent(rule);
    }

    /** A condition's (or a `to`'s) path. */
    private completePathSegment(context: CompletionContext, acceptor: CompletionAcceptor): void {
        const event = this.eventAt(context);
        if (!event) return;
        for (const item of this.pathItems(event, context.textDocument.getText().slice(0, context.tokenOffset))) acceptor(context, item);
    }

    /** What may come next in a path that `before` ends with: the event's fields first, then what the segments before a `.` name. */
    private pathItems(event: Event, before: string): CompletionItem[] {
        const profile = this.followupScopes.profile();
        const eventType = schemaType(event, event.name);
        const segments = /\.\s*$/.test(before) ? segmentsBeforeDot(before) : undefined;
        if (segments) {
            const [first, ...rest] = segments;
            const rootField = eventType.kind === 'record' ? eventType.fields().find(f => f.name === first!.name) : undefined;
            let root: FuType | undefined = rootField?.type;
            if (!rootField && first!.name === 'event') root = eventType;
            if (!rootField && first!.name === 'profile' && profile) root = schemaType(profile, 'profile');
            const owner = segments.map(s => s.name).join('.');
            return fieldsAfterDot(walkSegments(root, rest, first!.indexed)).map(field => fieldItem(field, `'${owner}'`));
        }
        return [
            ...(eventType.kind === 'record' ? eventType.fields().map(field => fieldItem(field, `event ${event.name}`)) : []),
            // `event.x` names a field of the rule's event explicitly: offered as `event.`, after the fields.
            {
                label: 'event.', kind: CompletionItemKind.Variable, detail: `the fields of ${event.name}`, sortText: '4_event',
                filterText: 'event', insertText: 'event.', command: { title: 'Suggest', command: 'editor.action.triggerSuggest' },
            },
            ...(profile ? [{
                label: 'profile.', kind: CompletionItemKind.Variable, detail: 'the fields of the profile', sortText: '4_profile',
                filterText: 'profile', insertText: 'profile.', command: { title: 'Suggest', command: 'editor.action.triggerSuggest' },
            }] : []),
        ];
    }

    /**
     * Inside `count(`: the grammar-driven completion reads `count` as a field name (keywords are
     * soft), so the path is completed here, lists first.
     */
    private completeCountArgument(document: LangiumDocument, offset: number): CompletionItem[] | undefined {
        const before = document.textDocument.getText().slice(0, offset);
        const match = /\bcount\s*\(\s*((?:`?[A-Za-z_][A-Za-z0-9_]*`?\s*(?:\[\s*\d+\s*\])?\s*\.\s*)*)`?([A-Za-z0-9_]*)$/.exec(before);
        if (!match) return undefined;
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeBeforeOffset(root, offset);
        const rule = leaf ? containingRule(leaf.astNode) : undefined;
        const event = rule && ruleEvent(rule);
        if (!event) return undefined;
        const partial = match[2]!;
        const items = this.pathItems(event, before.slice(0, before.length - partial.length))
            .map(item => (item.detail?.startsWith('list<') ? { ...item, sortText: `00_${item.label}` } : item));
        return this.withRange(items, this.rangeOf(document, offset - partial.length, offset));
    }

    /** After `send`: the messages declared for the rule's event, for the channel written after the cursor if there is one. */
    private completeMessage(context: CompletionContext, acceptor: CompletionAcceptor): void {
        const event = this.eventAt(context);
        if (!event) return;
        const after = context.textDocument.getText().slice(context.tokenEndOffset);
        const written = /^\s+(email|sms|push)\b/.exec(after)?.[1];
        for (const channel of written ? [written] : channels) {
            for (const message of this.followupScopes.messagesOf(event, channel)) {
                acceptor(context, {
                    label: message.name,
                    kind: CompletionItemKind.Reference,
                    detail: `message ${message.name} for ${event.name} ${channel}`,
                    labelDetails: { description: channel },
                    ...(written ? {} : { insertText: `${message.name} ${channel}` }),
                    sortText: `0_${message.name}_${channel}`,
                });
            }
        }
    }

    /** `send <name> |`: the rule's event and the messages of that name (on any channel). */
    private messageBeforeChannel(context: CompletionContext): { name: string; event: Event; candidates: Message[] } | undefined {
        const before = context.textDocument.getText().slice(0, context.tokenOffset);
        const name = /\bsend\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s+$/.exec(before)?.[1];
        const event = name ? this.eventAt(context) : undefined;
        if (!name || !event) return undefined;
        return { name, event, candidates: channels.flatMap(c => this.followupScopes.messagesOf(event, c)).filter(m => m.name === name) };
    }
}
