import type { Migration } from './migration.js';

/**
 * Schema v6: reserved for another branch's migration (issue 16's is v7, `0007_measuring.ts`). Does
 * nothing. At merge: delete this file and its line in index.ts, and keep that branch's 0006.
 */
export const reserved: Migration = {
    version: 6,
    name: 'reserved',
    sql: /* sql */ `SELECT 1;`,
};
