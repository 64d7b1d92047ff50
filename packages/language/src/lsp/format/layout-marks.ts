// What the layout needs to know about a parsed document beyond its tokens: where declarations,
// members and rule clauses start, which braces hold members, and which `<`/`>` are a list type's.
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type CstNode } from 'langium';
import { isDataObject, isEvent, isListType, isMessage, isPolicy, isProfile, isRecordType, isRule, isTest, type Model } from '../../generated/ast.js';

export interface RuleSpan {
    start: number;
    end: number;
    /** `followup name { ... }`: clauses sit in a block; a short rule's continuation lines are indented by 2. */
    long: boolean;
}

export interface LayoutMarks {
    /** Offsets of the first token of each top-level declaration. */
    declarationStarts: Set<number>;
    /** Offsets of the first token of each field, key or message part. */
    memberStarts: Set<number>;
    /** Offsets of `when`, `then` and each option of a rule. */
    clauseStarts: Set<number>;
    /** Offsets of `{` whose block holds members (events, the profile, types, messages): two spaces between members on one line. */
    memberBlocks: Set<number>;
    /** Offsets of the `<` and `>` of `list<T>`. */
    typeAngles: Set<number>;
    rules: RuleSpan[];
}

function firstToken(node: AstNode | CstNode | undefined): number | undefined {
    const cst = node && ('$cstNode' in node ? node.$cstNode : node as CstNode);
    if (!cst) return undefined;
    for (const leaf of CstUtils.flattenCst(cst)) if (!leaf.hidden) return leaf.offset;
    return undefined;
}

function addOffset(set: Set<number>, offset: number | undefined): void {
    if (offset !== undefined) set.add(offset);
}

export function layoutMarks(model: Model): LayoutMarks {
    const marks: LayoutMarks = {
        declarationStarts: new Set(), memberStarts: new Set(), clauseStarts: new Set(), memberBlocks: new Set(), typeAngles: new Set(), rules: [],
    };
    for (const declaration of model.declarations) {
        const start = firstToken(declaration);
        addOffset(marks.declarationStarts, start);
        const members: AstNode[] = isEvent(declaration) || isProfile(declaration) ? declaration.members
            : isRecordType(declaration) ? declaration.fields
                : isMessage(declaration) ? declaration.parts
                    : isPolicy(declaration) ? declaration.options
                        : isTest(declaration) ? declaration.steps : [];
        for (const member of members) addOffset(marks.memberStarts, firstToken(member));
        if (!isRule(declaration)) {
            addOffset(marks.memberBlocks, GrammarUtils.findNodeForKeyword(declaration.$cstNode, '{')?.offset);
            continue;
        }
        const cst = declaration.$cstNode;
        addOffset(marks.clauseStarts, GrammarUtils.findNodeForKeyword(cst, 'when')?.offset);
        addOffset(marks.clauseStarts, GrammarUtils.findNodeForKeyword(cst, 'then')?.offset);
        for (const option of declaration.options) addOffset(marks.clauseStarts, firstToken(option));
        if (start !== undefined && cst) marks.rules.push({ start, end: cst.end, long: declaration.name !== undefined });
    }
    // A test's data objects are blocks of members, like an event's declaration.
    for (const data of AstUtils.streamAst(model).filter(isDataObject)) {
        addOffset(marks.memberBlocks, firstToken(data));
        for (const entry of data.entries) addOffset(marks.memberStarts, firstToken(entry));
    }
    for (const list of AstUtils.streamAst(model).filter(isListType)) {
        addOffset(marks.typeAngles, GrammarUtils.findNodeForKeyword(list.$cstNode, '<')?.offset);
        addOffset(marks.typeAngles, GrammarUtils.findNodeForKeyword(list.$cstNode, '>')?.offset);
    }
    return marks;
}
