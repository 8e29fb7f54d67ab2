import { eventually, testDatabaseUrl } from '@niyanta/testing';
import { Client } from 'pg';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';

const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

describe('tenancy API: tiers, customers, keys, rate limits, audit', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    // Every auth failure its own audit row (aggregation is proven in tenant-isolation.int-spec.ts).
    api = await startApiTestApp('api_tenancy', { authFailureWindowMs: 0 });
    await api.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds) VALUES ('sleep', 900, 3, 30)`,
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  it('lists and defines tiers, and customers may only be put on defined ones', async () => {
    const list = await api.http.get('/v1/admin/tiers').set(admin);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['enterprise', 'free', 'premium', 'standard']);
    const body = { requests_per_second: 2, burst: 3, max_running: 1, scheduling_weight: 10, max_priority: 300 };
    const created = await api.http.put('/v1/admin/tiers/tiny').set(admin).send(body);
    expect(created.status).toBe(201);
    expect((await api.http.put('/v1/admin/tiers/tiny').set(admin).send({ ...body, burst: 4 })).status).toBe(200);
    expect((await api.http.put('/v1/admin/tiers/tiny').set(admin).send(body)).body).toMatchObject({ name: 'tiny', ...body });
    expectError(await api.http.put('/v1/admin/tiers/Bad%20Name').set(admin).send(body), 400, 'validation_failed');
    expectError(await api.http.put('/v1/admin/tiers/x').set(admin).send({ ...body, burst: 0 }), 400, 'validation_failed');
    expectError(await api.http.post('/v1/admin/customers').set(admin).send({ name: 'n', tier: 'platinum' }), 400, 'validation_failed');
    expect((await api.http.post('/v1/admin/customers').set(admin).send({ name: 'n', tier: 'tiny' })).status).toBe(201);
  });

  it('rate limits per customer with headers on success and 429 + Retry-After beyond the burst', async () => {
    const customer = await api.createCustomer('limited', 'tiny'); // 2/s, burst 3 (the admin calls above)
    const auth = { Authorization: `Bearer ${customer.key}` };
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await api.http.get('/v1/workloads').set(auth));
    // Taken at the refusal: the steps below take time of their own on a busy machine.
    const refused = Date.now();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(responses.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(responses.every((r) => r.headers['x-ratelimit-limit'] === '3')).toBe(true);
    expect(Number(responses[0]?.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    const limited = responses[3];
    if (!limited) throw new Error('missing response');
    expectError(limited, 429, 'rate_limited');
    expect(limited.headers['retry-after']).toBe('1');
    // Another customer is not affected.
    const other = await api.createCustomer('other', 'tiny');
    expect((await api.http.get('/v1/workloads').set({ Authorization: `Bearer ${other.key}` })).status).toBe(200);
    // The bucket refills with time, as Retry-After told the client: the signal is a request admitted again.
    await eventually('a request admitted after the refill', async () => (await api.http.get('/v1/workloads').set(auth)).status === 200, 15_000, 100);
    // Not before a token could have been added (2/s: one every 500 ms, minus clock rounding).
    expect(Date.now() - refused).toBeGreaterThanOrEqual(400);
  });

  it('refuses a priority above the tier\'s ceiling and lowers a type default above it', async () => {
    const customer = await api.createCustomer('prio', 'free'); // max_priority 500
    const auth = { Authorization: `Bearer ${customer.key}` };
    const refused = await api.http.post('/v1/workloads').set(auth).send({ workload_type: 'sleep', priority: 501 });
    expectError(refused, 400, 'validation_failed');
    expect(refused.body.error.details).toEqual([{ path: 'priority', message: 'must be at most 500 on this tier' }]);
    const batch = await api.http.post('/v1/workloads/batch').set(auth).send({ items: [{ workload_type: 'sleep' }, { workload_type: 'sleep', priority: 900 }] });
    expect(batch.body.error.details).toEqual([{ path: 'items.1.priority', message: 'must be at most 500 on this tier' }]);
    const defaulted = await api.http.post('/v1/workloads').set(auth).send({ workload_type: 'sleep' });
    expect(defaulted.body.priority).toBe(500);
  });

  it('pages customers, changes tiers, suspends and reactivates with 403 in between, and lists keys', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.http.get('/v1/admin/customers').set(admin).query(cursor ? { limit: 2, cursor } : { limit: 2 });
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.next_cursor ?? undefined;
    } while (cursor);
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM customers`);
    expect(new Set(ids).size).toBe(row.n);
    expectError(await api.http.get('/v1/admin/customers').set(admin).query({ cursor: 'bm90LWEtY3Vyc29y' }), 400, 'validation_failed');

    const customer = await api.createCustomer('suspendable', 'standard');
    const auth = { Authorization: `Bearer ${customer.key}` };
    expect((await api.http.patch(`/v1/admin/customers/${customer.customerId}`).set(admin).send({ tier: 'premium' })).body.tier).toBe('premium');
    expectError(await api.http.patch(`/v1/admin/customers/${customer.customerId}`).set(admin).send({ tier: 'nope' }), 400, 'validation_failed');
    expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);
    expect((await api.http.post(`/v1/admin/customers/${customer.customerId}/suspend`).set(admin)).body.status).toBe('suspended');
    expectError(await api.http.get('/v1/workloads').set(auth), 403, 'forbidden');
    expect((await api.http.post(`/v1/admin/customers/${customer.customerId}/unsuspend`).set(admin)).body.status).toBe('active');
    expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);
    expect((await api.http.get(`/v1/admin/customers/${customer.customerId}`).set(admin)).body).toMatchObject({ tier: 'premium', status: 'active' });
    expectError(await api.http.get('/v1/admin/customers/00000000-0000-4000-8000-000000000000').set(admin), 404, 'not_found');

    const keys = await api.http.get(`/v1/admin/customers/${customer.customerId}/api-keys`).set(admin);
    expect(keys.body.items).toEqual([expect.objectContaining({ id: customer.keyId, customer_id: customer.customerId, revoked_at: null })]);
    expect(JSON.stringify(keys.body)).not.toContain(customer.key.slice(14));
  });

  it('edits workload type configs', async () => {
    const updated = await api.http.patch('/v1/admin/workload-types/sleep').set(admin).send({ max_retries: 6, timeout_seconds: null });
    expect(updated.body).toMatchObject({ workload_type: 'sleep', max_retries: 6, timeout_seconds: null, default_priority: 900 });
    expectError(await api.http.patch('/v1/admin/workload-types/nope').set(admin).send({ max_retries: 1 }), 404, 'not_found');
    expect((await api.http.get('/v1/admin/workload-types').set(admin)).body.items).toHaveLength(1);
    // The fleet-wide cap of a type: set, kept when absent, cleared by null, and refused below 1.
    expect((await api.http.patch('/v1/admin/workload-types/sleep').set(admin).send({ max_concurrent: 50 })).body).toMatchObject({ max_concurrent: 50, max_retries: 6 });
    expect((await api.http.patch('/v1/admin/workload-types/sleep').set(admin).send({ max_retries: 7 })).body).toMatchObject({ max_concurrent: 50 });
    expect((await api.http.patch('/v1/admin/workload-types/sleep').set(admin).send({ max_concurrent: null })).body).toMatchObject({ max_concurrent: null });
    expectError(await api.http.patch('/v1/admin/workload-types/sleep').set(admin).send({ max_concurrent: 0 }), 400, 'validation_failed');
  });

  it('answers the audit query with filters and pages, admin actions and auth failures included', async () => {
    await api.http.get('/v1/workloads').set('Authorization', 'Bearer nyk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb').set('X-Request-Id', 'probe-audit');
    const failure = await eventually('the auth failure in the audit log', async () => {
      const res = await api.http.get('/v1/admin/audit-events').set(admin).query({ action: 'auth.failed' });
      return res.body.items.find((e: { request_id: string }) => e.request_id === 'probe-audit');
    });
    expect(failure).toMatchObject({ action: 'auth.failed', actor_type: 'customer', details: { reason: 'unknown_key' } });

    const suspended = await api.http.get('/v1/admin/audit-events').set(admin).query({ action: 'customer.suspended', actor_type: 'admin', actor_id: 'operator' });
    expect(suspended.body.items).toHaveLength(1);
    expect(suspended.body.items[0]).toMatchObject({ before: { status: 'active' }, after: { status: 'suspended' } });
    expect(suspended.body.items[0].customer_id).toEqual(expect.any(String));

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.http.get('/v1/admin/audit-events').set(admin).query(cursor ? { limit: 5, cursor } : { limit: 5 });
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.next_cursor ?? undefined;
    } while (cursor);
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(seen).toHaveLength(row.n);
    expect([...seen].map(Number)).toEqual([...seen].map(Number).sort((a, b) => b - a));
    const future = await api.http.get('/v1/admin/audit-events').set(admin).query({ from: '2999-01-01T00:00:00Z' });
    expect(future.body.items).toEqual([]);
    expectError(await api.http.get('/v1/admin/audit-events').set(admin).query({ actor_type: 'robot' }), 400, 'validation_failed');
  });
});

