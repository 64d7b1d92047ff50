// Which new names a rename may give: identifiers the grammar reads back as the same name, not
// shadowing `event.`/`profile.` paths, and not clashing with a declaration of the same namespace.
import { AstUtils, GrammarAST, type AstNode } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import { isEvent, isField, isMessage, isRecordType, isRule, type Field } from '../../generated/ast.js';
import { derivedRuleName } from '../../services/name-provider.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keywordsOf(services: LangiumServices): { all: Set<string>; soft: Set<string> } {
    const keywords = (node: AstNode | undefined): Set<string> => new Set(node
        ? AstUtils.streamAst(node).filter(GrammarAST.isKeyword).map(k => k.value).filter(v => identifier.test(v)).toArray()
        : []);
    return { all: keywords(services.Grammar), soft: keywords(services.Grammar.rules.find(r => r.name === 'Name')) };
}

function siblingFields(field: Field): Field[] {
    const owner = field.$container;
    return (owner.$type === 'RecordType' ? owner.fields : owner.members.filter(isField)).filter(f => f !== field);
}

/** Why `newName` cannot be given to `target`, or undefined when it can. */
export function newNameProblem(services: LangiumServices, target: AstNode, newName: string): string | undefined {
    if (!identifier.test(newName)) return `'${newName}' is not a name: use letters, digits and _, not starting with a digit`;
    const keywords = keywordsOf(services);
    if (isRecordType(target) && keywords.all.has(newName)) return `'${newName}' is a keyword and cannot name a type`;
    if (keywords.all.has(newName) && !keywords.soft.has(newName)) return `'${newName}' is a keyword of the language`;
    const index = services.shared.workspace.IndexManager;
    const taken = (type: string) => index.allElements(type).some(d => d.name === newName && d.node !== target);
    if (isField(target)) {
        if (newName === 'event' || newName === 'profile') return `A field named '${newName}' would hide '${newName}.' paths; pick another name`;
        if (siblingFields(target).some(f => f.name === newName)) return `There already is a field '${newName}' here`;
    } else if (isEvent(target) || isRule(target)) {
        // Events and rules share one namespace: a trigger (`when x sent ...`) may name either.
        const rules = index.allElements('Rule').map(d => d.node).filter(isRule).filter(r => r !== target)
            .some(r => (r.name ?? derivedRuleName(r)) === newName);
        if (taken('Event') || rules) return `'${newName}' already names an event or a rule`;
    } else if (isRecordType(target)) {
        if (taken('RecordType')) return `There already is a type '${newName}'`;
    } else if (isMessage(target)) {
        const clash = index.allElements('Message').map(d => d.node).filter(isMessage)
            .some(m => m !== target && m.name === newName && m.channel === target.channel && m.event?.ref === target.event?.ref);
        if (clash) return `There already is a message '${newName}' for ${target.event?.$refText} ${target.channel}`;
    } else {
        return 'Only events, types, fields, messages and rules can be renamed';
    }
    return undefined;
}
