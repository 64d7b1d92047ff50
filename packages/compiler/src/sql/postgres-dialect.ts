import { formatDialect, postgresql } from 'sql-formatter';
import type { PathStep } from '@followup/language';
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
        switch (type) {
            case 'text': return text;
            case 'boolean': return `CASE jsonb_typeof(${value}) WHEN 'boolean' THEN (${value})::boolean END`;
            // Numbers may arrive as JSON numbers or numeric strings ("19.99").
            case 'number': return `CASE WHEN ${text} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*$' THEN ${text}::numeric END`;
            case 'timestamp':
            case 'date': return `CASE WHEN ${text} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN ${text}::${castTypes[type]} END`;
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
        return `lower(btrim(${expr}))`;
    }

    utcDay(expr: string): string {
        return `(${expr} AT TIME ZONE 'UTC')::date`;
    }

    format(sql: string): string {
        return formatDialect(sql, { dialect: postgresql, tabWidth: 2, keywordCase: 'upper', dataTypeCase: 'lower', functionCase: 'lower', paramTypes: { numbered: ['$'] } });
    }
}
