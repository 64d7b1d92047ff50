import type { Dialect } from './dialect.js';
import { PostgresDialect } from './postgres-dialect.js';

const dialects: Record<string, () => Dialect> = {
    postgres: () => new PostgresDialect(),
};

export const dialectNames = Object.keys(dialects);

export function getDialect(name: string): Dialect {
    const make = dialects[name];
    if (!make) throw new Error(`Unknown SQL dialect '${name}' (known: ${dialectNames.join(', ')})`);
    return make();
}
