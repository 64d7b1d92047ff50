// Types of comparisons, and conditions that contradict each other or can never hold.
import type { ValidationAcceptor } from 'langium';
import {
    isBoolean, isList, isNumeric, isTemporal, isTextual, primitive, typeToString, unknownType, type FuType,
} from '@followup/template';
import {
    isAndCondition, isBooleanLiteral, type Engagement, isComparison, isCountCall, isEngagement, isNotCondition, isNumberLiteral, isSinceCondition,
    isStringLiteral, type Comparison, type Condition, type CountCall, type Literal, type Operand, type Path, type Rule
} from '../generated/ast.js';
import { pathRoot, pathText, pathType, segmentField } from '../model/paths.js';
import { containingRule, ruleEvent } from '../model/schema.js';
import { DiagnosticCode } from './codes.js';
import { report } from './report.js';

export function operandType(operand: Operand): FuType {
    if (isCountCall(operand)) return primitive('int');
    return pathType(operand).type;
}

function operandText(operand: Operand): string {
    return isCountCall(operand) ? `count(${pathText(operand.path)})` : pathText(operand);
}

function literalDescription(literal: Literal): string {
    if (isStringLiteral(literal)) return `the text ${JSON.stringify(literal.value)}`;
    if (isNumberLiteral(literal)) return `the number ${literal.value}`;
    return `the boolean ${isBooleanLiteral(literal) && literal.value}`;
}

/** Can a value of `type` be compared with this literal? Returns why not, or undefined. */
function literalMismatch(type: FuType, literal: Literal): string | undefined {
    if (type.kind === 'unknown') return undefined;
    if (isTextual(type)) return isStringLiteral(literal) ? undefined : 'expects text';
    if (isNumeric(type)) {
        if (!isNumberLiteral(literal)) return 'expects a number';
        if (type.kind === 'primitive' && type.name === 'int' && !Number.isInteger(literal.value)) return 'is a whole number';
        return undefined;
    }
    if (isBoolean(type)) return isBooleanLiteral(literal) ? undefined : 'expects true or false';
    if (isTemporal(type)) {
        if (!isStringLiteral(literal)) return 'expects a date or timestamp in quotes ("2026-11-20" or "2026-11-20T10:00:00Z")';
        const date = /^\d{4}-\d{2}-\d{2}$/;
        const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
        const shapeOk = date.test(literal.value) || (type.kind === 'primitive' && type.name === 'timestamp' && timestamp.test(literal.value));
        if (!shapeOk || Number.isNaN(Date.parse(literal.value))) {
            return type.kind === 'primitive' && type.name === 'date'
                ? 'expects a date written "2026-11-20"'
                : 'expects a timestamp with its zone, "2026-11-20T10:00:00Z", or a date "2026-11-20" (midnight UTC)';
        }
        return undefined;
    }
    return 'cannot be compared with a single value';
}

export class ConditionChecks {
    /** `profile.x` reads the profile joined to the event, which only events `targeting profile` have. */
    checkPath = (path: Path, accept: ValidationAcceptor): void => {
        if (pathRoot(path) !== 'profile') return;
        const rule = containingRule(path);
        const event = rule && ruleEvent(rule);
        if (event && !event.targetsProfile) {
            report(accept, 'error', DiagnosticCode.NotTargetingProfile, `Event '${event.name}' does not target the profile, so 'profile' has no value here`,
                { node: path.segments[0]! }, `Declare it as: event ${event.name} targeting profile { ... }`);
        }
    };

