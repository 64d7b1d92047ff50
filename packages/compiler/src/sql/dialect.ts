// The one narrow boundary between the SQL generator and a database engine: small questions whose
// answers differ between engines. Nothing else in the compiler knows which engine it targets.
import type { PathStep } from '@followup/language';
import type { ScalarType } from '../ir/rule-ir.js';

export type SqlParamType =
    | 'timestamptz' | 'interval' | 'text' | 'numeric' | 'boolean' | 'date' | 'jsonb' | 'text[]' | 'numeric[]' | 'boolean[]' | 'timestamptz[]' | 'date[]';

export abstract class Dialect {
    abstract readonly name: string;

    /** A bind parameter reference with its type, e.g. `$3::interval`. */
    abstract param(index: number, type: SqlParamType): string;
    /** The one quoting function for names that are not values: identifiers and JSON keys. */
    abstract quoteIdentifier(name: string): string;
    abstract quoteJsonKey(key: string): string;
    /** The JSON value at `path` inside `base` (jsonb), and the same as text. */
    abstract jsonValue(base: string, path: readonly PathStep[]): string;
    abstract jsonText(base: string, path: readonly PathStep[]): string;
    /**
     * The JSON value at `path` as a value of `type`, or NULL when it is not one: a stored value of the
     * wrong shape must make one comparison false, never abort the whole rule's query.
     */
    abstract jsonAs(base: string, path: readonly PathStep[], type: ScalarType): string;
    abstract paramTypeOf(type: ScalarType): SqlParamType;
    /** Element count of a JSON array, 0 when it is missing or not an array. */
    abstract jsonArrayLength(json: string): string;
    abstract jsonArrayContains(json: string, jsonParam: string): string;
    abstract textContains(text: string, needle: string): string;
    abstract textStartsWith(text: string, prefix: string): string;
    abstract equalsAny(expr: string, arrayParam: string): string;
    abstract distinctFrom(a: string, b: string): string;
    /** `expr` as text (for explanations: a count, a JSON value, an instant). */
    abstract castText(expr: string): string;
    /** A typed NULL, where a query's column must have a type whatever the rule (no profile: NULL jsonb). */
    abstract typedNull(type: 'text' | 'jsonb'): string;
    /** An email address as stored in suppressions: `normaliseEmail` of @followup/values (blanks trimmed, ASCII lower-cased). */
    abstract normaliseEmail(expr: string): string;
    /** The UTC calendar day (a `date`) of a timestamptz expression: the report's days. */
    abstract utcDay(expr: string): string;
    /** `trimBlanks` of @followup/values: every blank of BLANK_CHARACTERS trimmed at both ends (other addresses). */
    abstract trimBlanks(expr: string): string;
    /** Pretty-prints generated SQL, deterministically (for the .sql file people read: it is slow). */
    abstract format(sql: string): string;

    /** The SQL on one line: runs of white space outside string literals become one space. */
    compact(sql: string): string {
        return sql.replace(/('(?:[^']|'')*')|\s+/g, (_match, literal: string | undefined) => literal ?? ' ').trim();
    }
}
