// The value rules as PostgreSQL expressions, for the compiler's dialect and the runtime's own SQL
// (import, explain), so that SQL and JavaScript normalise and guard values the same way.
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
