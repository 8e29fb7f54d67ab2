import { expectError, startApiTestApp, type ApiTestApp } from '../../testing/api-test-app';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('workloads API: checkpoint policy and batch pause/resume', () => {
  let api: ApiTestApp;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };

  beforeAll(async () => {
    api = await startApiTestApp('api_ckpt_policy', { bodyLimitBytes: 64 * 1024 });
    alice = await api.createCustomer('alice');
    bob = await api.createCustomer('bob');
    await api.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds, checkpoint_progress_step)
       VALUES ('sleep', 100, 3, 30, 0.2)`,
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  const as = (who: { key: string }) => ({ Authorization: `Bearer ${who.key}` });

  async function submit(who: { key: string }, body: Record<string, unknown> = { workload_type: 'sleep' }) {
    const res = await api.http.post('/v1/workloads').set(as(who)).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; attempt: number };
  }

  async function storedPolicy(id: string): Promise<unknown> {
    const [row] = await api.dataSource.query(`SELECT checkpoint_policy FROM workloads WHERE id = $1`, [id]);
    return row.checkpoint_policy;
  }

  it('stores only the fields of checkpoint_policy that were given, so the others keep following the type', async () => {
    expect(await storedPolicy((await submit(alice)).id)).toBeNull();
    const both = await submit(alice, { workload_type: 'sleep', checkpoint_policy: { interval_seconds: 5, progress_step: 0.5 } });
    expect(await storedPolicy(both.id)).toEqual({ intervalSeconds: 5, progressStep: 0.5 });
    const intervalOnly = await submit(alice, { workload_type: 'sleep', checkpoint_policy: { interval_seconds: 120 } });
    expect(await storedPolicy(intervalOnly.id)).toEqual({ intervalSeconds: 120 });
    const offByTime = await submit(alice, { workload_type: 'sleep', checkpoint_policy: { interval_seconds: null } });
    expect(await storedPolicy(offByTime.id)).toEqual({ intervalSeconds: null });
    expect(await storedPolicy((await submit(alice, { workload_type: 'sleep', checkpoint_policy: {} })).id)).toBeNull();

    const batch = await api.http
      .post('/v1/workloads/batch')
      .set(as(alice))
      .send({ items: [{ workload_type: 'sleep', checkpoint_policy: { progress_step: 0.1 } }] });
    expect(batch.status).toBe(201);
    expect(await storedPolicy(batch.body.items[0].id)).toEqual({ progressStep: 0.1 });
  });

  it.each([
    [{ interval_seconds: 0 }, 'checkpoint_policy.interval_seconds'],
    [{ interval_seconds: 1.5 }, 'checkpoint_policy.interval_seconds'],
    [{ interval_seconds: 86_401 }, 'checkpoint_policy.interval_seconds'],
    [{ progress_step: 0 }, 'checkpoint_policy.progress_step'],
    [{ progress_step: 1.5 }, 'checkpoint_policy.progress_step'],
    [{ progress_step: '0.5' }, 'checkpoint_policy.progress_step'],
    [{ every: 3 }, 'checkpoint_policy.every'],
  ])('rejects checkpoint_policy %j with 400 naming %s', async (policy, path) => {
    const res = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'sleep', checkpoint_policy: policy });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('batch-pauses (PENDING at once, RUNNING through PAUSING) and batch-resumes, with a result per id', async () => {
    const pending = await submit(alice);
    const running = await submit(alice);
    const done = await submit(alice);
    const theirs = await submit(bob);
    await api.dataSource.query(`UPDATE workloads SET status = 'RUNNING', worker_id = 'w-9' WHERE id = $1`, [running.id]);
    await api.dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE id = $1`, [done.id]);
    api.clearMessages();

    const paused = await api.http
      .post('/v1/workloads/batch/pause')
      .set(as(alice))
      .send({ ids: [pending.id, running.id, done.id, theirs.id, MISSING_ID] });
    expect(paused.status).toBe(200);
    expect(paused.body.results.map((r: { id: string; status: string; workload?: { status: string } }) => [r.id, r.status, r.workload?.status])).toEqual([
      [pending.id, 'applied', 'PAUSED'],
      [running.id, 'applied', 'PAUSING'],
      [done.id, 'invalid_state', 'COMPLETED'],
      [theirs.id, 'not_found', undefined],
      [MISSING_ID, 'not_found', undefined],
    ]);
    // The worker running one of them is told to checkpoint and stop.
    await api.waitForMessages((messages) => messages.some((m) => m.subject === `${api.prefix}.worker.w-9.control`));
    const [{ status: bobsStatus }] = await api.dataSource.query(`SELECT status FROM workloads WHERE id = $1`, [theirs.id]);
    expect(bobsStatus).toBe('PENDING');

    const resumed = await api.http.post('/v1/workloads/batch/resume').set(as(alice)).send({ ids: [pending.id, running.id] });
    expect(resumed.status).toBe(200);
    expect(resumed.body.results.map((r: { status: string; workload: { status: string; attempt: number } }) => [r.status, r.workload.status, r.workload.attempt])).toEqual([
      ['applied', 'PENDING', 2],
      // Still PAUSING (its worker has not handed it back): resuming it is not allowed yet.
      ['invalid_state', 'PAUSING', 1],
    ]);
    expectError(await api.http.post('/v1/workloads/batch/pause').set(as(alice)).send({ ids: [] }), 400, 'validation_failed');
  });
});
