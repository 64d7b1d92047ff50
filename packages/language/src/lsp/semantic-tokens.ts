// Semantic highlighting: what each name is (event, record type, field, message, rule, the event
// or profile root of a path), channels, durations and times, the words of the language, and inside
// the `{{ }}` of a message's strings the fields, loop variables, filters and tag keywords.
import { AstUtils, CstUtils, GrammarAST, type AstNode, type LangiumDocument } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes, type CancellationToken } from 'vscode-languageserver';
import { parseTemplate, TemplateTokens, type TemplateNode, type TemplateSyntax } from '@followup/template';
import {
    isDuration, isEvent, isField, isKeyDecl, isLimit, isMessage, isMessagePart, isNumberLiteral, isPathSegment, isProfile,
    isQuietHours, isRecordType, isRecordTypeRef, isRule, isSchedule, isSendAction, isSinceCondition, isTrigger, type MessagePart,
} from '../generated/ast.js';
import { partTemplate } from '../model/message-templates.js';
import type { FollowupServices } from '../services/followup-module.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';

const { As, CloseTag, Count, Each, Else, Hash, If, keywordTokens, NumberLit, OpenTag, Slash, templateLexer } = TemplateTokens;

// The legend's words for this language's kinds of names.
const {
    class: eventType, struct, type, property, function: functionType, method: ruleType, enumMember, keyword, number, variable, operator, macro,
} = SemanticTokenTypes;
const messageType = functionType;
const { declaration, defaultLibrary } = SemanticTokenModifiers;

/** A name inside a template, by where it starts: what it is. */
type TemplateRoles = Map<number, { end: number; type: string; modifier?: string }>;

/** How a keyword leaf reads, by the grammar rule it belongs to; `Name` keywords are names, highlighted as such. */
const keywordRoles: Record<string, string | undefined> = {
    Name: undefined,
    Channel: enumMember,
    TimeUnit: number,
    PrimitiveName: type,
    PartName: property,
};

export class FollowupSemanticTokenProvider extends AbstractSemanticTokenProvider {
    private readonly scopes: FollowupScopeProvider;

    constructor(services: FollowupServices) {
        super(services);
        this.scopes = services.references.ScopeProvider;
    }

    protected override async computeHighlighting(document: LangiumDocument, acceptor: SemanticTokenAcceptor, cancelToken: CancellationToken): Promise<void> {
        await super.computeHighlighting(document, acceptor, cancelToken);
        const root = document.parseResult.value.$cstNode;
        if (!root) return;
        for (const leaf of CstUtils.flattenCst(root)) {
            const source = leaf.grammarSource;
            if (!GrammarAST.isKeyword(source) || !/^[A-Za-z]/.test(source.value)) continue;
            const rule = AstUtils.getContainerOfType(source, GrammarAST.isParserRule)?.name ?? '';
            const role = rule in keywordRoles ? keywordRoles[rule] : keyword;
            if (role) acceptor({ cst: leaf, type: role, ...(role === type ? { modifier: defaultLibrary } : {}) });
        }
    }

    protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        if (isEvent(node)) acceptor({ node, property: 'name', type: eventType, modifier: declaration });
        else if (isRecordType(node)) acceptor({ node, property: 'name', type: struct, modifier: declaration });
        else if (isField(node)) acceptor({ node, property: 'name', type: property, modifier: declaration });
        else if (isKeyDecl(node)) acceptor({ node, property: 'field', type: property });
        else if (isRecordTypeRef(node)) acceptor({ node, property: 'record', type: struct });
        else if (isMessage(node)) {
            acceptor({ node, property: 'name', type: messageType, modifier: declaration });
            acceptor({ node, property: 'event', type: eventType });
        } else if (isRule(node) && node.name !== undefined) acceptor({ node, property: 'name', type: ruleType, modifier: declaration });
        else if (isTrigger(node)) acceptor({ node, property: 'source', type: isRule(node.source?.ref) ? ruleType : eventType });
        else if (isSendAction(node)) acceptor({ node, property: 'message', type: messageType });
        else if (isSinceCondition(node)) acceptor({ node, property: 'event', type: eventType });
        else if (isPathSegment(node)) {
            const target = node.field?.ref;
            const root = isEvent(target) || isProfile(target);
            acceptor({ node, property: 'field', type: root ? variable : property, ...(root ? { modifier: defaultLibrary } : {}) });
            if (node.index !== undefined) acceptor({ node, property: 'index', type: number });
        } else if (isDuration(node) && node.amount !== undefined) acceptor({ node, property: 'amount', type: number });
        else if (isNumberLiteral(node)) acceptor({ node, property: 'value', type: number });
        else if (isLimit(node)) acceptor({ node, property: 'count', type: number });
        else if (isSchedule(node) && node.at !== undefined) acceptor({ node, property: 'at', type: number });
        else if (isQuietHours(node)) {
            acceptor({ node, property: 'from', type: number });
            acceptor({ node, property: 'until', type: number });
        } else if (isMessagePart(node) && node.body) this.highlightTemplate(node, acceptor);
    }

    /** The `{{ }}` inside an inline part: each template token mapped back to its place in the string. */
    private highlightTemplate(part: MessagePart, acceptor: SemanticTokenAcceptor): void {
        const template = partTemplate(part, this.scopes.profile());
        if (template?.source.kind !== 'inline') return;
        const { text, sourceOffset } = template.source;
        if (!text.includes('{{')) return;
        const document = AstUtils.getDocument(part).textDocument;
        const emit = (start: number, end: number, tokenType: string, modifier?: string) => {
            const from = sourceOffset(start);
            const to = sourceOffset(end - 1) + 1;
            acceptor({ range: { start: document.positionAt(from), end: document.positionAt(to) }, type: tokenType, ...(modifier ? { modifier } : {}) });
        };
        // Names by role, from the syntax tree: filters, loop variables (declared and used), path roots.
        const roles: TemplateRoles = new Map();
        const visit = (nodes: readonly TemplateNode[], loops: string[]) => {
            for (const node of nodes) {
                if (node.kind === 'output') this.templateExpression(node.expr, loops, roles);
                else if (node.kind === 'each') {
                    if (node.list.kind === 'path') this.templateExpression(node.list, loops, roles);
                    if (node.item) roles.set(node.item.start, { end: node.item.end, type: variable, modifier: declaration });
                    visit(node.body, node.item ? [...loops, node.item.name] : loops);
                } else if (node.kind === 'if') {
                    this.templateCondition(node.condition, loops, roles);
                    visit(node.then, loops);
                    if (node.else) visit(node.else, loops);
                }
            }
        };
        visit(parseTemplate(text).ast.body, []);
        for (const token of templateLexer.tokenize(text).tokens) {
            const start = token.startOffset;
            const end = start + token.image.length;
            const role = roles.get(start);
            if (role) emit(start, role.end, role.type, role.modifier);
            else if ([OpenTag, CloseTag, Hash, Slash].includes(token.tokenType)) emit(start, end, macro);
            else if (token.tokenType === Count) emit(start, end, functionType);
            else if ([Each, If, As, Else].includes(token.tokenType) || keywordTokens.includes(token.tokenType)) emit(start, end, keyword);
            else if (token.tokenType === NumberLit) emit(start, end, number);
            else if (/^[=!<>]/.test(token.image)) emit(start, end, operator);
        }
    }

    private templateExpression(expr: TemplateSyntax.Expr | TemplateSyntax.InvalidExpr, loops: string[], roles: TemplateRoles): void {
        switch (expr.kind) {
            case 'path':
                expr.segments.forEach((segment, i) => {
                    if (segment.kind !== 'name') return;
                    const root = i === 0 && (loops.includes(segment.name) || segment.name === 'event' || segment.name === 'profile');
                    roles.set(segment.start, root
                        ? { end: segment.end, type: variable, ...(loops.includes(segment.name) ? {} : { modifier: defaultLibrary }) }
                        : { end: segment.end, type: property });
                });
                return;
            case 'count':
                this.templateExpression(expr.arg, loops, roles);
                return;
            case 'filter':
                this.templateExpression(expr.input, loops, roles);
                roles.set(expr.nameStart, { end: expr.nameEnd, type: functionType, modifier: defaultLibrary });
                for (const arg of expr.args) this.templateExpression(arg, loops, roles);
                return;
            default:
                return;
        }
    }

    private templateCondition(cond: TemplateSyntax.Condition | TemplateSyntax.InvalidExpr, loops: string[], roles: TemplateRoles): void {
        switch (cond.kind) {
            case 'and':
            case 'or':
                this.templateCondition(cond.left, loops, roles);
                this.templateCondition(cond.right, loops, roles);
                return;
            case 'not':
                this.templateCondition(cond.operand, loops, roles);
                return;
            case 'truthy':
                this.templateExpression(cond.expr, loops, roles);
                return;
            case 'compare':
                this.templateExpression(cond.left, loops, roles);
                this.templateExpression(cond.right, loops, roles);
                return;
            default:
                return;
        }
    }
}
