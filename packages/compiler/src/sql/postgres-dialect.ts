import { formatDialect, postgresql } from 'sql-formatter';
import type { PathStep } from '@followup/language';
import {
    DATE_PATTERN, DECIMAL_TEXT_PATTERN, FRACTION_BEYOND_MICROSECONDS, INSTANT_PATTERN, INSTANT_RANGE, MAX_DECIMAL_TEXT_LENGTH, postgresLiteral as literal, postgresNormaliseEmail,
    postgresTrimBlanks,
} from '@followup/values';
import type { ScalarType } from '../ir/rule-ir.js';
import { Dialect, type SqlParamType } from './dialect.js';

const castTypes: Record<ScalarType, string> = { text: 'text', number: 'numeric', boolean: 'boolean', timestamp: 'timestamptz', date: 'date' };

export class PostgresDialect extends Dialect {
    readonly name = 'postgres';

    param(index: number, type: SqlParamType): string {
        return `$${index}::${type}`;
    }

    quoteIdentifier(name: string): string {
        return `"${name.replace(/"/g, '""')}"`;
    }

    quoteJsonKey(key: string): string {
        // A JSON key is a name from the schema, never user data; standard_conforming_strings is on.
        return `'${key.replace(/'/g, "''")}'`;
    }

    private step(step: PathStep): string {
        return typeof step === 'number' ? String(Math.trunc(step)) : this.quoteJsonKey(step);
    }

    jsonValue(base: string, path: readonly PathStep[]): string {
        return path.reduce<string>((expr, step) => `${expr} -> ${this.step(step)}`, base);
    }

    jsonText(base: string, path: readonly PathStep[]): string {
        if (path.length === 0) return `${base} #>> '{}'`;
        return `(${this.jsonValue(base, path.slice(0, -1))} ->> ${this.step(path[path.length - 1]!)})`;
    }

    jsonAs(base: string, path: readonly PathStep[], type: ScalarType): string {
        const text = this.jsonText(base, path);
        const value = this.jsonValue(base, path);
        // Each guard casts exactly the strings the value rules of @followup/values accept, so a stored
        // value of the wrong shape makes one comparison NULL and never aborts the rule's query.
        switch (type) {
            case 'text': return text;
            case 'boolean': return `CASE jsonb_typeof(${value}) WHEN 'boolean' THEN (${value})::boolean END`;
            // Numbers may arrive as JSON numbers or decimal strings ("19.99", ".5", "1e3"). A JSON number
            // casts as it is (no pattern to match per row); a string only when the pattern accepts it.
            case 'number':
                return `CASE jsonb_typeof(${value}) WHEN 'number' THEN (${value})::numeric WHEN 'string' THEN CASE WHEN ${text} ~ ${literal(DECIMAL_TEXT_PATTERN)} AND length(${text}) <= ${MAX_DECIMAL_TEXT_LENGTH} THEN ${text}::numeric END END`;
            // A real calendar date and time with a zone (fraction cut to microseconds, as JavaScript cuts
            // it: no rounding), then the years 0001-9999 once the offset applies. Nested CASEs: the
            // cast runs only on what the pattern accepted.
            case 'timestamp': {
                const instant = `regexp_replace(${text}, ${literal(FRACTION_BEYOND_MICROSECONDS)}, '\\1')::timestamptz`;
                const range = `${literal(INSTANT_RANGE.min)}::timestamptz AND ${literal(INSTANT_RANGE.max)}::timestamptz`;
                return `CASE WHEN ${text} ~ ${literal(INSTANT_PATTERN)} THEN CASE WHEN ${instant} BETWEEN ${range} THEN ${instant} END END`;
            }
            case 'date': return `CASE WHEN ${text} ~ ${literal(DATE_PATTERN)} THEN ${text}::date END`;
        }
    }

    paramTypeOf(type: ScalarType): SqlParamType {
        return castTypes[type] as SqlParamType;
    }

    jsonArrayLength(json: string): string {
        return `coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} END), 0)`;
    }

    jsonArrayContains(json: string, jsonParam: string): string {
        return `(${json} @> ${jsonParam})`;
    }

    castText(expr: string): string {
        return `(${expr})::text`;
    }

    typedNull(type: 'text' | 'jsonb'): string {
        return `NULL::${type}`;
    }

    textContains(text: string, needle: string): string {
        return `strpos(${text}, ${needle}) > 0`;
    }

    textStartsWith(text: string, prefix: string): string {
        return `starts_with(${text}, ${prefix})`;
    }

    equalsAny(expr: string, arrayParam: string): string {
        return `${expr} = ANY (${arrayParam})`;
    }

    distinctFrom(a: string, b: string): string {
        return `${a} IS DISTINCT FROM ${b}`;
    }

    normaliseEmail(expr: string): string {
        return postgresNormaliseEmail(expr);
    }

    trimBlanks(expr: string): string {
        return postgresTrimBlanks(expr);
    }

    utcDay(expr: string): string {
        return `(${expr} AT TIME ZONE 'UTC')::date`;
    }

    format(sql: string): string {
        return formatDialect(sql, { dialect: postgresql, tabWidth: 2, keywordCase: 'upper', dataTypeCase: 'lower', functionCase: 'lower', paramTypes: { numbered: ['$'] } });
    }
}