describe('auth failures during a PostgreSQL outage', () => {
  let api: ApiTestApp;
  let pool: { options: { connectionString?: string } };
  let realConnectionString: string | undefined;

  beforeAll(async () => {
    // 120 failures from the test's one address, each its own row: the outbox's durability per event is
    // what is tested here; aggregation and the source throttle are proven in tenant-isolation.int-spec.ts.
    api = await startApiTestApp('api_auth_outage', { authFailureWindowMs: 0, authThrottle: false });
    pool = (api.dataSource.driver as unknown as { master: typeof pool }).master;
    realConnectionString = pool.options.connectionString;
  });

  afterAll(async () => {
    if (pool) pool.options.connectionString = realConnectionString;
    await api?.close();
  });

  it('answers 401 at once, keeps the auth.failed events while the database is down, and writes them all once it is back', async () => {
    const count = async () => (await api.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.failed'`))[0].n as number;
    const before = await count();
    pool.options.connectionString = 'postgres://postgres@127.0.0.1:1/unreachable';
    const admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [api.schema]);
    await admin.end();

    // Answered while the database is still unreachable: none of them waited for it.
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => api.http.get('/v1/workloads').set('X-Request-Id', `outage-${i}`)));
    expect(answers.every((res) => res.status === 401)).toBe(true);
    await eventually('the 120 auth.failed events held in memory', () => api.app.get(ApiKeyAuthService).pendingAuditEvents === 120);

    pool.options.connectionString = realConnectionString;
    await eventually('the held events written', async () => (await count()) >= before + 120, 20_000);
    expect(await count()).toBe(before + 120);
    const ids: Array<{ request_id: string }> = await api.dataSource.query(
      `SELECT request_id FROM audit_events WHERE action = 'auth.failed' AND request_id LIKE 'outage-%'`,
    );
    expect(new Set(ids.map((row) => row.request_id)).size).toBe(120);
  });
});