    checkComparison = (c: Comparison, accept: ValidationAcceptor): void => {
        if (isCountCall(c.left)) this.checkCount(c.left, accept);
        else this.checkPathShape(c.left, accept);
        const type = operandType(c.left);
        if (type.kind === 'unknown') return;
        const subject = `'${operandText(c.left)}' is ${typeToString(type)}`;
        const opFits = (why: string) => report(accept, 'error', DiagnosticCode.OperatorDoesNotFit,
            `Operator '${c.op === 'starts' ? 'starts with' : c.op}' does not fit: ${subject}`, { node: c, property: 'op' }, why);
        switch (c.op) {
            case '<': case '<=': case '>': case '>=':
                if (!isNumeric(type) && !isTemporal(type)) return opFits('Ordering applies to numbers, dates and timestamps');
                break;
            case '=': case '!=': case 'in':
                if (isList(type) || type.kind === 'record') return opFits(isList(type) ? `Compare count(${operandText(c.left)}), or use 'contains' or 'is empty'` : 'Compare one of its fields');
                break;
            case 'contains':
                if (!isTextual(type) && !(isList(type) && (isTextual(type.element) || isNumeric(type.element)))) {
                    return opFits("'contains' applies to text and to lists of text or numbers");
                }
                break;
            case 'starts':
                if (!isTextual(type)) return opFits("'starts with' applies to text");
                break;
            case 'is':
                if (!isTextual(type) && !isList(type) && !this.isOptional(c.left)) {
                    return opFits("'is empty' applies to text, lists and optional fields");
                }
                return;
        }
        const elementType = c.op === 'contains' && isList(type) ? type.element : type;
        const literals = c.op === 'in' ? c.values : c.right ? [c.right] : [];
        for (const literal of literals) {
            const why = literalMismatch(elementType, literal);
            if (why) {
                report(accept, 'error', DiagnosticCode.IncompatibleComparison,
                    `Cannot compare '${operandText(c.left)}' (${typeToString(elementType)}) with ${literalDescription(literal)}`,
                    { node: literal }, `'${operandText(c.left)}' ${why}`);
            }
        }
    };

    private isOptional(operand: Operand): boolean {
        return !isCountCall(operand) && operand.segments.some(s => segmentField(s)?.optional);
    }

    private checkCount(count: CountCall, accept: ValidationAcceptor): void {
        this.checkPathShape(count.path, accept);
        const { type } = pathType(count.path);
        if (type.kind !== 'unknown' && !isList(type)) {
            report(accept, 'error', DiagnosticCode.NotAList, `count() needs a list, but '${pathText(count.path)}' is ${typeToString(type)}`,
                { node: count, property: 'path' });
        }
    }

    private checkPathShape(path: Path, accept: ValidationAcceptor): void {
        for (const problem of pathType(path).problems) {
            const segment = path.segments[problem.segmentIndex]!;
            if (problem.kind === 'index-not-list') {
                report(accept, 'error', DiagnosticCode.NotAList, `'${problem.fieldName}' is not a list and cannot be indexed`, { node: segment, property: 'index' });
            } else {
                report(accept, 'error', DiagnosticCode.NotAList, `'${problem.fieldName}' is a list: pick an element`,
                    { node: segment }, `Write ${problem.fieldName}[0]... or use count(${problem.fieldName})`);
            }
        }
    }

    /** Conjuncts of the rule's condition that contradict each other (`opened and not opened`) or can never hold. */
    checkRuleConditions = (rule: Rule, accept: ValidationAcceptor): void => {
        if (!rule.condition) return;
        const conjuncts: { node: Condition; positive: boolean; atom: Condition }[] = [];
        const collect = (c: Condition): void => {
            if (isAndCondition(c)) { collect(c.left); collect(c.right); return; }
            if (isNotCondition(c) && !isNotCondition(c.operand) && !isAndCondition(c.operand)) {
                conjuncts.push({ node: c, positive: false, atom: c.operand });
                return;
            }
            conjuncts.push({ node: c, positive: true, atom: c });
        };
        collect(rule.condition);
        this.checkEngagementContradictions(conjuncts, accept);
        this.checkValueRanges(conjuncts.filter(c => c.positive).map(c => c.atom).filter(isComparison), accept);
    };

