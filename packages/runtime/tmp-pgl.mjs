import { PGlite } from '@electric-sql/pglite';
const cpu = () => { const u = process.cpuUsage(); return ((u.user + u.system) / 1000).toFixed(0); };
const t0 = performance.now(); console.log('start cpu', cpu());
const db = await PGlite.create(process.argv[2]);
console.log('open', (performance.now() - t0).toFixed(0), 'ms, cpu', cpu());
await db.query('select count(*) from events');
console.log('query', (performance.now() - t0).toFixed(0), 'ms, cpu', cpu());
await db.close();
console.log('close', (performance.now() - t0).toFixed(0), 'ms, cpu', cpu());
