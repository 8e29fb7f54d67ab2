import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';

const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** A tier's `max_pending` at submit: a flood is refused with 429, nothing of it is written, others are unaffected. */
describe('pending quota at submit', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp('api_pending_quota');
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 0)`);
    const tier = { requests_per_second: 1000, burst: 1000, max_running: 10, scheduling_weight: 0, max_priority: 1000, max_pending: 5 };
    expect((await api.http.put('/v1/admin/tiers/small').set(admin).send(tier)).body).toMatchObject({ max_pending: 5, max_fleet_share: 1 });
  });

  afterAll(async () => {
    await api?.close();
  });

  async function waiting(customerId: string): Promise<number> {
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workloads WHERE customer_id = $1`, [customerId]);
    return row.n;
  }

  it('accepts the tier limits at their bounds and refuses them beyond, changing nothing', async () => {
    const base = { requests_per_second: 10, burst: 10, max_running: 1, scheduling_weight: 0, max_priority: 1000 };
    expect((await api.http.put('/v1/admin/tiers/edge').set(admin).send({ ...base, max_pending: 0, max_fleet_share: 0.01 })).body).toMatchObject({
      max_pending: 0,
      max_fleet_share: 0.01,
    });
    for (const bad of [{ max_pending: -1 }, { max_pending: 1.5 }, { max_fleet_share: 0 }, { max_fleet_share: 1.01 }]) {
      expectError(await api.http.put('/v1/admin/tiers/edge').set(admin).send({ ...base, ...bad }), 400, 'validation_failed');
    }
    const [row] = await api.dataSource.query(`SELECT max_pending, max_fleet_share FROM tiers WHERE name = 'edge'`);
    expect(row).toEqual({ max_pending: 0, max_fleet_share: 0.01 });
  });

  it('admits up to max_pending and refuses the rest, single and batch, with quota_exceeded', async () => {
    const flooder = await api.createCustomer('flooder', 'small');
    const other = await api.createCustomer('other', 'small');
    const auth = { Authorization: `Bearer ${flooder.key}` };
    const batch = (n: number) => ({ items: Array.from({ length: n }, () => ({ workload_type: 'sleep' })) });

    expect((await api.http.post('/v1/workloads/batch').set(auth).send(batch(4))).status).toBe(201);
    // 4 + 2 > 5: the whole batch is refused, none of it written.
    expectError(await api.http.post('/v1/workloads/batch').set(auth).send(batch(2)), 429, 'quota_exceeded');
    expect(await waiting(flooder.customerId)).toBe(4);
    const keyed = await api.http.post('/v1/workloads').set({ ...auth, 'Idempotency-Key': 'admitted' }).send({ workload_type: 'sleep' });
    expect(keyed.status).toBe(201);
    const refused = await api.http.post('/v1/workloads').set(auth).send({ workload_type: 'sleep' });
    expectError(refused, 429, 'quota_exceeded');
    expect(refused.body.error.message).toContain('5 workloads waiting');
    expect(await waiting(flooder.customerId)).toBe(5);
    // At the limit, a repeat of the admitted submission gets it back; a new key is a new workload.
    const repeat = await api.http.post('/v1/workloads').set({ ...auth, 'Idempotency-Key': 'admitted' }).send({ workload_type: 'sleep' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(keyed.body.id);
    expectError(await api.http.post('/v1/workloads').set({ ...auth, 'Idempotency-Key': 'k1' }).send({ workload_type: 'sleep' }), 429, 'quota_exceeded');
    expect(await waiting(flooder.customerId)).toBe(5);

    // Another customer of the same tier has its own quota.
    const mine = await api.http.post('/v1/workloads').set({ Authorization: `Bearer ${other.key}` }).send({ workload_type: 'sleep' });
    expect(mine.status).toBe(201);
    expect(mine.body.pending_reason).toBe('queued: waiting for its turn to be scheduled');
  });
});
