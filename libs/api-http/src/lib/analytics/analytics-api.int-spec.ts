import { AnalyticsRollupRepository } from '@niyanta/state';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';

const HOUR = 3_600_000;

describe('analytics API', () => {
  let api: ApiTestApp;
  let rollups: AnalyticsRollupRepository;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const as = (who: { key: string }) => ({ Authorization: `Bearer ${who.key}` });

  beforeAll(async () => {
    api = await startApiTestApp('api_analytics');
    rollups = new AnalyticsRollupRepository(api.dataSource);
    alice = await api.createCustomer('alice', 'premium');
    bob = await api.createCustomer('bob', 'free');
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 3), ('render', 100, 3)`);
    await api.dataSource.query(`INSERT INTO workers (id, region, capacity, registered_at) VALUES ('w-eu', 'eu', 4, now() - interval '2 hours')`);
    // Alice: 3 sleep workloads completed (wait 20 ms, run 1 s) and 1 render still pending; bob: 1 sleep cancelled.
    for (let i = 0; i < 3; i++) await finish(await submit(alice, 'sleep', { n: String(i) }), 'COMPLETED');
    await submit(alice, 'render', { team: 'x,"y"' });
    await finish(await submit(bob, 'sleep'), 'CANCELLED');
    await rollups.rollUp({ batchSize: 10_000, settleMs: 0 });
  });

  afterAll(async () => {
    await api?.close();
  });

  async function submit(who: { key: string }, type: string, labels: Record<string, string> = {}): Promise<string> {
    const res = await api.http.post('/v1/workloads').set(as(who)).send({ workload_type: type, labels });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** Ends a workload as the worker or a cancel would, with the audit event they write. */
  async function finish(id: string, status: 'COMPLETED' | 'CANCELLED'): Promise<void> {
    const started = status === 'COMPLETED';
    await api.dataSource.query(
      `UPDATE workloads SET status = $2, worker_id = CASE WHEN $3 THEN 'w-eu' END,
              started_at = CASE WHEN $3 THEN created_at + interval '20 milliseconds' END,
              completed_at = created_at + interval '1020 milliseconds' WHERE id = $1`,
      [id, status, started],
    );
    await api.dataSource.query(
      `INSERT INTO audit_events (customer_id, workload_id, actor_type, action) SELECT customer_id, id, 'worker', $2 FROM workloads WHERE id = $1`,
      [id, `workload.${status.toLowerCase()}`],
    );
  }

  const sum = (items: Array<Record<string, number>>, field: string) => items.reduce((n, item) => n + (item[field] ?? 0), 0);

  describe('GET /v1/analytics/summary', () => {
    it('counts only the caller\'s workloads, with latency percentiles', async () => {
      const res = await api.http.get('/v1/analytics/summary').query({ bucket: 'minute', from: new Date(Date.now() - HOUR).toISOString() }).set(as(alice));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ bucket: 'minute', group_by: [] });
      expect(sum(res.body.items, 'submitted')).toBe(4);
      expect(sum(res.body.items, 'completed')).toBe(3);
      expect(sum(res.body.items, 'cancelled')).toBe(0);
      const finished = res.body.items.find((item: { completed: number }) => item.completed > 0);
      expect(finished.wait_ms.p50).toBeGreaterThanOrEqual(20);
      expect(finished.wait_ms.p50).toBeLessThan(50);
      expect(finished.run_ms.p99).toBeGreaterThanOrEqual(1000);
      expect(finished.run_ms.p99).toBeLessThan(2000);
      expect(finished).toMatchObject({ workload_type: null, tier: null, customer_id: null });

      const bobs = await api.http.get('/v1/analytics/summary').set(as(bob));
      expect(sum(bobs.body.items, 'submitted')).toBe(1);
      expect(sum(bobs.body.items, 'cancelled')).toBe(1);
      expect(sum(bobs.body.items, 'completed')).toBe(0);
    });

    it('splits by type and tier, and filters by type and outcome', async () => {
      const res = await api.http.get('/v1/analytics/summary').query({ group_by: 'workload_type,tier', bucket: 'day' }).set(as(alice));
      expect(res.status).toBe(200);
      const byType = Object.fromEntries(res.body.items.map((item: { workload_type: string; submitted: number; tier: string }) => [item.workload_type, item]));
      expect(byType['sleep']).toMatchObject({ tier: 'premium', submitted: 3, completed: 3 });
      expect(byType['render']).toMatchObject({ tier: 'premium', submitted: 1, completed: 0 });

      const onlyRender = await api.http.get('/v1/analytics/summary').query({ workload_type: 'render' }).set(as(alice));
      expect(sum(onlyRender.body.items, 'submitted')).toBe(1);
      const onlyFailed = await api.http.get('/v1/analytics/summary').query({ status: 'FAILED' }).set(as(alice));
      expect(sum(onlyFailed.body.items, 'completed')).toBe(0);
      expect(sum(onlyFailed.body.items, 'submitted')).toBe(4);
    });

    it('refuses an inverted range, one past retention, a malformed time and unknown values', async () => {
      const now = Date.now();
      const inverted = await api.http.get('/v1/analytics/summary').query({ from: new Date(now).toISOString(), to: new Date(now - HOUR).toISOString() }).set(as(alice));
      expectError(inverted, 400, 'validation_failed');
      expect(inverted.body.error.details).toEqual([{ path: 'from', message: 'must be before to' }]);
      const old = await api.http.get('/v1/analytics/summary').query({ bucket: 'minute', from: new Date(now - 3 * 24 * HOUR).toISOString() }).set(as(alice));
      expectError(old, 400, 'validation_failed');
      expect(old.body.error.message).toContain('retention');
      expectError(await api.http.get('/v1/analytics/summary').query({ from: '2026-01-01' }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/analytics/summary').query({ bucket: 'week' }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/analytics/summary').query({ status: 'RUNNING' }).set(as(alice)), 400, 'validation_failed');
      // customer_id is an operator's dimension only.
      expectError(await api.http.get('/v1/analytics/summary').query({ group_by: 'customer_id' }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/analytics/summary'), 401, 'unauthorized');
    });
  });

  describe('GET /v1/analytics/workers', () => {
    it('reports the caller\'s busy time against the fleet\'s slots, per worker and region', async () => {
      const res = await api.http.get('/v1/analytics/workers').set(as(alice));
      expect(res.status).toBe(200);
      expect(res.body.workers).toHaveLength(1);
      const [worker] = res.body.workers;
      expect(worker).toMatchObject({ worker_id: 'w-eu', region: 'eu', capacity: 4 });
      expect(worker.busy_slot_seconds).toBeCloseTo(3, 1);
      expect(worker.slot_seconds).toBeGreaterThan(4 * 7000);
      expect(worker.utilization).toBeCloseTo(worker.busy_slot_seconds / worker.slot_seconds, 6);
      expect(res.body.regions).toEqual([expect.objectContaining({ region: 'eu', workers: 1, busy_slot_seconds: worker.busy_slot_seconds })]);
      const bobs = await api.http.get('/v1/analytics/workers').set(as(bob));
      expect(bobs.body.workers[0].busy_slot_seconds).toBe(0);
    });
  });

  describe('GET /v1/analytics/export', () => {
    it('streams the caller\'s workloads as JSON', async () => {
      const res = await api.http.get('/v1/analytics/export').query({ format: 'json' }).set(as(alice));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body.items).toHaveLength(4);
      expect(new Set(res.body.items.map((row: { customer_id: string }) => row.customer_id))).toEqual(new Set([alice.customerId]));
      const done = res.body.items.find((row: { status: string }) => row.status === 'COMPLETED');
      expect(done).toMatchObject({ workload_type: 'sleep', wait_ms: 20, run_ms: 1000, worker_id: 'w-eu', region: 'eu', attempt: 1 });
      expect(res.body.items.find((row: { workload_type: string }) => row.workload_type === 'render').labels).toEqual({ team: 'x,"y"' });
    });

    it('streams CSV with a header and quoted text fields', async () => {
      const res = await api.http.get('/v1/analytics/export').query({ format: 'csv', status: 'PENDING' }).set(as(alice)).buffer(true).parse((r, cb) => {
        let text = '';
        r.on('data', (chunk: Buffer) => (text += chunk.toString()));
        r.on('end', () => cb(null, text));
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      const lines = (res.body as string).trim().split('\r\n');
      expect(lines[0]).toBe('id,customer_id,workload_type,status,attempt,created_at,scheduled_at,started_at,completed_at,wait_ms,run_ms,worker_id,region,labels');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(',"render",PENDING,1,');
      expect(lines[1]?.endsWith('"{""team"": ""x,\\""y\\""""}"')).toBe(true);
    });

    it('refuses a bad format in the error shape', async () => {
      expectError(await api.http.get('/v1/analytics/export').query({ format: 'xml' }).set(as(alice)), 400, 'validation_failed');
    });
  });

  describe('/v1/admin/analytics', () => {
    it('sees every customer, with customer_id as a dimension and a filter', async () => {
      const res = await api.http.get('/v1/admin/analytics/summary').query({ group_by: 'customer_id', bucket: 'day' }).set(admin);
      expect(res.status).toBe(200);
      const byCustomer = Object.fromEntries(res.body.items.map((item: { customer_id: string }) => [item.customer_id, item]));
      expect(byCustomer[alice.customerId]).toMatchObject({ submitted: 4, completed: 3 });
      expect(byCustomer[bob.customerId]).toMatchObject({ submitted: 1, cancelled: 1 });
      const onlyBob = await api.http.get('/v1/admin/analytics/summary').query({ customer_id: bob.customerId }).set(admin);
      expect(sum(onlyBob.body.items, 'submitted')).toBe(1);

      const all = await api.http.get('/v1/admin/analytics/export').set(admin);
      expect(all.body.items).toHaveLength(5);
      const workers = await api.http.get('/v1/admin/analytics/workers').set(admin);
      expect(workers.body.workers[0].busy_slot_seconds).toBeCloseTo(3, 1);
    });

    it('is for the admin key only', async () => {
      expectError(await api.http.get('/v1/admin/analytics/summary').set(as(alice)), 401, 'unauthorized');
      expectError(await api.http.get('/v1/admin/analytics/summary').query({ customer_id: 'nope' }).set(admin), 400, 'validation_failed');
    });
  });
});
