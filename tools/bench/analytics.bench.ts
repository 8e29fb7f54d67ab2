/**
 * Analytics benchmark (SPEC §9): 10 million workloads over 30 days, generated in PostgreSQL with
 * generate_series, then read through a running coordinator-api. The workloads of the last
 * `--audited-days` also get the audit events their life writes and are rolled up by the leader's
 * own rollup statement (its catch-up rate is reported); the rollups of the older ones are
 * bulk-loaded by one aggregation of the same shape, which only saves generating and replaying tens
 * of millions of audit events:
 *
 *   node -r @swc-node/register tools/bench/analytics.bench.ts [--workloads 10000000] [--days 30]
 *     [--customers 10] [--queries 40] [--export-days 3] [--audited-days 2] [--fresh] [--export-only]
 *     [--api-heap-mb N] [--profile DIR] [--write]
 *
 * Reports (1) how fast the rollup catches up (audit events/s), (2) p50/p95/p99 of 30-day summaries
 * (operator and customer, per day and per hour), (3) export rows/s for `--export-days` of every
 * customer, and the API process's peak RSS during it against its RSS before. The data stay in
 * schema `bench_analytics` for a re-run (`--fresh` regenerates). With --write the table is
 * appended to docs/benchmarks.md. Runs on demand; not part of `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AnalyticsRollupRepository, createDataSource, LATENCY_BUCKETS_MS, runMigrations } from '@niyanta/state';
import { spawnApp, type SpawnedApp } from '@niyanta/testing';
import { fmt, summarize } from './stats';

const { values: args } = parseArgs({
  options: {
    workloads: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '30' },
    customers: { type: 'string', default: '10' },
    queries: { type: 'string', default: '40' },
    'export-days': { type: 'string', default: '3' },
    'audited-days': { type: 'string', default: '2' },
    fresh: { type: 'boolean', default: false },
    'export-only': { type: 'boolean', default: false },
    'api-heap-mb': { type: 'string' },
    profile: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(args.workloads);
const DAYS = Number(args.days);
const CUSTOMERS = Number(args.customers);
const QUERIES = Number(args.queries);
const EXPORT_DAYS = Number(args['export-days']);
const AUDITED_DAYS = Number(args['audited-days']);
const SCHEMA = 'bench_analytics';
const CHUNK = 250_000;
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN_KEY = `bench-admin-${randomUUID()}`;
const TYPES = ['sleep', 'render', 'etl', 'report'];

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/**
 * One chunk of workloads, evenly spread over the window ending now, and their `workload.submitted`
 * and terminal audit events: 90 % COMPLETED, 5 % FAILED (after a retry), 5 % CANCELLED; waits up
 * to ~2 s, runs up to ~60 s, on 20 workers in 3 regions.
 */
const GENERATE = `
WITH c AS (SELECT array_agg(id ORDER BY name) AS ids FROM customers),
w AS (
  INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, attempt, worker_id,
                         created_at, scheduled_at, started_at, completed_at, updated_at, labels)
  SELECT c.ids[1 + (g % $3)], ($4::text[])[1 + (g % 4)],
         CASE WHEN g % 20 = 0 THEN 'FAILED' WHEN g % 20 = 1 THEN 'CANCELLED' ELSE 'COMPLETED' END,
         100, 3, 1, 'bench-w' || (g % 20), t.created, t.created + interval '2 ms',
         t.created + t.wait, t.created + t.wait + t.run, t.created + t.wait + t.run,
         CASE WHEN g % 100 = 0 THEN jsonb_build_object('batch', (g / 100000)::text) ELSE '{}'::jsonb END
    FROM generate_series($1::bigint, $2::bigint) g, c,
         LATERAL (SELECT now() - make_interval(days => $5) + (g::float8 / $6) * make_interval(days => $5) AS created,
                         make_interval(secs => (random() * random() * 2)) AS wait,
                         make_interval(secs => (random() * 60)) AS run) t
  RETURNING id, customer_id, status, created_at, completed_at
), audited AS (SELECT * FROM w WHERE created_at >= $7::timestamptz)
INSERT INTO audit_events (customer_id, workload_id, actor_type, action, occurred_at)
SELECT w.customer_id, w.id, e.actor, e.action, e.at
  FROM audited w CROSS JOIN LATERAL (VALUES
    ('customer', 'workload.submitted', w.created_at),
    ('worker', CASE w.status WHEN 'COMPLETED' THEN 'workload.completed' WHEN 'FAILED' THEN 'workload.failed' ELSE 'workload.cancelled' END, w.completed_at)
  ) AS e(actor, action, at)
UNION ALL
SELECT w.customer_id, w.id, 'worker', 'workload.retry_scheduled', w.created_at FROM audited w WHERE w.status = 'FAILED'`;

