/**
 * Lifecycle benchmark through the REST API (SPEC §7), on real processes:
 * coordinator-api, coordinator-leader and two workers on PostgreSQL + NATS.
 *
 *   node -r @swc-node/register tools/bench/lifecycle.bench.ts [--total 5000] [--rate 100] [--seconds 10]
 *     [--start-rate 200] [--concurrency 64] [--batch-size 500] [--profile DIR] [--write]
 *
 * Measures (1) submit latency at a fixed offered rate, (2) submit → RUNNING latency at
 * `start-rate` offered (started_at − created_at from the database), (3) end-to-end throughput of
 * `total` one-millisecond sleeps submitted one request each, (4) the same with batch submits.
 * Prints a Markdown table; with --write it is appended to docs/benchmarks.md. With --profile every
 * spawned app writes a V8 CPU profile (`.cpuprofile`, open in Chrome DevTools) into DIR/<app>.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createTestSchema, spawnApp, type SpawnedApp } from '@niyanta/testing';
import { fmt, summarize } from './stats';

const { values: args } = parseArgs({
  options: {
    total: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    'batch-size': { type: 'string', default: '500' },
    'start-rate': { type: 'string', default: '200' },
    profile: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const total = Number(args.total);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);
const batchSize = Number(args['batch-size']);
const startRate = Number(args['start-rate']);
const ADMIN_KEY = `bench-admin-${randomUUID()}`;
const sleepBody = { workload_type: 'sleep', input: { duration_ms: 1, steps: 1 } };

async function post(url: string, key: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function waitUntilCompleted(db: Client, schema: string, expected: number): Promise<number> {
  for (;;) {
    const r = await db.query(`SELECT count(*)::int AS n FROM "${schema}".workloads WHERE status = 'COMPLETED'`);
    if (r.rows[0].n >= expected) return Date.now();
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Where the batch phase's workloads spent their time, from the row's timestamps (database clock). */
async function stageTimes(db: Client, schema: string, since: Date): Promise<string> {
  const r = await db.query(
    `SELECT extract(epoch FROM scheduled_at - created_at) * 1000 AS queued,
            extract(epoch FROM started_at - scheduled_at) * 1000 AS delivered,
            extract(epoch FROM completed_at - started_at) * 1000 AS ran
       FROM "${schema}".workloads WHERE created_at >= $1 AND status = 'COMPLETED'`,
    [since],
  );
  const rows = r.rows as Array<Record<'queued' | 'delivered' | 'ran', string>>;
  return (['queued', 'delivered', 'ran'] as const)
    .map((stage) => summarize(rows.map((row) => Number(row[stage]))))
    .map((s) => `${fmt(s.p50)}, ${fmt(s.p99)}`)
    .join(' / ');
}

