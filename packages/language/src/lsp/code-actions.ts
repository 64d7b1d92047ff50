// Quick fixes for the checker's diagnostics: "did you mean" (unknown fields, events, types,
// messages, filters: the checker's own suggestion), "create message <name> for <event> <channel>"
// when `send` names a missing message, and "add field <x> to event <E>" for an unknown field, typed
// from how it is used.
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { CodeActionProvider, LangiumServices } from 'langium/lsp';
import type { CancellationToken, CodeAction, CodeActionParams, Command, Diagnostic, TextEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import {
    isComparison, isCountCall, isEvent, isField, isMessage, isNumberLiteral, isPathSegment, isProfile, isRecordType,
    isSendAction, isStringLiteral, isBooleanLiteral, type Event, type Literal, type Message, type PathSegment, type Profile,
    type RecordType, type SendAction,
} from '../generated/ast.js';
import { DiagnosticCode } from '../check/codes.js';
import { containingRule, ruleEvent } from '../model/schema.js';
import type { FollowupScopeProvider } from '../services/scope-provider.js';
import { goalActions } from './goal-actions.js';

type FieldOwner = Event | Profile | RecordType;

interface DiagnosticData {
    hint?: string;
    candidates?: string[];
}

/** The checker's suggestion: `candidates` on linking errors, the hint's `Did you mean 'x'?` on template errors. */
export function suggestions(diagnostic: Diagnostic): string[] {
    const data = (diagnostic.data ?? {}) as DiagnosticData;
    if (data.candidates?.length) return data.candidates;
    const guess = /Did you mean '([^']+)'\?/.exec(data.hint ?? '')?.[1];
    return guess ? [guess] : [];
}

/** A type for a new field, guessed from the comparison it appears in. */
export function guessFieldType(segment: PathSegment): string {
    const path = segment.$container;
    if (path.segments[path.segments.length - 1] !== segment) return 'string';
    const operand = path.$container;
    if (isCountCall(operand)) return 'list<string>';
    if (!isComparison(operand)) return 'string';
    const literal: Literal | undefined = operand.right ?? operand.values[0];
    if (isNumberLiteral(literal)) return Number.isInteger(literal.value) && !(literal.$cstNode?.text ?? '').includes('.') ? 'int' : 'decimal';
    if (isBooleanLiteral(literal)) return 'boolean';
    if (isStringLiteral(literal)) return 'string';
    return 'string';
}

const messageSkeletons: Record<string, string[]> = {
    email: ['subject: "TODO: subject"', 'text: """', '  TODO: text', '"""'],
    sms: ['text: "TODO: text"'],
    push: ['title: "TODO: title"', 'text: "TODO: text"'],
};

export class FollowupCodeActionProvider implements CodeActionProvider {
    constructor(private readonly services: LangiumServices) {}

    private get scopes(): FollowupScopeProvider {
        return this.services.references.ScopeProvider as FollowupScopeProvider;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams, _token?: CancellationToken): MaybePromise<Array<Command | CodeAction>> {
        const actions: CodeAction[] = [];
        for (const diagnostic of params.context.diagnostics) {
            switch (diagnostic.code) {
                case DiagnosticCode.UnknownField:
                    actions.push(...this.didYouMean(document, diagnostic), ...this.addField(document, diagnostic));
                    break;
                case DiagnosticCode.UnknownEvent:
                case DiagnosticCode.UnknownRuleOrEvent:
                case DiagnosticCode.UnknownType:
                case DiagnosticCode.UnknownFilter:
                case DiagnosticCode.GoalValueNotNumeric:
                    actions.push(...this.didYouMean(document, diagnostic));
                    break;
                case DiagnosticCode.GoalScope:
                case DiagnosticCode.HoldoutShare:
                    actions.push(...goalActions(document, diagnostic));
                    break;
                case DiagnosticCode.UnknownMessage:
                    actions.push(...this.didYouMean(document, diagnostic), ...this.createMessage(document, diagnostic));
                    break;
                case DiagnosticCode.MissingMessage:
                    actions.push(...this.createMessage(document, diagnostic));
                    break;
            }
        }
        return actions;
    }