const histogram = (column: string) => `ARRAY[${LATENCY_BUCKETS_MS.map((_, i) => `count(*) FILTER (WHERE ${column} = ${i + 1})`).join(', ')}]::integer[]`;
const BUCKETS_SQL = `'{${LATENCY_BUCKETS_MS.join(',')}}'::float8[]`;

/** Hour and day rollups of the workloads created before the audited window, in one aggregation each. */
const BULK_ROLLUPS = (resolution: 'hour' | 'day', table: 'analytics_rollups' | 'analytics_operator_rollups') => {
  const customer = table === 'analytics_rollups' ? 'customer_id, ' : '';
  return `
WITH f AS (
  SELECT w.customer_id, c.tier, w.workload_type, w.status, w.created_at, w.completed_at,
         width_bucket(GREATEST(0, extract(epoch FROM w.started_at - w.created_at) * 1000)::float8, ${BUCKETS_SQL}) AS wb,
         CASE WHEN w.status = 'COMPLETED' THEN width_bucket(GREATEST(0, extract(epoch FROM w.completed_at - w.started_at) * 1000)::float8, ${BUCKETS_SQL}) END AS rb
    FROM workloads w JOIN customers c ON c.id = w.customer_id
   WHERE w.created_at < $1::timestamptz
), facts AS (
  SELECT customer_id, tier, workload_type, 'PENDING' AS status, created_at AS at, 1 AS submitted, (status = 'FAILED')::int AS retried, 0 AS finished, NULL::int AS wb, NULL::int AS rb FROM f
  UNION ALL
  SELECT customer_id, tier, workload_type, status, completed_at, 0, 0, 1, wb, rb FROM f
)
INSERT INTO ${table} (resolution, bucket_start, ${customer}workload_type, tier, status, submitted, retried, finished, wait_hist, run_hist)
SELECT '${resolution}', date_trunc('${resolution}', at, 'UTC'), ${customer}workload_type, tier, status,
       sum(submitted), sum(retried), sum(finished), ${histogram('wb')}, ${histogram('rb')}
  FROM facts GROUP BY ${customer ? '2, 3, 4, 5, 6' : '2, 3, 4, 5'}`;
};

