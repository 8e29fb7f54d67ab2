/**
 * What one request costs coordinator-api in CPU, alone on PostgreSQL (no leader, no worker):
 *
 *   node -r @swc-node/register tools/bench/api-cost.bench.ts [--requests 3000] [--concurrency 16] [--profile DIR]
 *
 * For each kind of request — `GET /health`, `GET /v1/workloads/{id}`, `POST /v1/workloads` — it sends
 * `requests` at `concurrency` in flight and reads the API process's CPU time (utime + stime from
 * /proc) before and after: CPU µs per request is what the machine's load does not change much,
 * unlike requests per second on 2 shared cores. Also reports the wall-clock rate and p50/p95.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createTestSchema, spawnApp } from '@niyanta/testing';
import { cpuMicros } from './peers/host';
import { fmt, summarize } from './stats';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    profile: { type: 'string' },
  },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const ADMIN_KEY = `bench-admin-${randomUUID()}`;


async function call(url: string, method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function measure(pid: number, label: string, send: () => Promise<number>): Promise<string> {
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = cpuMicros(pid) ?? 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const s = performance.now();
        const status = await send();
        if (status >= 300) throw new Error(`${label}: status ${status}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = ((cpuMicros(pid) ?? 0) - cpuBefore) / requests;
  const lat = summarize(latencies);
  return `| ${label} | ${Math.round(cpuUs)} µs | ${Math.round(requests / seconds)}/s | ${fmt(lat.p50)} / ${fmt(lat.p95)} |`;
}

async function main(): Promise<void> {
  const schema = await createTestSchema('bench_api_cost');
  const profile =
    args.profile === undefined
      ? {}
      : { NODE_OPTIONS: `--require ${resolve(__dirname, 'cpu-profile.preload.cjs')}`, CPU_PROFILE_DIR: resolve(args.profile, 'api') };
  const api = await spawnApp('coordinator-api', {
    DATABASE_URL: schema.url,
    DATABASE_SCHEMA: schema.schema,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    BROKER_PREFIX: `bench_${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
    RUN_MIGRATIONS: 'true',
    ...profile,
  });
  try {
    // The type exists once a worker registered it; no worker runs here, so it is written directly.
    const db = new Client({ connectionString: schema.url });
    await db.connect();
    await db.query(`INSERT INTO "${schema.schema}".workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 0)`);
    await db.end();
    const customer = await call(api.url, 'POST', '/v1/admin/customers', ADMIN_KEY, { name: 'bench', tier: 'enterprise' });
    const key = ((await call(api.url, 'POST', `/v1/admin/customers/${(customer.json as { id: string }).id}/api-keys`, ADMIN_KEY, {})).json as { key: string }).key;
    const body = { workload_type: 'sleep', input: { duration_ms: 1, steps: 1 }, labels: { run: 'bench' } };
    const one = (await call(api.url, 'POST', '/v1/workloads', key, body)).json as { id: string };
    // Warm-up: JIT, pools, caches.
    await Promise.all(Array.from({ length: 200 }, () => call(api.url, 'POST', '/v1/workloads', key, body)));
    const rows = [
      await measure(api.pid, 'GET /health', async () => (await call(api.url, 'GET', '/health')).status),
      await measure(api.pid, 'GET /v1/workloads/{id}', async () => (await call(api.url, 'GET', `/v1/workloads/${one.id}`, key)).status),
      await measure(api.pid, 'POST /v1/workloads', async () => (await call(api.url, 'POST', '/v1/workloads', key, body)).status),
    ];
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
    process.stdout.write(
      [`${requests} requests each, ${concurrency} in flight, load average ${load}`, '', '| request | API CPU per request | rate | p50 / p95 |', '|---|---|---|---|', ...rows, ''].join('\n'),
    );
  } finally {
    await api.stop();
    await schema.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
