import { startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';

describe('/v1/schedules', () => {
  let api: ApiTestApp;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'nightly',
    cron: '30 2 * * *',
    timezone: 'Europe/London',
    workload: { workload_type: 'sleep', input: { duration_ms: 5 } },
    ...overrides,
  });

  beforeAll(async () => {
    api = await startApiTestApp('schedules_api');
    alice = await api.createCustomer('alice', 'free');
    bob = await api.createCustomer('bob');
  });

  afterAll(async () => {
    await api?.close();
  });

  beforeEach(async () => {
    await api.dataSource.query(`TRUNCATE schedules, workloads, workload_configs CASCADE`);
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 2)`);
  });

  async function scheduleCount(): Promise<number> {
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM schedules`);
    return row.n;
  }

  it('creates a schedule with its next tick in the time zone, and shows it with its runs', async () => {
    const created = await api.http.post('/v1/schedules').set(auth(alice.key)).send(body()).expect(201);
    expect(created.body).toMatchObject({ name: 'nightly', cron: '30 2 * * *', timezone: 'Europe/London', overlap: 'skip', paused: false });
    const next = new Date(created.body.next_run_at);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
    expect(['02:30', '03:30']).toContain(local);

    const got = await api.http.get(`/v1/schedules/${created.body.id}`).set(auth(alice.key)).expect(200);
    expect(got.body.last_runs).toEqual([]);
    const list = await api.http.get('/v1/schedules').set(auth(alice.key)).expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    // Another customer's schedule is 404.
    await api.http.get(`/v1/schedules/${created.body.id}`).set(auth(bob.key)).expect(404);
  });

  it.each([
    ['a cron with 4 fields', { cron: '* * * *' }, 'cron'],
    ['an impossible minute', { cron: '61 * * * *' }, 'cron'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['an unregistered workload type', { workload: { workload_type: 'nope' } }, 'workload.workload_type'],
    ['a bad overlap', { overlap: 'sometimes' }, 'overlap'],
    ['a missing workload', { workload: undefined }, 'workload'],
  ])('refuses %s with 400 in the error shape and creates nothing', async (_case, overrides, path) => {
    const response = await api.http.post('/v1/schedules').set(auth(alice.key)).send(body(overrides)).expect(400);
    expect(response.body.error.code).toMatch(/validation_failed|unknown_workload_type/);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(response.body.error.request_id).toEqual(expect.any(String));
    expect(await scheduleCount()).toBe(0);
  });

  it('pauses, resumes, changes, triggers and deletes, each change audited', async () => {
    const { body: created } = await api.http.post('/v1/schedules').set(auth(alice.key)).send(body({ cron: '0 0 1 1 *' })).expect(201);
    const id = created.id;
    const paused = await api.http.post(`/v1/schedules/${id}/pause`).set(auth(alice.key)).expect(200);
    expect(paused.body).toMatchObject({ paused: true, next_run_at: null });
    const resumed = await api.http.post(`/v1/schedules/${id}/resume`).set(auth(alice.key)).expect(200);
    expect(resumed.body.next_run_at).toEqual(expect.any(String));
    const changed = await api.http.patch(`/v1/schedules/${id}`).set(auth(alice.key)).send({ cron: '*/5 * * * * *', overlap: 'allow' }).expect(200);
    expect(new Date(changed.body.next_run_at).getTime() - Date.now()).toBeLessThanOrEqual(5_000);
    await api.http.patch(`/v1/schedules/${id}`).set(auth(alice.key)).send({ cron: 'nope' }).expect(400);

    const trigger = await api.http.post(`/v1/schedules/${id}/trigger`).set(auth(alice.key)).set('Idempotency-Key', 'run-1').expect(201);
    const again = await api.http.post(`/v1/schedules/${id}/trigger`).set(auth(alice.key)).set('Idempotency-Key', 'run-1').expect(201);
    expect(again.body.workload_id).toBe(trigger.body.workload_id);
    const workload = await api.http.get(`/v1/workloads/${trigger.body.workload_id}`).set(auth(alice.key)).expect(200);
    expect(workload.body).toMatchObject({ schedule_id: id, status: 'PENDING', priority: 100 });
    const got = await api.http.get(`/v1/schedules/${id}`).set(auth(alice.key)).expect(200);
    expect(got.body.last_runs).toEqual([expect.objectContaining({ workload_id: trigger.body.workload_id, tick: null })]);

    await api.http.delete(`/v1/schedules/${id}`).set(auth(alice.key)).expect(204);
    await api.http.delete(`/v1/schedules/${id}`).set(auth(alice.key)).expect(404);
    const actions: Array<{ action: string }> = await api.dataSource.query(
      `SELECT action FROM audit_events WHERE details->>'schedule_id' = $1 AND action LIKE 'schedule.%' ORDER BY id`,
      [id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'schedule.created',
      'schedule.paused',
      'schedule.resumed',
      'schedule.updated',
      'schedule.triggered',
      'schedule.triggered',
      'schedule.deleted',
    ]);
  });

  it('holds the tier limit (429 quota_exceeded) and a unique name (409 conflict)', async () => {
    await api.dataSource.query(`UPDATE tiers SET max_schedules = 2 WHERE name = 'free'`);
    try {
      await api.http.post('/v1/schedules').set(auth(alice.key)).send(body({ name: 'a' })).expect(201);
      const taken = await api.http.post('/v1/schedules').set(auth(alice.key)).send(body({ name: 'a' })).expect(409);
      expect(taken.body.error.code).toBe('conflict');
      await api.http.post('/v1/schedules').set(auth(alice.key)).send(body({ name: 'b' })).expect(201);
      const over = await api.http.post('/v1/schedules').set(auth(alice.key)).send(body({ name: 'c' })).expect(429);
      expect(over.body.error.code).toBe('quota_exceeded');
      expect(await scheduleCount()).toBe(2);
      // Another customer's tier is its own.
      await api.http.post('/v1/schedules').set(auth(bob.key)).send(body({ name: 'a' })).expect(201);
    } finally {
      await api.dataSource.query(`UPDATE tiers SET max_schedules = 10 WHERE name = 'free'`);
    }
  });

  it('takes the limit from the tier as the admin API defines it (max_schedules), refusing bad values', async () => {
    const admin = auth(TEST_ADMIN_KEY);
    const tier = { requests_per_second: 100, burst: 100, max_running: 10, scheduling_weight: 0, max_priority: 1000 };
    for (const bad of [-1, 1.5, 'many']) {
      await api.http.put('/v1/admin/tiers/one-schedule').set(admin).send({ ...tier, max_schedules: bad }).expect(400);
    }
    const defined = await api.http.put('/v1/admin/tiers/one-schedule').set(admin).send({ ...tier, max_schedules: 1 }).expect(201);
    expect(defined.body).toMatchObject({ name: 'one-schedule', max_schedules: 1 });
    const carol = await api.createCustomer('carol', 'one-schedule');
    await api.http.post('/v1/schedules').set(auth(carol.key)).send(body({ name: 'first' })).expect(201);
    const over = await api.http.post('/v1/schedules').set(auth(carol.key)).send(body({ name: 'second' })).expect(429);
    expect(over.body.error.code).toBe('quota_exceeded');
    expect(await scheduleCount()).toBe(1);
  });

  it('pages through schedules with the cursor', async () => {
    for (const name of ['one', 'two', 'three']) await api.http.post('/v1/schedules').set(auth(bob.key)).send(body({ name })).expect(201);
    const first = await api.http.get('/v1/schedules?limit=2').set(auth(bob.key)).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await api.http.get(`/v1/schedules?limit=2&cursor=${first.body.next_cursor}`).set(auth(bob.key)).expect(200);
    expect(second.body.items.map((s: { name: string }) => s.name)).toEqual(['one']);
    expect(second.body.next_cursor).toBeNull();
    await api.http.get('/v1/schedules?cursor=not-a-cursor').set(auth(bob.key)).expect(400);
  });
});
