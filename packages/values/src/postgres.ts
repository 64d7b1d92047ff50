// The value rules as PostgreSQL expressions, for the compiler's dialect and the runtime's own SQL
// (import, explain), so that SQL and JavaScript normalise and guard values the same way; and the
// statement that creates a derived index, which the compiler writes and the runtime runs.
import { BLANK_CHARACTERS } from './text.js';

/** BLANK_CHARACTERS as an escape string literal (`E'\u0009...'`), for btrim's characters argument. */
const BLANKS_LITERAL = `E'${[...BLANK_CHARACTERS].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}'`;

/** `trimBlanks(expr)`: every character of BLANK_CHARACTERS trimmed at both ends. */
export function postgresTrimBlanks(expr: string): string {
    return `btrim(${expr}, ${BLANKS_LITERAL})`;
}

/** `normaliseEmail(expr)`: blanks trimmed, ASCII letters lower-cased (`translate`: no locale changes it). */
export function postgresNormaliseEmail(expr: string): string {
    return `translate(${postgresTrimBlanks(expr)}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/** `normaliseAddress(channel, expr)` for a channel known only in SQL (a text expression). */
export function postgresNormaliseAddress(channelExpr: string, expr: string): string {
    return `CASE WHEN ${channelExpr} = 'email' THEN ${postgresNormaliseEmail(expr)} ELSE ${postgresTrimBlanks(expr)} END`;
}

/** A constant as a string literal (the patterns of this package: never user data). */
export function postgresLiteral(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/** An index on one table, as the compiler derives it from the rules' queries (its `DerivedIndex`). */
export interface PostgresIndex {
    name: string;
    table: string;
    /** Columns and expressions, as the queries write them (without a table alias). */
    columns: readonly string[];
    /** Plain columns carried in the index, so that a probe needs no visit of the table. */
    include: readonly string[];
}

/**
 * The statement that creates `index` when it is missing. `concurrently`: without locking the table
 * against writes (PostgreSQL; not inside a transaction). Here rather than in the compiler because the
 * compiler writes it into `indexes.sql` and the runtime runs it (`ensureIndexes`), and the runtime
 * never loads the compiler: the plan carries the index, this turns it into the same SQL on both sides.
 */
export function postgresCreateIndex(index: PostgresIndex, options: { concurrently?: boolean; ifNotExists?: boolean } = {}): string {
    const columns = index.columns.map(c => (/^[a-z_]+$/.test(c) || wrapped(c) ? c : `(${c})`)).join(', ');
    const include = index.include.length > 0 ? ` INCLUDE (${index.include.join(', ')})` : '';
    return `CREATE INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${options.ifNotExists === false ? '' : 'IF NOT EXISTS '}${index.name} ON ${index.table} (${columns})${include}`;
}

/** True when the first parenthesis of `expr` closes at its end: `(payload ->> 'k')`, not `(a) || (b)`. */
function wrapped(expr: string): boolean {
    if (!expr.startsWith('(') || !expr.endsWith(')')) return false;
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < expr.length; i++) {
        const ch = expr[i];
        if (ch === "'") quoted = !quoted;
        else if (!quoted && ch === '(') depth++;
        else if (!quoted && ch === ')' && --depth === 0) return i === expr.length - 1;
    }
    return false;
}
