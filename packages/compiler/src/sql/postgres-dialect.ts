import { format } from 'sql-formatter';
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

    cast(expr: string, type: ScalarType): string {
        return type === 'text' ? expr : `${expr}::${castTypes[type]}`;
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

    format(sql: string): string {
        return format(sql, { language: 'postgresql', tabWidth: 2, keywordCase: 'upper', dataTypeCase: 'lower', functionCase: 'lower', paramTypes: { numbered: ['$'] } });
    }
}