async function main(): Promise<void> {
  const ds = await createDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 4, applicationName: 'bench-analytics' });
  const apps: SpawnedApp[] = [];
  try {
    if (args.fresh) await ds.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE; CREATE SCHEMA "${SCHEMA}"`);
    await runMigrations(ds);
    const [{ n: existing }] = await ds.query(`SELECT count(*)::float8 AS n FROM workloads`);
    if (existing !== TOTAL) {
      log(`generating ${TOTAL} workloads over ${DAYS} days (${existing} present: starting over)`);
      await ds.query(`TRUNCATE workloads, audit_events, customers, workers, analytics_rollups, analytics_operator_rollups, analytics_worker_rollups CASCADE`);
      await ds.query(`UPDATE analytics_watermarks SET last_event_id = 0`);
      await ds.query(
        `INSERT INTO customers (name, tier) SELECT 'bench-' || lpad(i::text, 3, '0'), (ARRAY['free','standard','premium','enterprise'])[1 + i % 4] FROM generate_series(1, $1) i`,
        [CUSTOMERS],
      );
      await ds.query(
        `INSERT INTO workers (id, region, capacity, registered_at, last_heartbeat_at, workload_types)
         SELECT 'bench-w' || i, (ARRAY['eu','us','ap'])[1 + i % 3], 64, now() - make_interval(days => $1 + 1), now(), $2::text[] FROM generate_series(0, 19) i`,
        [DAYS, TYPES],
      );
      const started = Date.now();
      // One cutoff for both halves, so no workload is both audited and bulk-loaded.
      const auditedFrom = new Date(Date.now() - AUDITED_DAYS * 86_400_000);
      for (let from = 0; from < TOTAL; from += CHUNK) {
        await ds.query(GENERATE, [from, Math.min(TOTAL, from + CHUNK) - 1, CUSTOMERS, TYPES, DAYS, TOTAL, auditedFrom]);
        log(`  ${Math.min(TOTAL, from + CHUNK)} workloads (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
      await ds.query(`ANALYZE workloads; ANALYZE audit_events`);
      for (const resolution of ['hour', 'day'] as const) {
        for (const table of ['analytics_rollups', 'analytics_operator_rollups'] as const) {
          const t0 = Date.now();
          await ds.query(BULK_ROLLUPS(resolution, table), [auditedFrom]);
          log(`  bulk ${resolution} ${table} of the older workloads (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        }
      }
    }

    // The leader's rollup statement, as its duty runs it, until it has caught up.
    const rollups = new AnalyticsRollupRepository(ds);
    const [{ pending }] = await ds.query(
      `SELECT count(*)::float8 AS pending FROM audit_events WHERE id > (SELECT last_event_id FROM analytics_watermarks WHERE name = 'rollups')`,
    );
    let rollupRate = Number.NaN;
    if (pending > 1000) {
      log(`rolling up ${pending} audit events`);
      const started = Date.now();
      let done = 0;
      for (;;) {
        const { events } = await rollups.rollUp({ batchSize: 200_000, settleMs: 5_000 });
        done += events;
        if (events === 0) break;
        log(`  ${done} events (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
      rollupRate = done / ((Date.now() - started) / 1000);
      await ds.query(`ANALYZE analytics_rollups; ANALYZE analytics_operator_rollups; ANALYZE analytics_worker_rollups`);
    }
    const [{ rows: rollupRows }] = await ds.query(`SELECT count(*)::float8 AS rows FROM analytics_rollups`);

    const api = await spawnApp('coordinator-api', {
      DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
      NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
      BROKER_PREFIX: `bench_${randomUUID().slice(0, 8)}`,
      NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      // A cap on the API's V8 heap shows whether an export needs memory in proportion to its rows.
      // --profile DIR: a CPU profile of the API over the whole run (Node refuses --cpu-prof in NODE_OPTIONS).
      ...(args['api-heap-mb'] || args.profile
        ? {
            NODE_OPTIONS: [
              args['api-heap-mb'] ? `--max-old-space-size=${args['api-heap-mb']}` : '',
              args.profile ? `--require ${resolve(__dirname, 'cpu-profile.preload.cjs')}` : '',
            ].join(' ').trim(),
            ...(args.profile ? { CPU_PROFILE_DIR: resolve(args.profile) } : {}),
          }
        : {}),
    });
    apps.push(api);
    const [customer] = await ds.query(`SELECT id FROM customers ORDER BY name LIMIT 1`);
    const issued = await fetch(`${api.url}/v1/admin/customers/${customer.id}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    const customerKey = ((await issued.json()) as { key: string }).key;

    const from = new Date(Date.now() - DAYS * 86_400_000 + 60_000).toISOString();
    const summaries: Array<{ what: string; path: string; key: string; query: string }> = [
      { what: `operator, ${DAYS} days by day`, path: '/v1/admin/analytics/summary', key: ADMIN_KEY, query: `bucket=day&from=${from}` },
      { what: `operator, ${DAYS} days by day and customer`, path: '/v1/admin/analytics/summary', key: ADMIN_KEY, query: `bucket=day&group_by=customer_id&from=${from}` },
      { what: `operator, ${DAYS} days by hour`, path: '/v1/admin/analytics/summary', key: ADMIN_KEY, query: `bucket=hour&from=${from}` },
      { what: `customer, ${DAYS} days by day, type and tier`, path: '/v1/analytics/summary', key: customerKey, query: `bucket=day&group_by=workload_type,tier&from=${from}` },
      { what: `customer, ${DAYS} days by hour`, path: '/v1/analytics/summary', key: customerKey, query: `bucket=hour&from=${from}` },
    ];
    const lines: string[] = [];
    for (const s of args['export-only'] ? [] : summaries) {
      const samples: number[] = [];
      let items = 0;
      let submitted = 0;
      for (let i = 0; i < QUERIES + 3; i++) {
        const t0 = performance.now();
        const res = await fetch(`${api.url}${s.path}?${s.query}`, { headers: { authorization: `Bearer ${s.key}` } });
        const body = (await res.json()) as { items: Array<{ submitted: number }> };
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`${s.path} answered ${res.status}: ${JSON.stringify(body)}`);
        if (i >= 3) samples.push(ms); // the first answers warm caches and connections
        items = body.items.length;
        submitted = body.items.reduce((n, item) => n + item.submitted, 0);
      }
      const r = summarize(samples);
      lines.push(`| summary: ${s.what} | ${items} buckets, ${submitted} submitted | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} |`);
      log(lines[lines.length - 1] ?? '');
    }

    // Export: every customer's workloads of the last EXPORT_DAYS days, as CSV, with the API's RSS sampled.
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${api.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const exportFrom = new Date(Date.now() - EXPORT_DAYS * 86_400_000).toISOString();
    const rssBefore = rss();
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const t0 = performance.now();
    const res = await fetch(`${api.url}/v1/admin/analytics/export?format=csv&from=${exportFrom}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    let newlines = 0;
    let bytes = 0;
    let firstByteMs = Number.NaN;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - t0;
      bytes += chunk.length;
      // indexOf, not a byte loop: the client must not be what limits the rate measured.
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const rows = newlines - 1; // minus the header line
    const heapCap = args['api-heap-mb'] ? `, API heap capped at ${args['api-heap-mb']} MB` : '';
    const exportLine = `| export: ${EXPORT_DAYS} days, every customer, CSV${heapCap} | ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s (first byte ${fmt(firstByteMs)}) | **${Math.round(rows / seconds)} rows/s** | API RSS ${rssBefore.toFixed(0)} → peak ${peak.toFixed(0)} MB | |`;
    log(exportLine);

    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const table = [
      '',
      `### Analytics: ${TOTAL.toLocaleString('en')} workloads over ${DAYS} days (${new Date().toISOString().slice(0, 10)})`,
      '',
      `\`node -r @swc-node/register tools/bench/analytics.bench.ts --workloads ${TOTAL} --days ${DAYS} --customers ${CUSTOMERS}\` on ${os.cpus().length} cores,`,
      `load average ${load} (1/5/15 min) at the end (the machine is shared with other work). ${CUSTOMERS} customers, 4 types, 20 workers;`,
      `${rollupRows} rollup rows (minute, hour and day). The last ${AUDITED_DAYS} days went through the leader's rollup statement${Number.isNaN(rollupRate) ? ' (in an earlier run)' : ` at ${Math.round(rollupRate)} audit events/s`}; older rollups were bulk-loaded.`,
      `Latencies through the HTTP API (client to coordinator-api), ${QUERIES} requests each after 3 warm-ups.`,
      '',
      '| what | answer | p50 / rows/s | p95 | p99 |',
      '|---|---|---|---|---|',
      ...lines,
      exportLine,
      '',
    ].join('\n');
    process.stdout.write(table);
    if (args.write) appendFileSync(resolve(__dirname, '../../docs/benchmarks.md'), table);
  } finally {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await ds.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
