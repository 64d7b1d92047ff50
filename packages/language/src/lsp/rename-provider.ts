// Rename of events, types, fields, messages and rules, consistent across files: declarations,
// cross-references, field names inside `{{ }}` (inline and in template files), and the derived
// names of short rules (`<trigger>_<message>_<channel>`) that chained triggers use. Renaming a short
// rule gives it the long form `followup <name> { ... }`: a derived name cannot be chosen.
import { AstUtils, URI, type AstNode, type LangiumDocument } from 'langium';
import type { LangiumServices, RenameProvider } from 'langium/lsp';
import {
    ErrorCodes, ResponseError, type CancellationToken, type PrepareRenameParams, type Range, type RenameParams,
    type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import { isEvent, isField, isMessage, isModel, isRule, type Field, type Rule } from '../generated/ast.js';
import { derivedRuleName } from '../services/name-provider.js';
import { newNameProblem } from './navigation/new-names.js';
import { occurrencesOf } from './navigation/occurrences.js';
import { symbolAt } from './navigation/symbol-at.js';
import { templateFieldReferences, templateReferencesTo } from './navigation/template-references.js';

function nameOf(node: AstNode): string | undefined {
    if (isRule(node)) return node.name ?? derivedRuleName(node);
    return (node as { name?: unknown }).name as string | undefined;
}

/**
 * The short rules whose derived name changes when `renamed` get their names, as new names by rule
 * (a chained short rule's name contains its trigger's name, so this follows chains).
 */
export function derivedNameChanges(services: LangiumServices, renamed: Map<AstNode, string>): Map<Rule, string> {
    const shortRules = services.shared.workspace.LangiumDocuments.all
        .flatMap(d => isModel(d.parseResult.value) ? d.parseResult.value.declarations.filter(isRule) : [])
        .filter(r => !r.name)
        .toArray();
    const changes = new Map<Rule, string>();
    const newName = (node: AstNode | undefined, text: string) => (node && (renamed.get(node) ?? (isRule(node) ? changes.get(node) : undefined))) ?? text;
    for (let changed = true; changed;) {
        changed = false;
        for (const rule of shortRules) {
            if (renamed.has(rule)) continue;
            const name = `${newName(rule.trigger?.source?.ref, rule.trigger?.source?.$refText ?? '')}_${newName(rule.action?.message?.ref, rule.action?.message?.$refText ?? '')}_${rule.action?.channel ?? ''}`;
            if (name !== derivedRuleName(rule) && changes.get(rule) !== name) {
                changes.set(rule, name);
                changed = true;
            }
        }
    }
    return changes;
}

/** `when ... then ...` → `followup <name> {\n  when ... then ...\n}`. */
function longFormEdit(rule: Rule, name: string): TextEdit | undefined {
    const cst = rule.$cstNode;
    if (!cst) return undefined;
    const body = cst.text.split('\n').map(line => (line.trim() ? `  ${line}` : line)).join('\n');
    return { range: cst.range, newText: `followup ${name} {\n${body}\n}` };
}

export class FollowupRenameProvider implements RenameProvider {
    constructor(private readonly services: LangiumServices) {}

    prepareRename(document: LangiumDocument, params: PrepareRenameParams, _token?: CancellationToken): Range | undefined {
        const symbol = symbolAt(this.services, document, document.textDocument.offsetAt(params.position));
        if (!symbol) return undefined;
        const problem = this.notRenameable(document, symbol.target, symbol.range);
        if (problem) throw new ResponseError(ErrorCodes.InvalidRequest, problem);
        const name = nameOf(symbol.target);
        if (name === undefined || this.namesIt(document.textDocument.getText(symbol.range), name)) return symbol.range;
        // On a short rule's body (`when`): the editor should offer its derived name, not the word.
        // LSP allows { range, placeholder }; Langium's type says Range only.
        return { range: symbol.range, placeholder: name } as unknown as Range;
    }

    rename(document: LangiumDocument, params: RenameParams, _token?: CancellationToken): WorkspaceEdit | undefined {
        const symbol = symbolAt(this.services, document, document.textDocument.offsetAt(params.position));
        if (!symbol) return undefined;
        const problem = this.notRenameable(document, symbol.target, symbol.range) ?? newNameProblem(this.services, symbol.target, params.newName);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
        return this.renameEdit(symbol.target, params.newName);
    }

    /** The edit that renames `target` to `newName` everywhere. */
    renameEdit(target: AstNode, newName: string): WorkspaceEdit {
        if (isField(target)) this.refuseSharedTemplateNames(target);
        const changes: Record<string, TextEdit[]> = {};
        const add = (uri: string, edit: TextEdit) => {
            const list = changes[uri] ??= [];
            const same = list.some(e => e.range.start.line === edit.range.start.line && e.range.start.character === edit.range.start.character);
            if (!same) list.push(edit);
        };
        const replaceUses = (node: AstNode, name: string, includeDeclaration: boolean) => {
            const oldName = nameOf(node);
            for (const location of occurrencesOf(this.services, node, includeDeclaration)) {
                // `event.x` refers to the rule's event by the word `event`: that word stays.
                const text = this.textAt(location.uri, location.range);
                if (text !== undefined && !this.namesIt(text, oldName)) continue;
                add(location.uri, { range: location.range, newText: name });
            }
        };
        if (isRule(target) && !target.name) {
            const wrap = longFormEdit(target, newName);
            if (wrap) add(AstUtils.getDocument(target).uri.toString(), wrap);
            replaceUses(target, newName, false);
        } else {
            replaceUses(target, newName, true);
        }
        if (isEvent(target) || isMessage(target) || isRule(target)) {
            for (const [rule, name] of derivedNameChanges(this.services, new Map([[target, newName]]))) replaceUses(rule, name, false);
        }
        return { changes };
    }

    /**
     * A template file used by messages of two events names a field of each with one `{{ name }}`:
     * renaming one field would break the other message.
     */
    private refuseSharedTemplateNames(field: Field): void {
        const ours = templateReferencesTo(this.services.shared, field).filter(r => r.from.fileDocument);
        const files = new Set(ours.map(r => r.location.uri));
        const other = files.size === 0 ? undefined : templateFieldReferences(this.services.shared, (_, uri) => files.has(uri))
            .find(r => r.field !== field && ours.some(o => o.location.uri === r.location.uri && o.start === r.start));
        if (!other) return;
        const file = URI.parse(other.location.uri).path.split('/').slice(-2).join('/');
        throw new ResponseError(ErrorCodes.InvalidRequest,
            `${file} is also used by message '${other.from.message.name}' for ${other.from.message.event.$refText}, where '${field.name}' is that event's own field: ` +
            'renaming this one would break that message');
    }

    private namesIt(text: string, name: string | undefined): boolean {
        return text === name || text === `\`${name}\``;
    }

    /** The text of a range in a .followup document; undefined for other files (template names are always the field's). */
    private textAt(uri: string, range: Range): string | undefined {
        const document = this.services.shared.workspace.LangiumDocuments.all.find(d => d.uri.toString() === uri);
        return document?.textDocument.getText(range);
    }

    private notRenameable(document: LangiumDocument, target: AstNode, range: Range): string | undefined {
        if (target.$type === 'Profile') return 'The profile has no name to rename';
        const text = document.textDocument.getText(range);
        const name = nameOf(target);
        if (isRule(target) && !target.name) return undefined; // a short rule: from its body or a chained trigger
        if (!this.namesIt(text, name)) {
            return `'${text}' stands for the rule's ${target.$type.toLowerCase()}; rename '${name}' where it is declared or named`;
        }
        return undefined;
    }
}
