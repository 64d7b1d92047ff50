// Preload: times every PGlite query/exec/transaction statement and prints a summary at exit.
import { PGlite } from '@electric-sql/pglite';
const stats = [];
for (const name of ['query', 'exec']) {
    const orig = PGlite.prototype[name];
    PGlite.prototype[name] = async function (sql, ...rest) {
        const t = performance.now();
        try { return await orig.call(this, sql, ...rest); } finally { stats.push([performance.now() - t, name, String(sql).replace(/\s+/g, ' ').slice(0, 110)]); }
    };
}
const origTx = PGlite.prototype.transaction;
PGlite.prototype.transaction = async function (fn) {
    return origTx.call(this, async (tx) => {
        for (const name of ['query', 'exec']) {
            const o = tx[name].bind(tx);
            tx[name] = async (sql, ...rest) => { const t = performance.now(); try { return await o(sql, ...rest); } finally { stats.push([performance.now() - t, 'tx.' + name, String(sql).replace(/\s+/g, ' ').slice(0, 110)]); } };
        }
        return fn(tx);
    });
};
process.on('exit', () => {
    const total = stats.reduce((s, x) => s + x[0], 0);
    process.stderr.write(`${stats.length} statements, ${total.toFixed(0)} ms\n`);
    for (const [ms, kind, sql] of stats.sort((a, b) => b[0] - a[0]).slice(0, 40)) process.stderr.write(`${ms.toFixed(1).padStart(7)} ${kind} ${sql}\n`);
});
