// A store inside one open transaction: the executor's and dispatch's own transactions run inline in it
// (`transaction(fn)` is `fn(tx)`), and nothing of it outlives the outer transaction, which the
// simulation rolls back. Not savepoints: a month of runs makes thousands of them, and PostgreSQL's
// visibility checks slow down once a transaction has more than 64 subtransactions (measured: a day of
// the 1M-delivery benchmark went from 5 s to 17 s). An error anywhere ends the whole simulation.
import type { Store, StoreEngine, StoreTx } from '../store/store.js';

export function inlineStore(tx: StoreTx, engine: StoreEngine): Store {
    return {
        engine,
        query: (sql, params) => tx.query(sql, params),
        exec: (script) => tx.exec(script),
        transaction: (fn) => fn(tx),
        async close() {
            // The outer transaction's owner ends it.
        },
    };
}
