import { loadProject, createFollowupServices, unloadProject } from '@followup/language';
import { compileProject } from '@followup/compiler';
import { NodeFileSystem } from 'langium/node';
const { Followup } = createFollowupServices(NodeFileSystem);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 5; i++) {
  const t0 = performance.now(), c0 = cpu();
  const p = await loadProject(['/tmp/fub'], Followup);
  const t1 = performance.now(), c1 = cpu();
  const r = compileProject(p);
  const t2 = performance.now(), c2 = cpu();
  unloadProject(p);
  gc();
  console.log(i, 'check', (t1-t0).toFixed(0), 'cpu', (c1-c0).toFixed(0), 'compile', (t2-t1).toFixed(0), 'cpu', (c2-c1).toFixed(0), (process.memoryUsage().heapUsed/1e6).toFixed(0)+'MB heap after gc');
}