    private checkEngagementContradictions(conjuncts: { node: Condition; positive: boolean; atom: Condition }[], accept: ValidationAcceptor): void {
        const signature = (atom: Condition): string | undefined => {
            if (isEngagement(atom)) return `${atom.kind}${atom.byPerson ? ' by a person' : ''}${atom.link !== undefined ? ` link ${JSON.stringify(atom.link)}` : ''}`;
            if (isSinceCondition(atom)) return `${atom.event?.$refText}${atom.same.length ? ` with same ${atom.same.map(f => f.$refText).join(', ')}` : ''} since sent`;
            if (isComparison(atom)) return atom.$cstNode?.text.replace(/\s+/g, ' ');
            return undefined;
        };
        const seen = new Map<string, boolean>();
        for (const c of conjuncts) {
            const sig = signature(c.atom);
            if (!sig) continue;
            if (seen.get(sig) === !c.positive) {
                report(accept, 'warning', DiagnosticCode.Contradiction, `Contradiction: '${sig}' and 'not ${sig}' can never both hold`,
                    { node: c.node }, 'Remove one of them');
            }
            seen.set(sig, c.positive);
        }
        const has = (positive: boolean, test: (a: Condition) => boolean) => conjuncts.find(c => c.positive === positive && test(c.atom));
        const clicked = has(true, a => isEngagement(a) && a.kind === 'clicked');
        // A click is an open by a person, so it satisfies `opened` and `opened by a person` alike.
        const notOpened = has(false, a => isEngagement(a) && a.kind === 'opened');
        if (clicked && notOpened) {
            const written = (notOpened.atom as Engagement).byPerson ? 'not opened by a person' : 'not opened';
            report(accept, 'warning', DiagnosticCode.NeverHolds, `Never holds: a click counts as an open, so 'clicked and ${written}' selects nobody`,
                { node: notOpened.node }, `Drop '${written}'`);
        }
        const openedByPerson = has(true, a => isEngagement(a) && a.kind === 'opened' && a.byPerson);
        const notOpenedAtAll = has(false, a => isEngagement(a) && a.kind === 'opened' && !a.byPerson && a.link === undefined);
        if (openedByPerson && notOpenedAtAll) {
            report(accept, 'warning', DiagnosticCode.NeverHolds, "Never holds: an open by a person is an open, so 'opened by a person and not opened' selects nobody",
                { node: notOpenedAtAll.node }, "Drop one of them");
        }
        const clickedLink = has(true, a => isEngagement(a) && a.kind === 'clicked' && a.link !== undefined);
        const notClicked = has(false, a => isEngagement(a) && a.kind === 'clicked' && a.link === undefined);
        if (clickedLink && notClicked) {
            report(accept, 'warning', DiagnosticCode.NeverHolds, "Never holds: clicking a link is a click, so 'not clicked' excludes it",
                { node: notClicked.node });
        }
    }

    /** Numeric bounds and equalities on the same value that leave nothing (`cartTotal > 100 and cartTotal < 50`). */
    private checkValueRanges(comparisons: Comparison[], accept: ValidationAcceptor): void {
        const byValue = new Map<string, { low: number; lowIncl: boolean; high: number; highIncl: boolean; eq?: unknown; eqSet: boolean }>();
        for (const c of comparisons) {
            const key = operandText(c.left);
            const type = operandType(c.left);
            const state = byValue.get(key) ?? { low: isCountCall(c.left) ? 0 : -Infinity, lowIncl: true, high: Infinity, highIncl: true, eqSet: false };
            byValue.set(key, state);
            const value = c.right && (isNumberLiteral(c.right) || isStringLiteral(c.right) || isBooleanLiteral(c.right)) ? c.right.value : undefined;
            let impossible = false;
            if (c.op === '=' && value !== undefined) {
                if (state.eqSet && state.eq !== value) impossible = true;
                state.eq = value; state.eqSet = true;
                if (typeof value === 'number') {
                    if (value < state.low || (value === state.low && !state.lowIncl) || value > state.high || (value === state.high && !state.highIncl)) impossible = true;
                }
            } else if (typeof value === 'number' && (isNumeric(type) || type === unknownType)) {
                if (c.op === '>' || c.op === '>=') {
                    if (value > state.low || (value === state.low && c.op === '>')) { state.low = value; state.lowIncl = c.op === '>='; }
                } else if (c.op === '<' || c.op === '<=') {
                    if (value < state.high || (value === state.high && c.op === '<')) { state.high = value; state.highIncl = c.op === '<='; }
                }
                const empty = state.low > state.high || (state.low === state.high && !(state.lowIncl && state.highIncl));
                const eqOut = state.eqSet && typeof state.eq === 'number' &&
                    (state.eq < state.low || state.eq > state.high || (state.eq === state.low && !state.lowIncl) || (state.eq === state.high && !state.highIncl));
                impossible = empty || eqOut;
            }
            if (impossible) {
                report(accept, 'warning', DiagnosticCode.NeverHolds, `Never holds: no value of '${key}' satisfies all of its conditions`,
                    { node: c }, 'Check the bounds');
            }
        }
    }
}