async function main(): Promise<void> {
  const schema = await createTestSchema('bench_lifecycle');
  const prefix = `bench_${randomUUID().slice(0, 8)}`;
  const env = {
    DATABASE_URL: schema.url,
    DATABASE_SCHEMA: schema.schema,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    BROKER_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  // The profile is written when the app exits after SIGTERM (its drain ends in a normal exit).
  const profiled = (name: string): Record<string, string> =>
    args.profile === undefined
      ? {}
      : { NODE_OPTIONS: `--require ${resolve(__dirname, 'cpu-profile.preload.cjs')}`, CPU_PROFILE_DIR: resolve(args.profile, name) };
  const apps: SpawnedApp[] = [];
  const db = new Client({ connectionString: schema.url });
  try {
    const api = await spawnApp('coordinator-api', { ...env, ...profiled('api'), NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    apps.push(api);
    apps.push(await spawnApp('coordinator-leader', { ...env, ...profiled('leader') }));
    for (const id of ['bench-w1', 'bench-w2']) {
      apps.push(await spawnApp('worker', { ...env, ...profiled(id), WORKER_ID: id, WORKER_CAPACITY: '500', HEARTBEAT_INTERVAL: '1s' }));
    }
    await db.connect();
    const customer = await post(api.url, ADMIN_KEY, '/v1/admin/customers', { name: 'bench', tier: 'enterprise' });
    const key = ((await post(api.url, ADMIN_KEY, `/v1/admin/customers/${(customer.json as { id: string }).id}/api-keys`, {})).json as { key: string }).key;
    // Warm up: first requests pay for connection pools and JIT.
    await Promise.all(Array.from({ length: 50 }, () => post(api.url, key, '/v1/workloads', sleepBody)));
    await waitUntilCompleted(db, schema.schema, 50);

    // 1. Submit latency at a fixed offered rate (open loop: requests are sent on schedule).
    const latencies: number[] = [];
    const n = rate * seconds;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const s = performance.now();
        const res = await post(api.url, key, '/v1/workloads', sleepBody);
        if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.json)}`);
        latencies.push(performance.now() - s);
      }),
    );
    const lat = summarize(latencies);
    let done = 50 + n;
    await waitUntilCompleted(db, schema.schema, done);

    // 2. Submit → RUNNING at a fixed offered rate: how long a workload waits for a worker to start
    // it when workers are free (scheduling, assignment delivery, the start-write).
    const startIds: string[] = [];
    const ns = startRate * seconds;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: ns }, async (_, i) => {
        const wait = t1 + (i * 1000) / startRate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const res = await post(api.url, key, '/v1/workloads', sleepBody);
        if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.json)}`);
        startIds.push((res.json as { id: string }).id);
      }),
    );
    done += ns;
    await waitUntilCompleted(db, schema.schema, done);
    const started = await db.query(
      `SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM "${schema.schema}".workloads WHERE id = ANY($1)`,
      [startIds],
    );
    const toRunning = summarize(started.rows.map((r: { ms: string }) => Number(r.ms)));

    // 3. End to end, single submits with a fixed number of requests in flight.
    let next = 0;
    const singleStart = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          const res = await post(api.url, key, '/v1/workloads', sleepBody);
          if (res.status !== 201) throw new Error(`submit failed: ${res.status}`);
        }
      }),
    );
    const singleSubmitted = Date.now();
    done += total;
    const singleDone = await waitUntilCompleted(db, schema.schema, done);

    // 4. End to end, batch submits.
    const batchStart = Date.now();
    const batches = Math.ceil(total / batchSize);
    await Promise.all(
      Array.from({ length: batches }, async (_, b) => {
        const items = Array.from({ length: Math.min(batchSize, total - b * batchSize) }, () => sleepBody);
        const res = await post(api.url, key, '/v1/workloads/batch', { items });
        if (res.status !== 201) throw new Error(`batch failed: ${res.status} ${JSON.stringify(res.json)}`);
      }),
    );
    const batchSubmitted = Date.now();
    done += total;
    const batchDone = await waitUntilCompleted(db, schema.schema, done);
    const stages = await stageTimes(db, schema.schema, new Date(batchStart));

    const perSec = (count: number, ms: number) => `${Math.round((count * 1000) / ms)}/s`;
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const report = [
      `\n### Lifecycle benchmark — ${new Date().toISOString().slice(0, 16)}Z`,
      `Machine: ${machine}; PostgreSQL and NATS on the same machine; 1 coordinator-api, 1 coordinator-leader, 2 workers (capacity 500 each).`,
      '',
      '| measure | result |',
      '|---|---|',
      `| submit latency at ${rate}/s offered (${lat.n} requests) | p50 ${fmt(lat.p50)}, p95 ${fmt(lat.p95)}, p99 ${fmt(lat.p99)}, max ${fmt(lat.max)} |`,
      `| submit → RUNNING at ${startRate}/s offered (${toRunning.n} workloads) | p50 ${fmt(toRunning.p50)}, p95 ${fmt(toRunning.p95)}, p99 ${fmt(toRunning.p99)}, max ${fmt(toRunning.max)} |`,
      `| ${total} × sleep(1 ms), single POST, ${concurrency} in flight: submit | ${perSec(total, singleSubmitted - singleStart)} |`,
      `| same, submitted → all COMPLETED | ${perSec(total, singleDone - singleStart)} (${((singleDone - singleStart) / 1000).toFixed(1)} s) |`,
      `| ${total} × sleep(1 ms), batch POST of ${batchSize}: submit | ${perSec(total, batchSubmitted - batchStart)} |`,
      `| same, submitted → all COMPLETED | ${perSec(total, batchDone - batchStart)} (${((batchDone - batchStart) / 1000).toFixed(1)} s) |`,
      `| same, per workload: created → SCHEDULED / SCHEDULED → RUNNING / RUNNING → COMPLETED (p50, p99) | ${stages} |`,
      '',
    ].join('\n');
    console.log(report);
    if (args.write) appendFileSync('docs/benchmarks.md', report);
  } finally {
    await db.end().catch(() => undefined);
    await Promise.allSettled(apps.map((a) => a.stop()));
    await schema.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
