// The static side of the filters: what each accepts, what it returns, and the diagnostics for
// misuse. The runtime side is in filters.ts.

import { type FuType, isList, isNumeric, isTemporal, isTextual, primitive, typeToString, unknownType } from './fu-type.js';
import type { FilterExpr, Operand } from './ast.js';
import { suspiciousDateTokens } from './date-format.js';
import { errorAt, TemplateCodes, type TemplateDiagnostic, warningAt } from './diagnostics.js';
import { isKnown, isScalar, valueClass } from './type-rules.js';

export interface TypedArg {
    expr: Operand;
    type: FuType;
    /** The argument as written. */
    text: string;
}

export interface FilterUse {
    call: FilterExpr;
    input: FuType;
    /** The filtered expression as written, for messages. */
    inputText: string;
    args: TypedArg[];
    report(diagnostic: TemplateDiagnostic): void;
}

interface FilterSignature {
    /** The type of the filtered value. */
    result(input: FuType): FuType;
    check(use: FilterUse): void;
}

const stringType = primitive('string');

// ---------------------------------------------------------------- shared checks

function expectInput(use: FilterUse, accepts: (t: FuType) => boolean, expected: string): void {
    if (!isKnown(use.input) || accepts(use.input)) return;
    const { call } = use;
    use.report(errorAt(TemplateCodes.filterType, call.nameStart, call.nameEnd,
        `Filter '${call.name}' expects ${expected}, but '${use.inputText}' is ${typeToString(use.input)}`,
        isList(use.input) ? `Use {{#each ${use.inputText} as item}} to work on each element` : undefined));
}

/** Checks the argument count; true when it is right (so argument types can be checked). */
function expectArgCount(use: FilterUse, count: number, what: string): boolean {
    const { call, args } = use;
    if (args.length === count) return true;
    const message = count === 0
        ? `Filter '${call.name}' takes no arguments`
        : `Filter '${call.name}' takes ${count} argument${count > 1 ? 's' : ''} (${what}), but got ${args.length}`;
    use.report(errorAt(TemplateCodes.filterArguments, call.nameStart, call.end, message,
        count === 0 ? `Write '| ${call.name}'` : `Write '| ${call.name}(${what === 'a format' ? "'yyyy-MM-dd'" : '...'})'`));
    return false;
}

function badArg(use: FilterUse, arg: TypedArg, message: string, hint?: string): void {
    use.report(errorAt(TemplateCodes.filterArguments, arg.expr.start, arg.expr.end, message, hint));
}

const noArgs = (use: FilterUse): void => {
    expectArgCount(use, 0, '');
};

const textual = (use: FilterUse): void => {
    noArgs(use);
    expectInput(use, isTextual, 'a string');
};

// ---------------------------------------------------------------- the filters

