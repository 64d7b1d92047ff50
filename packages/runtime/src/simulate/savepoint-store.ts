// A store inside one open transaction: the executor's and dispatch's own transactions become
// savepoints of it (committed into it, or rolled back to the savepoint, as they would be), and
// nothing of it outlives the outer transaction, which the simulation rolls back.
import type { Store, StoreEngine, StoreTx } from '../store/store.js';

export function savepointStore(tx: StoreTx, engine: StoreEngine): Store {
    let depth = 0;
    return {
        engine,
        query: (sql, params) => tx.query(sql, params),
        exec: (script) => tx.exec(script),
        async transaction(fn) {
            const name = `followup_simulate_${++depth}`;
            await tx.exec(`SAVEPOINT ${name}`);
            try {
                const result = await fn(tx);
                await tx.exec(`RELEASE SAVEPOINT ${name}`);
                return result;
            } catch (error) {
                await tx.exec(`ROLLBACK TO SAVEPOINT ${name}`);
                throw error;
            } finally {
                depth--;
            }
        },
        async close() {
            // The outer transaction's owner ends it.
        },
    };
}