    private nodeAt(document: LangiumDocument, diagnostic: Diagnostic): AstNode | undefined {
        const root = document.parseResult.value.$cstNode;
        return root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start))?.astNode;
    }

    private didYouMean(document: LangiumDocument | string, diagnostic: Diagnostic): CodeAction[] {
        const uri = typeof document === 'string' ? document : document.uri.toString();
        return suggestions(diagnostic).map(name => ({
            title: `Change to '${name}'`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: true,
            edit: { changes: { [uri]: [{ range: diagnostic.range, newText: name }] } },
        }));
    }

    /**
     * Quick fixes for a template file's diagnostics (the server publishes them for that file):
     * did you mean, and add the field to the owner named in "Unknown field 'x' on <owner> ['<event>'] (in <message> for <event> ...)".
     */
    templateFileActions(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
        const actions: CodeAction[] = [];
        for (const diagnostic of diagnostics) {
            if (diagnostic.code !== DiagnosticCode.UnknownField && diagnostic.code !== DiagnosticCode.UnknownFilter) continue;
            actions.push(...this.didYouMean(uri, diagnostic));
            const unknown = /^Unknown field '([A-Za-z_][A-Za-z0-9_]*)' on (\S+)(?: '[^']+')? \(in \S+ for (\S+) \S+, \w+\)$/.exec(diagnostic.message);
            if (diagnostic.code !== DiagnosticCode.UnknownField || !unknown) continue;
            const [, name, ownerName, eventName] = unknown;
            const index = this.services.shared.workspace.IndexManager;
            const owner: FieldOwner | undefined = ownerName === 'event'
                ? index.allElements('Event').map(d => d.node).filter(isEvent).find(e => e.name === eventName)
                : ownerName === 'profile' ? this.scopes.profile()
                    : index.allElements('RecordType').map(d => d.node).filter(isRecordType).find(t => t.name === ownerName);
            const edit = owner && this.fieldInsertion(owner, `${name}: string`);
            if (owner && edit) actions.push(this.addFieldAction(owner, `${name}: string`, edit, diagnostic));
        }
        return actions;
    }

    private addFieldAction(owner: FieldOwner, member: string, edit: TextEdit, diagnostic: Diagnostic): CodeAction {
        const ownerName = isEvent(owner) ? `event '${owner.name}'` : isProfile(owner) ? 'the profile' : `type '${owner.name}'`;
        return {
            title: `Add field '${member}' to ${ownerName}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            edit: { changes: { [AstUtils.getDocument(owner).uri.toString()]: [edit] } },
        };
    }

    // ---------------------------------------------------------------- add a field

    private addField(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
        const name = document.textDocument.getText(diagnostic.range).replace(/^`|`$/g, '');
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [];
        const node = this.nodeAt(document, diagnostic);
        let owner: FieldOwner | undefined;
        let type = 'string';
        if (isPathSegment(node)) {
            owner = this.segmentOwner(node);
            type = guessFieldType(node);
        } else {
            const message = node && AstUtils.getContainerOfType(node, isMessage);
            if (message) owner = this.templateOwner(message, diagnostic.message);
        }
        if (!owner) return [];
        const edit = this.fieldInsertion(owner, `${name}: ${type}`);
        return edit ? [this.addFieldAction(owner, `${name}: ${type}`, edit, diagnostic)] : [];
    }

    /** Where the segment's field was looked for: the rule's event, the profile, or the previous field's record type. */
    private segmentOwner(segment: PathSegment): FieldOwner | undefined {
        const path = segment.$container;
        const index = path.segments.indexOf(segment);
        if (index === 0) {
            const rule = containingRule(path);
            return rule && ruleEvent(rule);
        }
        const previous = path.segments[index - 1]?.field?.ref;
        if (isEvent(previous) || isProfile(previous)) return previous;
        if (!isField(previous)) return undefined;
        const type = previous.type?.$type === 'ListType' ? previous.type.element : previous.type;
        return type?.$type === 'RecordTypeRef' ? type.record?.ref : undefined;
    }

    /** A template's "Unknown field 'x' on <owner>" (`event 'name'` for the event): the message's event, the profile, or a record type. */
    private templateOwner(message: Message, text: string): FieldOwner | undefined {
        const owner = /^Unknown field '[^']+' on (\S+)(?: '[^']+')?$/.exec(text)?.[1];
        if (owner === 'event') return message.event?.ref;
        if (owner === 'profile') return this.scopes.profile();
        if (!owner) return undefined;
        return this.services.shared.workspace.IndexManager.allElements('RecordType').map(d => d.node).filter(isRecordType).find(t => t.name === owner);
    }

    /** A new member line before the owner's closing brace, indented like its fields. */
    private fieldInsertion(owner: FieldOwner, member: string): TextEdit | undefined {
        const close = GrammarUtils.findNodeForKeyword(owner.$cstNode, '}');
        const open = GrammarUtils.findNodeForKeyword(owner.$cstNode, '{');
        if (!close || !open) return undefined;
        const fields = isRecordType(owner) ? owner.fields : owner.members;
        const last = fields[fields.length - 1]?.$cstNode;
        if (open.range.start.line === close.range.start.line) {
            return { range: { start: close.range.start, end: close.range.start }, newText: ` ${member} ` };
        }
        const indent = last ? ' '.repeat(last.range.start.character) : '  ';
        const at = { line: close.range.start.line, character: 0 };
        const closeIndent = close.range.start.character;
        // `}` alone on its line: a new line before it; otherwise break the line before `}`.
        const before = AstUtils.getDocument(owner).textDocument.getText({ start: at, end: close.range.start });
        return before.trim() === ''
            ? { range: { start: at, end: at }, newText: `${indent}${member}\n` }
            : { range: { start: close.range.start, end: close.range.start }, newText: `\n${indent}${member}\n${' '.repeat(closeIndent)}` };
    }

    // ---------------------------------------------------------------- create a message

    private createMessage(document: LangiumDocument, diagnostic: Diagnostic): CodeAction[] {
        const node = this.nodeAt(document, diagnostic);
        const action = AstUtils.getContainerOfType(node, isSendAction) as SendAction | undefined;
        const rule = action && containingRule(action);
        const event = rule && ruleEvent(rule);
        if (!action || !event || !action.channel) return [];
        const name = action.message?.$refText;
        if (!name || !/^[A-Za-z_`][A-Za-z0-9_`]*$/.test(name)) return [];
        // Next to the event's other messages, else in this file.
        const home = this.scopes.allMessages().find(m => m.event?.ref === event);
        const target = home ? AstUtils.getDocument(home) : document;
        const text = target.textDocument.getText();
        const end = target.textDocument.positionAt(text.length);
        const lines = [`message ${name} for ${event.name} ${action.channel} {`, ...(messageSkeletons[action.channel] ?? []).map(l => `  ${l}`), '}'];
        const lead = text.length === 0 ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
        return [{
            title: `Create message '${name}' for ${event.name} ${action.channel}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            edit: { changes: { [target.uri.toString()]: [{ range: { start: end, end }, newText: `${lead}${lines.join('\n')}\n` }] } },
        }];
    }
}
