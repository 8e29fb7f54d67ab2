import { eventually, testDatabaseUrl } from '@niyanta/testing';
import { Client } from 'pg';
import { expectError, startApiTestApp, type ApiTestApp } from '../testing/api-test-app';

describe('API when PostgreSQL is unreachable', () => {
  let api: ApiTestApp;
  let pool: { options: { connectionString?: string }; totalCount: number };
  let realConnectionString: string | undefined;

  beforeAll(async () => {
    api = await startApiTestApp('api_dependency', { authCacheTtlMs: 60_000 });
    pool = (api.dataSource.driver as unknown as { master: typeof pool }).master;
    realConnectionString = pool.options.connectionString;
  });

  afterAll(async () => {
    if (pool) pool.options.connectionString = realConnectionString;
    await api?.close();
  });

  it('answers 503 dependency_unavailable, and serves again once PostgreSQL is back', async () => {
    const { key } = await api.createCustomer('c');
    const auth = { Authorization: `Bearer ${key}` };
    // Authenticated once, so the key is cached and the request reaches the database-backed route.
    expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);

    // PostgreSQL "goes away": new connections are refused and the open ones are killed.
    pool.options.connectionString = 'postgres://postgres@127.0.0.1:1/unreachable';
    const admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [api.schema]);
    await admin.end();
    // Killed connections leave the pool as their errors arrive; then every query needs a new one.
    await eventually('the pool to drop its killed connections', () => pool.totalCount === 0);

    const read = await api.http.get('/v1/workloads').set(auth);
    expectError(read, 503, 'dependency_unavailable');
    expect(read.body.error.message).toBe('postgresql is unavailable');
    expectError(await api.http.post('/v1/workloads').set(auth).send({ workload_type: 'sleep' }), 503, 'dependency_unavailable');

    pool.options.connectionString = realConnectionString;
    expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);
  });
});
