import { MessageType } from '@niyanta/models';
import { eventually, testDatabaseUrl } from '@niyanta/testing';
import { Client } from 'pg';
import { register } from 'prom-client';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';
import { DATABASE_CIRCUIT_METRIC, DatabaseCircuitBreaker } from './database-circuit-breaker.service';

async function metricValue(name: string): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('API resilience (PostgreSQL circuit breaker, operator drain)', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp('api_resilience', { authCacheTtlMs: 60_000 });
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /v1/admin/workers/{id}/drain', () => {
    const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

    async function insertWorker(id: string, status: string): Promise<void> {
      await api.dataSource.query(
        `INSERT INTO workers (id, status, capacity, workload_types, last_heartbeat_at) VALUES ($1, $2, 2, '{sleep}', now())`,
        [id, status],
      );
    }

    it('marks the worker DRAINING, tells it on its control subject, audits it, and answers 202', async () => {
      await insertWorker('drain-me', 'ACTIVE');
      api.clearMessages();
      const res = await api.http.post('/v1/admin/workers/drain-me/drain').set(admin).set('X-Request-Id', 'drain-req-1');

      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: 'drain-me', status: 'DRAINING', capacity: 2 });
      await api.waitForMessages((messages) => messages.some((m) => m.message.type === MessageType.WorkerDrain));
      const drain = api.messages.find((m) => m.message.type === MessageType.WorkerDrain);
      expect(drain?.subject).toBe(`${api.prefix}.worker.drain-me.control`);
      expect(drain?.message.payload).toEqual({ worker_id: 'drain-me', requested_by: 'admin' });
      const audit: Array<{ actor_type: string; request_id: string; before: unknown; after: unknown }> = await api.dataSource.query(
        `SELECT actor_type, request_id, before, after FROM audit_events WHERE action = 'worker.drain_requested'`,
      );
      expect(audit).toEqual([{ actor_type: 'admin', request_id: 'drain-req-1', before: { status: 'ACTIVE' }, after: { status: 'DRAINING' } }]);

      // Asking again is harmless: same answer, no second audit event.
      const again = await api.http.post('/v1/admin/workers/drain-me/drain').set(admin);
      expect(again.status).toBe(202);
      expect(again.body.status).toBe('DRAINING');
      const [{ n }] = await api.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'worker.drain_requested'`);
      expect(n).toBe(1);
    });

    it('answers 404 for an unknown worker, 409 for a dead one, 401 without the operator key', async () => {
      await insertWorker('gone', 'DEAD');
      expectError(await api.http.post('/v1/admin/workers/nobody/drain').set(admin), 404, 'not_found');
      expectError(await api.http.post('/v1/admin/workers/gone/drain').set(admin), 409, 'invalid_state');
      const { key } = await api.createCustomer('not-an-operator');
      expectError(await api.http.post('/v1/admin/workers/gone/drain').set({ Authorization: `Bearer ${key}` }), 401, 'unauthorized');
      expectError(await api.http.post('/v1/admin/workers/gone/drain'), 401, 'unauthorized');
      const [row] = await api.dataSource.query(`SELECT status FROM workers WHERE id = 'gone'`);
      expect(row.status).toBe('DEAD');
    });
  });

  describe('when PostgreSQL goes away', () => {
    let pool: { options: { connectionString?: string }; totalCount: number };
    let realConnectionString: string | undefined;

    beforeAll(() => {
      pool = (api.dataSource.driver as unknown as { master: typeof pool }).master;
      realConnectionString = pool.options.connectionString;
    });

    afterAll(() => {
      pool.options.connectionString = realConnectionString;
    });

    it('opens the circuit after 5 failures, answers 503 with Retry-After without trying, and closes once a probe succeeds', async () => {
      const { key } = await api.createCustomer('breaker');
      const auth = { Authorization: `Bearer ${key}` };
      expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);
      const breaker = api.app.get(DatabaseCircuitBreaker);
      const rejectedBefore = await metricValue(DATABASE_CIRCUIT_METRIC.rejected);

      pool.options.connectionString = 'postgres://postgres@127.0.0.1:1/unreachable';
      const db = new Client({ connectionString: testDatabaseUrl() });
      await db.connect();
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [api.schema]);
      await db.end();
      // Killed connections leave the pool as their errors arrive; then every query needs a new one.
      await eventually('the pool to drop its killed connections', () => pool.totalCount === 0);

      for (let i = 0; i < 5; i++) {
        const res = await api.http.post('/v1/workloads').set(auth).send({ workload_type: 'sleep', input: {} });
        expectError(res, 503, 'dependency_unavailable');
        expect(res.headers['retry-after']).toBeUndefined();
      }
      expect(breaker.circuitState).toBe('open');
      expect(await metricValue(DATABASE_CIRCUIT_METRIC.state)).toBe(1);

      const gated = await api.http.get('/v1/workloads').set(auth);
      expectError(gated, 503, 'dependency_unavailable');
      expect(Number(gated.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Refused by the open circuit, without trying the database.
      expect(await metricValue(DATABASE_CIRCUIT_METRIC.rejected)).toBe(rejectedBefore + 1);
      // The failed submissions left nothing behind.
      pool.options.connectionString = realConnectionString;
      const [{ n }] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workloads`);
      expect(n).toBe(0);

      // PostgreSQL is back: the next probe (≤ 0.6 s after opening) closes the circuit without a request's help.
      await eventually('the probe to close the circuit', () => breaker.circuitState === 'closed');
      expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);
    });
  });
});
