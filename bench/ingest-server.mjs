// For `bench/serve.mjs --ingest-only`: followup serve's HTTP ingestion alone (startServer from the
// built runtime, same plans, same store, same group commit), without sending, tracking or the
// scheduler — to measure how fast events and their transactional messages are queued when the
// sending happens in other processes. Prints the same "listening" log line as serve; SIGTERM stops it.
import { compileIngestionPlans } from '../packages/compiler/dist/index.js';
import { loadProject } from '../packages/language/dist/index.js';
import { createJsonLogger, MetricsRegistry, openStore, parseApiKeys, startServer } from '../packages/runtime/dist/index.js';

const [projectDir, db] = process.argv.slice(2);
const project = await loadProject([projectDir]);
const plans = compileIngestionPlans(project);
const store = await openStore(db);
const log = createJsonLogger({ secrets: parseApiKeys(process.env.FOLLOWUP_API_KEYS) });
const context = { store, clock: () => new Date(), secret: '', publicUrl: '', log, metrics: new MetricsRegistry() };
const server = await startServer({ context, plans, apiKeys: parseApiKeys(process.env.FOLLOWUP_API_KEYS), port: 0 });
log.info('listening', { url: server.url });
process.once('SIGTERM', async () => {
    await server.close();
    await store.close();
    log.info('stopped');
    process.exit(0);
});
