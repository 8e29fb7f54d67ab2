import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTestSchema, spawnApp, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

const ADMIN_KEY = `admin-${randomUUID()}`;
/** The tier under test: 20 requests per second, bucket of 20. */
const RATE = 20;
const BURST = 20;

/**
 * Rate limits hold across API replicas: two coordinator-api processes on one database admit no
 * more than the customer's bucket allows in total. Also checks, on the real processes' logs, that
 * keys and Authorization headers are never written.
 */
describe('tenancy across API replicas (processes)', () => {
  let schema: TestSchema;
  const apps: SpawnedApp[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('e2e_tenancy');
    const env = {
      ...appEnv(schema, uniqueBrokerPrefix('e2e_tenancy'), 'info'),
      NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
    };
    apps.push(await spawnApp('coordinator-api', { ...env, RUN_MIGRATIONS: 'true' }));
    apps.push(await spawnApp('coordinator-api', { ...env, RUN_MIGRATIONS: 'false' }));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await schema?.drop();
  });

  it('admits at most burst + rate × elapsed (+1 for clock rounding) across two replicas, and logs no key', async () => {
    const [a, b] = apps;
    if (!a || !b) throw new Error('apps did not start');
    const tier = await http(a.url, 'PUT', '/v1/admin/tiers/replicated', {
      key: ADMIN_KEY,
      body: { requests_per_second: RATE, burst: BURST, max_running: 10, scheduling_weight: 0, max_priority: 500 },
    });
    expect(tier.status).toBe(201);
    // The customer is created on one replica and its key issued on the other.
    const key = await issueCustomerKey(a.url, ADMIN_KEY, { name: 'replicated', tier: 'replicated' }, b.url);

    // 4 rounds of 60 requests split over both replicas, 250 ms apart: 240 requests in ~1 s.
    const started = performance.now();
    const statuses: number[] = [];
    const limitedHeaders: Array<string | null> = [];
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => http((i % 2 === 0 ? a : b).url, 'GET', '/v1/workloads', { key })),
      );
      for (const res of results) {
        statuses.push(res.status);
        if (res.status === 429) limitedHeaders.push(res.headers.get('retry-after'));
      }
      if (round < 3) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const elapsedS = (performance.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 200).length;
    const ceiling = BURST + Math.ceil(RATE * elapsedS) + 1;
    console.log(`two replicas admitted ${admitted} of ${statuses.length} in ${elapsedS.toFixed(2)} s (ceiling ${ceiling})`);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(admitted).toBeGreaterThanOrEqual(BURST);
    expect(admitted).toBeLessThanOrEqual(ceiling);
    expect(limitedHeaders.every((h) => h !== null && Number(h) >= 1)).toBe(true);

    // Neither replica wrote a key (customer or operator) into its request logs: request lines carry
    // no headers, and name the customer instead.
    const logs = apps.map((app) => app.logs());
    expect(logs.join('\n')).not.toContain(key);
    expect(logs.join('\n')).not.toContain(key.slice(13));
    expect(logs.join('\n')).not.toContain(ADMIN_KEY);
    expect(logs.some((text) => text.includes('"msg":"request completed"') && text.includes('"customer_id":'))).toBe(true);
  });
});

/**
 * The scheduler holds a customer at its tier's running limit (read from the tiers table the
 * operator edits) while other customers' workloads run: real api, leader and worker processes.
 */
describe('concurrency limit per tier (processes)', () => {
  let schema: TestSchema;
  const apps: SpawnedApp[] = [];
  let api: SpawnedApp;

  interface WorkloadJson {
    id: string;
    status: string;
    pending_reason: string | null;
  }

  beforeAll(async () => {
    schema = await createTestSchema('e2e_concurrency');
    const env = appEnv(schema, uniqueBrokerPrefix('e2e_conc'));
    api = await spawnApp('coordinator-api', { ...env, NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    apps.push(api);
    apps.push(await spawnApp('coordinator-leader', { ...env, SCHEDULER_SWEEP_INTERVAL: '300ms' }));
    apps.push(await spawnApp('worker', { ...env, WORKER_ID: 'conc-w1', WORKER_CAPACITY: '10', HEARTBEAT_INTERVAL: '500ms' }));
  });

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await schema?.drop();
  });

  async function customerOn(tier: string, name: string): Promise<string> {
    return issueCustomerKey(api.url, ADMIN_KEY, { name, tier });
  }

  it('keeps a capped customer at its limit with a pending reason while another customer runs', async () => {
    const tier = await http(api.url, 'PUT', '/v1/admin/tiers/capped', {
      key: ADMIN_KEY,
      body: { requests_per_second: 100, burst: 200, max_running: 2, scheduling_weight: 0, max_priority: 1000 },
    });
    expect(tier.status).toBe(201);
    const capped = await customerOn('capped', 'capped');
    const other = await customerOn('enterprise', 'other');
    // Workload types exist once the worker has registered.
    await eventually('the worker to register its types', async () => {
      return (await http<{ items: unknown[] }>(api.url, 'GET', '/v1/workload-types', { key: other })).body.items.length > 0 || undefined;
    });
    const long = { workload_type: 'sleep', input: { duration_ms: 6_000, steps: 6 }, priority: 900 };
    const cappedIds: string[] = [];
    for (let i = 0; i < 5; i++) cappedIds.push((await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key: capped, body: long })).body.id);
    const otherIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      otherIds.push((await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key: other, body: { ...long, priority: 1 } })).body.id);
    }

    const states = async (key: string, ids: string[]) =>
      Promise.all(ids.map(async (id) => (await http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key })).body));
    // A probe that throws is retried, and its last error names the states seen.
    const cappedStates = await eventually('the other customer running and three capped workloads held back', async () => {
      const others = await states(other, otherIds);
      const cappedNow = await states(capped, cappedIds);
      const waiting = cappedNow.filter((w) => w.status === 'PENDING');
      if (others.every((w) => w.status === 'RUNNING') && waiting.length === 3 && waiting.every((w) => w.pending_reason?.startsWith('customer at') === true)) {
        return cappedNow;
      }
      throw new Error(`not settled: ${JSON.stringify({ others, capped: cappedNow })}`);
    });
    expect(cappedStates.filter((w) => ['SCHEDULED', 'RUNNING'].includes(w.status))).toHaveLength(2);
    expect(cappedStates.filter((w) => w.status === 'PENDING').map((w) => w.pending_reason)).toEqual([
      'customer at concurrency limit 2',
      'customer at concurrency limit 2',
      'customer at concurrency limit 2',
    ]);
  });
});
