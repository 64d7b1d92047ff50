import { PGlite } from '@electric-sql/pglite';
import * as fs from 'node:fs';
const cpu = () => { const u = process.cpuUsage(); return ((u.user + u.system) / 1000).toFixed(0); };
const mode = process.argv[2];
if (mode === 'make') {
  const db = await PGlite.create(process.argv[3]);
  for (const c of ['none', 'gzip']) { const b = await db.dumpDataDir(c); fs.writeFileSync(`/tmp/wt14-tpl.${c}.tar`, new Uint8Array(await b.arrayBuffer())); }
  await db.close(); process.exit(0);
}
const t0 = performance.now();
const bytes = fs.readFileSync(process.argv[3]);
const db = await PGlite.create(process.argv[4], { loadDataDir: new Blob([bytes]) });
console.log('created', (performance.now() - t0).toFixed(0), 'ms, cpu', cpu());
await db.query('select count(*) from events');
await db.close();
console.log('closed', (performance.now() - t0).toFixed(0), 'ms, cpu', cpu());
