// What bench/serve.mjs prints when messages are left unsent: the statements running for more than
// 5 s, the planner's statistics of the tables a settle writes, and the plan of the recount of
// originals a settle of the stuck rows would run now, timed (schema v9/v18's trigger function, called
// in a rolled-back transaction under auto_explain). On 2026-12-06 two settles ran for minutes at full
// CPU, not waiting on any lock, and serve's dispatchers waited on them (docs/status.md).
import pg from 'pg';

export async function describeStuckDispatch(url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const print = (title, rows) => console.log(`  ${title} (${rows.length}):\n${rows.map((r) => `    ${typeof r === 'string' ? r : JSON.stringify(r)}`).join('\n')}`);
    try {
        const { rows: running } = await client.query(
            `SELECT pid, round(extract(epoch FROM now() - query_start))::int AS seconds, coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS waiting,
                    left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
             FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND now() - query_start > interval '5 seconds'`);
        print('statements running for more than 5 s', running.map((r) => `pid ${r.pid}, ${r.seconds} s, ${r.waiting}: ${r.query}`));
        const { rows: stats } = await client.query(
            `SELECT c.relname, c.reltuples::bigint AS reltuples, c.relpages, pg_relation_size(c.oid) / 8192 AS pages, s.n_live_tup, s.last_analyze, s.last_autoanalyze
             FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname IN ('events', 'deliveries', 'outbox') ORDER BY 1`);
        print('planner statistics', stats);
        // The events of rows claimed now: what a settle of them recounts.
        const { rows: claimed } = await client.query(
            `SELECT array_agg(d.event_id) AS events FROM (SELECT delivery_id FROM outbox WHERE claimed_by IS NOT NULL AND status = 'pending' LIMIT 100) o
             JOIN deliveries d ON d.id = o.delivery_id`);
        const events = claimed[0]?.events ?? [];
        if (events.length === 0) return;
        const notices = [];
        client.on('notice', (n) => notices.push(n.message));
        await client.query('BEGIN');
        try {
            await client.query(`LOAD 'auto_explain'; SET LOCAL auto_explain.log_min_duration = 0; SET LOCAL auto_explain.log_nested_statements = on;
                SET LOCAL auto_explain.log_level = notice; SET LOCAL statement_timeout = '120s'`);
            const started = Date.now();
            await client.query('SELECT followup_mark_first_originals($1::text[])', [events]);
            console.log(`  the recount of ${events.length} claimed rows' events, now: ${Date.now() - started} ms; its statements' plans:`);
            for (const notice of notices) console.log(notice.split('\n').map((line) => `    ${line}`).join('\n'));
        } catch (error) {
            console.log(`  the recount of ${events.length} claimed rows' events: ${error.message}`);
        } finally {
            await client.query('ROLLBACK');
        }
    } finally {
        await client.end();
    }
}
