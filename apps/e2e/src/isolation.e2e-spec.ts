import { randomUUID } from 'node:crypto';
import { createTestSchema, spawnApp, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

interface WorkloadJson {
  id: string;
  status: string;
  pending_reason: string | null;
  created_at: string;
  started_at: string | null;
}
interface ErrorJson {
  error: { code: string };
}

const ADMIN_KEY = `admin-${randomUUID()}`;

/**
 * One customer must never hurt another, with the real processes: a free-tier customer's flood of
 * unplaceable work is cut at its tier's `max_pending` and does not hold back another customer's
 * workload; a bad item in a group of concurrent submissions fails alone; and a customer's long runs
 * hold at most its tier's share of a small fleet.
 */
describe('isolation between customers (processes)', () => {
  let schema: TestSchema;
  const apps: SpawnedApp[] = [];
  let api: SpawnedApp;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_isolation');
    const env = { ...appEnv(schema, uniqueBrokerPrefix('e2e_isolation')), NIYANTA_ADMIN_API_KEY: ADMIN_KEY };
    api = await spawnApp('coordinator-api', { ...env, RUN_MIGRATIONS: 'true' });
    apps.push(api);
    apps.push(await spawnApp('coordinator-leader', { ...env, RUN_MIGRATIONS: 'false' }));
    apps.push(await spawnApp('worker', { ...env, RUN_MIGRATIONS: 'false', WORKER_ID: 'small-fleet', WORKER_CAPACITY: '4' }));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await schema?.drop();
  });

  async function get(key: string, id: string): Promise<WorkloadJson> {
    return (await http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key })).body;
  }

  it('cuts a free-tier flood at max_pending and still places another customer\'s workload at once', async () => {
    const flooder = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'flooder', tier: 'free' });
    const other = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'bystander', tier: 'standard' });
    const unplaceable = { workload_type: 'sleep', input: { duration_ms: 1 }, affinity: { required: { gpu: 'yes' } } };
    const batch = { items: Array.from({ length: 1_000 }, () => unplaceable) };
    const statuses: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await http<ErrorJson>(api.url, 'POST', '/v1/workloads/batch', { key: flooder, body: batch });
      statuses.push(res.status);
      if (res.status !== 201) codes.push(res.body.error.code);
    }
    // The free tier's max_pending is 10,000.
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(codes).toEqual(['quota_exceeded', 'quota_exceeded']);

    const submitted = await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', {
      key: other,
      body: { workload_type: 'sleep', input: { duration_ms: 1, steps: 1 }, priority: 1 },
    });
    expect(submitted.status).toBe(201);
    const done = await eventually('the bystander\'s workload completes', async () => {
      const w = await get(other, submitted.body.id);
      return w.status === 'COMPLETED' ? w : undefined;
    });
    const waitedMs = Date.parse(done.started_at as string) - Date.parse(done.created_at);
    process.stdout.write(`bystander placed ${waitedMs} ms after submit, behind a 10,000-workload flood\n`);

    const flood = await http<{ items: WorkloadJson[] }>(api.url, 'GET', '/v1/workloads?limit=5', { key: flooder });
    expect(flood.body.items.every((w) => w.status === 'PENDING' && w.pending_reason !== null)).toBe(true);
  });

  it('fails a bad item alone: another customer\'s concurrent valid submissions all succeed', async () => {
    const poisoner = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'poisoner', tier: 'standard' });
    const victim = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'victim', tier: 'standard' });
    const bad: number[] = [];
    const good: number[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([
        ...Array.from({ length: 8 }, () =>
          http(api.url, 'POST', '/v1/workloads', { key: poisoner, body: { workload_type: 'sleep', input: { duration_ms: 1, note: 'a\u0000b' } } }),
        ),
        ...Array.from({ length: 8 }, () => http(api.url, 'POST', '/v1/workloads', { key: victim, body: { workload_type: 'sleep', input: { duration_ms: 1 } } })),
      ]);
      results.slice(0, 8).forEach((r) => bad.push(r.status));
      results.slice(8).forEach((r) => good.push(r.status));
    }
    expect(good.filter((s) => s !== 201)).toEqual([]);
    expect(bad.filter((s) => s !== 400)).toEqual([]);
  });

  it('keeps a free-tier customer\'s long runs to its share of a small fleet', async () => {
    const hog = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'hog', tier: 'free' });
    const other = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'quick', tier: 'standard' });
    const long: string[] = [];
    for (let i = 0; i < 4; i++) {
      long.push((await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key: hog, body: { workload_type: 'sleep', input: { duration_ms: 600_000 } } })).body.id);
    }
    const hogStates = await eventually('two of the hog\'s runs start and two wait for its share', async () => {
      const states = await Promise.all(long.map((id) => get(hog, id)));
      const waiting = states.filter((w) => w.pending_reason?.startsWith('customer at its fleet share'));
      return states.filter((w) => w.status === 'RUNNING').length === 2 && waiting.length === 2 ? states : undefined;
    });
    expect(hogStates.filter((w) => w.status === 'PENDING').map((w) => w.pending_reason)).toEqual([
      'customer at its fleet share: 2 of 4 slots',
      'customer at its fleet share: 2 of 4 slots',
    ]);
    const quick = await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key: other, body: { workload_type: 'sleep', input: { duration_ms: 100, steps: 1 } } });
    await eventually('the other customer\'s short workload completes while the long runs hold their slots', async () => ((await get(other, quick.body.id)).status === 'COMPLETED' ? true : undefined));
    expect((await Promise.all(long.map((id) => get(hog, id)))).filter((w) => w.status === 'RUNNING')).toHaveLength(2);
    await http(api.url, 'POST', '/v1/workloads/batch/cancel', { key: hog, body: { ids: long } });
  });
});
