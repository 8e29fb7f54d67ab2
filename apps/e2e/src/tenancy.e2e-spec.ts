import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTestSchema, spawnApp, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { http } from './support/http';

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
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
      BROKER_PREFIX: uniqueBrokerPrefix('e2e_tenancy'),
      NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
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
    const customer = await http<{ id: string }>(a.url, 'POST', '/v1/admin/customers', { key: ADMIN_KEY, body: { name: 'replicated', tier: 'replicated' } });
    const issued = await http<{ key: string }>(b.url, 'POST', `/v1/admin/customers/${customer.body.id}/api-keys`, { key: ADMIN_KEY, body: {} });
    const key = issued.body.key;

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

    // Neither replica wrote a key (customer or operator) into its request logs; headers are redacted.
    const logs = apps.map((app) => app.logs());
    expect(logs.join('\n')).not.toContain(key);
    expect(logs.join('\n')).not.toContain(key.slice(13));
    expect(logs.join('\n')).not.toContain(ADMIN_KEY);
    expect(logs.some((text) => text.includes('[redacted]'))).toBe(true);
  });
});
