// Shared by the import tests: records as lines, row counts, the example project's schemas.
import * as path from 'node:path';
import { loadProject, unloadProject } from '@followup/language';
import type { ImportSchemas, StoreTx } from '@followup/runtime';
import { projectSchemas } from '../../packages/cli/src/project-schemas.js';

export const repo = path.resolve(import.meta.dirname, '../..');
export const example = path.join(repo, 'examples/cart-abandonment');

/** Lines of JSON (objects are stringified, strings kept as written), as the importer reads them. */
export async function* lines(...items: (object | string)[]): AsyncGenerator<string> {
    for (const item of items) yield typeof item === 'string' ? item : JSON.stringify(item);
}

export const tables = ['events', 'deliveries', 'tracking', 'suppressions', 'profiles'] as const;
export type RowCounts = Record<(typeof tables)[number], number>;

export async function rowCounts(db: StoreTx): Promise<RowCounts> {
    const counts = {} as RowCounts;
    for (const table of tables) {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        counts[table] = rows[0]!.n;
    }
    return counts;
}

let schemas: Promise<ImportSchemas> | undefined;

/** The schemas of examples/cart-abandonment, built as the CLI builds them. */
export function exampleSchemas(): Promise<ImportSchemas> {
    schemas ??= (async () => {
        const project = await loadProject([example]);
        if (project.errorCount > 0) throw new Error('the example project has errors');
        const built = projectSchemas(project);
        unloadProject(project);
        return built;
    })();
    return schemas;
}

/** A valid cartAbandonment data object; `patch` replaces or removes (undefined) fields. */
export function cartData(customer: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
    const data: Record<string, unknown> = {
        customerId: customer,
        email: `${customer}@example.com`,
        firstName: 'Ana',
        cartTotal: 120.5,
        currency: 'EUR',
        items: [
            { sku: 'A-1', name: 'Mug', price: 12.5, quantity: 2 },
            { sku: 'B-2', name: 'Teapot', price: '95.50', quantity: 1 },
        ],
        cartUrl: 'https://shop.example/cart/1',
        loyaltyMember: false,
        abandonedAt: '2026-11-20T09:30:00Z',
    };
    for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete data[key];
        else data[key] = value;
    }
    return data;
}