const signatures: Record<string, FilterSignature> = {
    upper: { result: () => stringType, check: textual },
    lower: { result: () => stringType, check: textual },
    trim: { result: () => stringType, check: textual },

    default: {
        result: input => (isScalar(input) ? input : unknownType),
        check(use) {
            expectInput(use, isScalar, 'a single value (not a list or record)');
            if (!expectArgCount(use, 1, 'the value to use when missing')) return;
            const arg = use.args[0]!;
            if (arg.expr.kind !== 'path' && arg.expr.kind !== 'string' && arg.expr.kind !== 'number' && arg.expr.kind !== 'boolean') {
                badArg(use, arg, `Filter 'default' expects a literal or a field, but got '${arg.text}'`);
                return;
            }
            if (!isKnown(use.input) || !isKnown(arg.type) || !isScalar(use.input)) return;
            const wanted = valueClass(use.input);
            const given = valueClass(arg.type);
            // A missing date may be replaced by a date string or by a text such as 'soon'.
            const textForDate = wanted === 'time' && arg.expr.kind === 'string';
            if (wanted === given || textForDate) return;
            badArg(use, arg,
                `Filter 'default' needs a ${describeClass(wanted)} for ${typeToString(use.input)} '${use.inputText}', but '${arg.text}' is ${typeToString(arg.type)}`);
        },
    },

    count: {
        result: () => primitive('int'),
        check(use) {
            noArgs(use);
            expectInput(use, isList, 'a list');
        },
    },

    truncate: {
        result: () => stringType,
        check(use) {
            expectInput(use, isTextual, 'a string');
            if (!expectArgCount(use, 1, 'the maximum length')) return;
            const arg = use.args[0]!;
            if (arg.expr.kind !== 'number' || !Number.isInteger(arg.expr.value) || arg.expr.value <= 0) {
                badArg(use, arg, `Filter 'truncate' expects a positive whole number, but got '${arg.text}'`, 'For example truncate(40)');
            }
        },
    },

    date: {
        result: () => stringType,
        check(use) {
            expectInput(use, isTemporal, 'a timestamp or date');
            if (!expectArgCount(use, 1, 'a format')) return;
            const arg = use.args[0]!;
            if (arg.expr.kind !== 'string') {
                badArg(use, arg, `Filter 'date' expects a format string, but got '${arg.text}'`, "For example date('yyyy-MM-dd HH:mm')");
                return;
            }
            for (const bad of suspiciousDateTokens(arg.expr.value)) {
                use.report(warningAt(TemplateCodes.filterArguments, arg.expr.start, arg.expr.end,
                    `'${bad.text}' is not a date format token and is printed as is`,
                    'Tokens: yyyy (year), MM (month), dd (day), HH (hour), mm (minute), ss (second)'));
            }
        },
    },

    money: {
        result: () => stringType,
        check(use) {
            expectInput(use, isNumeric, 'an int or decimal');
            if (!expectArgCount(use, 1, 'the currency')) return;
            const arg = use.args[0]!;
            if (arg.expr.kind === 'string') {
                const code = arg.expr.value;
                if (!/^[A-Za-z]{3}$/.test(code)) {
                    badArg(use, arg, `'${code}' is not a currency code`, "Use a 3-letter ISO 4217 code such as 'EUR' or 'USD'");
                } else if (knownCurrencies()?.has(code.toUpperCase()) === false) {
                    use.report(warningAt(TemplateCodes.filterArguments, arg.expr.start, arg.expr.end,
                        `Unknown currency code '${code}'`, "Amounts in an unknown currency print as '12.5 XYZ'"));
                }
                return;
            }
            if (arg.expr.kind === 'path' && (!isKnown(arg.type) || isTextual(arg.type))) return;
            badArg(use, arg, `Filter 'money' expects a currency: a string field or a code such as 'EUR', but '${arg.text}' is ${typeToString(arg.type)}`);
        },
    },

    raw: {
        result: input => input,
        check: noArgs,
    },
};

function describeClass(cls: ReturnType<typeof valueClass>): string {
    switch (cls) {
        case 'number': return 'number';
        case 'text': return 'string';
        case 'time': return 'date';
        case 'bool': return 'boolean';
        default: return 'value';
    }
}

let currencies: Set<string> | undefined;

/** The ISO 4217 codes this JavaScript engine knows; undefined where it cannot tell. */
function knownCurrencies(): Set<string> | undefined {
    const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
    if (!supported) return undefined;
    return (currencies ??= new Set(supported('currency')));
}

/** The filters a template may use, in the order the documentation lists them. */
export const filterNames: readonly string[] = Object.freeze(Object.keys(signatures));

export function isFilterName(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(signatures, name);
}

/** Checks one filter call; returns the type of its result. Unknown filters are the caller's business. */
export function checkFilter(use: FilterUse): FuType {
    const signature = signatures[use.call.name];
    if (!signature || !isFilterName(use.call.name)) return unknownType;
    signature.check(use);
    return signature.result(use.input);
}
