import { eventually } from '@niyanta/testing';
import { DomainError, ErrorCode } from '@niyanta/models';
import { ApiKeyRepository, AuditRepository } from '@niyanta/state';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../testing/api-test-app';
import { generateApiKey } from './auth/api-key.codec';
import { ApiKeyAuthService } from './auth/api-key-auth.service';
import { seedDevCustomer } from './seed/seed-dev-customer';

const AUTH_CACHE_TTL_MS = 300;
const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

describe('API auth, admin, errors and docs', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    // Every failure its own audit row and no throttling of the test's one address: this suite checks
    // what each failure records; aggregation and throttling are proven in tenant-isolation.int-spec.ts.
    api = await startApiTestApp('api_auth_admin', { authCacheTtlMs: AUTH_CACHE_TTL_MS, authFailureWindowMs: 0, authThrottle: false });
  });

  afterAll(async () => {
    await api?.close();
  });

  async function authFailures(): Promise<Array<{ details: { reason: string }; key_id: string | null; request_id: string | null }>> {
    return api.dataSource.query(`SELECT details, key_id, request_id FROM audit_events WHERE action = 'auth.failed' ORDER BY id`);
  }

  async function waitForAuthFailures(count: number): Promise<Awaited<ReturnType<typeof authFailures>>> {
    // The events are written after the responses; the assertions name what is missing on a timeout.
    await eventually(`${count} auth failures`, async () => (await authFailures()).length >= count).catch(() => undefined);
    return authFailures();
  }

  describe('customer auth', () => {
    it('answers 401 without a key, with a malformed one and with an unknown one, auditing each', async () => {
      await api.dataSource.query(`DELETE FROM audit_events WHERE action = 'auth.failed'`);
      expectError(await api.http.get('/v1/workloads'), 401, 'unauthorized');
      expectError(await api.http.get('/v1/workloads').set('Authorization', 'Bearer not-a-key'), 401, 'unauthorized');
      const unknown = await api.http.get('/v1/workers').set('Authorization', `Bearer ${generateApiKey().key}`).set('X-Request-Id', 'probe-1');
      expectError(unknown, 401, 'unauthorized');
      expect(unknown.body.error.request_id).toBe('probe-1');
      const rows = await waitForAuthFailures(3);
      expect(rows.map((row) => row.details.reason)).toEqual(['missing', 'malformed_key', 'unknown_key']);
      expect(rows[2]?.request_id).toBe('probe-1');
    });

    it('rejects a key whose secret is wrong even though its prefix exists', async () => {
      const { key } = await api.createCustomer('prefix-owner');
      const forged = `${key.slice(0, 13)}${'A'.repeat(40)}`;
      expectError(await api.http.get('/v1/workloads').set('Authorization', `Bearer ${forged}`), 401, 'unauthorized');
      expect((await api.http.get('/v1/workloads').set('Authorization', `Bearer ${key}`)).status).toBe(200);
    });

    it('stops accepting a revoked key at once on this replica, and within the cache TTL on another', async () => {
      const { key, keyId } = await api.createCustomer('revoked');
      const auth = { Authorization: `Bearer ${key}` };
      expect((await api.http.get('/v1/workloads').set(auth)).status).toBe(200);

      // Another replica: its own auth service and cache, sharing the database.
      const otherReplica = new ApiKeyAuthService(new ApiKeyRepository(api.dataSource), new AuditRepository(api.dataSource), {
        bodyLimitBytes: 1024,
        authCacheTtlMs: AUTH_CACHE_TTL_MS,
      });
      const attempt = { requestId: null, method: 'GET', path: '/v1/workloads', source: '127.0.0.1' };
      await expect(otherReplica.authenticate(`Bearer ${key}`, attempt)).resolves.toMatchObject({ keyId });

      expect((await api.http.delete(`/v1/admin/api-keys/${keyId}`).set(admin)).status).toBe(204);
      expectError(await api.http.get('/v1/workloads').set(auth), 401, 'unauthorized');
      // Cached on the other replica until the TTL passes, then refused.
      await expect(otherReplica.authenticate(`Bearer ${key}`, attempt)).resolves.toMatchObject({ keyId });
      await new Promise((resolve) => setTimeout(resolve, AUTH_CACHE_TTL_MS + 50));
      await expect(otherReplica.authenticate(`Bearer ${key}`, attempt)).rejects.toMatchObject({ code: ErrorCode.Unauthorized });

      const rows = await waitForAuthFailures(1);
      expect(rows.some((row) => row.details.reason === 'revoked' && row.key_id === keyId)).toBe(true);
    });

    it('refuses an expired key and answers 403 for a suspended customer', async () => {
      const expired = await api.createCustomer('expired');
      await api.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.keyId]);
      expectError(await api.http.get('/v1/workloads').set('Authorization', `Bearer ${expired.key}`), 401, 'unauthorized');

      const suspended = await api.createCustomer('suspended');
      await api.dataSource.query(`UPDATE customers SET status = 'suspended' WHERE id = $1`, [suspended.customerId]);
      expectError(await api.http.get('/v1/workloads').set('Authorization', `Bearer ${suspended.key}`), 403, 'forbidden');
    });

    it('keeps the admin API closed when no admin key is configured', () => {
      const noAdmin = new ApiKeyAuthService(new ApiKeyRepository(api.dataSource), new AuditRepository(api.dataSource), { bodyLimitBytes: 1024 });
      let thrown: unknown;
      try {
        noAdmin.authenticateAdmin(`Bearer ${TEST_ADMIN_KEY}`, { requestId: null, method: 'GET', path: '/v1/admin/customers', source: '127.0.0.1' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).code).toBe(ErrorCode.Unauthorized);
    });
  });

  describe('admin API', () => {
    it('requires the operator key', async () => {
      const { key } = await api.createCustomer('not-admin');
      expectError(await api.http.get('/v1/admin/customers'), 401, 'unauthorized');
      expectError(await api.http.get('/v1/admin/customers').set('Authorization', `Bearer ${key}`), 401, 'unauthorized');
      expectError(await api.http.get('/v1/admin/customers').set('Authorization', `Bearer ${TEST_ADMIN_KEY}x`), 401, 'unauthorized');
    });

    it('creates and lists customers, issues keys shown once, and audits each action', async () => {
      const created = await api.http.post('/v1/admin/customers').set(admin).send({ name: 'Acme', tier: 'premium' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Acme', tier: 'premium', status: 'active' });
      expectError(await api.http.post('/v1/admin/customers').set(admin).send({ name: 'X', tier: 'platinum' }), 400, 'validation_failed');

      const list = await api.http.get('/v1/admin/customers').set(admin);
      expect(list.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);

      const issued = await api.http
        .post(`/v1/admin/customers/${created.body.id}/api-keys`)
        .set(admin)
        .send({ name: 'ci', expires_at: '2999-01-01T00:00:00Z' });
      expect(issued.status).toBe(201);
      expect(issued.body.key).toMatch(/^nyk_[a-z0-9]{8}_/);
      expect(issued.body).toMatchObject({ customer_id: created.body.id, name: 'ci', expires_at: '2999-01-01T00:00:00.000Z' });
      const [stored] = await api.dataSource.query(`SELECT * FROM api_keys WHERE id = $1`, [issued.body.id]);
      expect(JSON.stringify(stored)).not.toContain(issued.body.key.slice(14));
      const me = await api.http.get('/v1/workloads').set('Authorization', `Bearer ${issued.body.key}`);
      expect(me.status).toBe(200);

      expectError(
        await api.http.post(`/v1/admin/customers/${created.body.id}/api-keys`).set(admin).send({ expires_at: '2000-01-01T00:00:00Z' }),
        400,
        'validation_failed',
      );
      expectError(
        await api.http.post('/v1/admin/customers/00000000-0000-4000-8000-000000000000/api-keys').set(admin).send({}),
        404,
        'not_found',
      );
      expectError(await api.http.post('/v1/admin/customers/nope/api-keys').set(admin).send({}), 400, 'validation_failed');
      expect((await api.http.delete(`/v1/admin/api-keys/${issued.body.id}`).set(admin)).status).toBe(204);
      expect((await api.http.delete(`/v1/admin/api-keys/${issued.body.id}`).set(admin)).status).toBe(204);
      expectError(await api.http.delete('/v1/admin/api-keys/00000000-0000-4000-8000-000000000000').set(admin), 404, 'not_found');

      const actions: Array<{ action: string; actor_type: string }> = await api.dataSource.query(
        `SELECT action, actor_type FROM audit_events WHERE customer_id = $1 ORDER BY id`,
        [created.body.id],
      );
      expect(actions).toEqual([
        { action: 'customer.created', actor_type: 'admin' },
        { action: 'api_key.issued', actor_type: 'admin' },
        { action: 'api_key.revoked', actor_type: 'admin' },
      ]);
    });
  });

  describe('seedDevCustomer', () => {
    it('creates the dev customer once and makes the given key work', async () => {
      const { key } = generateApiKey();
      const first = await seedDevCustomer(api.dataSource, key);
      const second = await seedDevCustomer(api.dataSource, key);
      expect(second.customerId).toBe(first.customerId);
      const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM customers WHERE name = 'dev'`);
      expect(row.n).toBe(1);
      const res = await api.http.get('/v1/workloads').set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      await expect(seedDevCustomer(api.dataSource, 'plain-password')).rejects.toThrow('nyk_');
    });
  });

  describe('errors and request ids', () => {
    it('answers unknown routes with 404 in the error shape and echoes X-Request-Id', async () => {
      const res = await api.http.get('/v1/nothing-here').set('X-Request-Id', 'client-chosen-id');
      expectError(res, 404, 'not_found');
      expect(res.headers['x-request-id']).toBe('client-chosen-id');
      expectError(await api.http.delete('/v1/workloads'), 404, 'not_found');
    });

    it('gives every response a request id, successful ones too', async () => {
      const res = await api.http.get('/v1/admin/customers').set(admin);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    });
  });

  describe('OpenAPI', () => {
    it('serves an OpenAPI 3.0 document with named schemas, bearer auth and unique operation ids', async () => {
      const res = await api.http.get('/docs-json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\.0\./);
      expect(doc.components.securitySchemes).toMatchObject({
        api_key: { type: 'http', scheme: 'bearer' },
        admin_key: { type: 'http', scheme: 'bearer' },
      });
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/workloads',
          '/v1/workloads/batch',
          '/v1/workloads/batch/cancel',
          '/v1/workloads/{id}',
          '/v1/workloads/{id}/cancel',
          '/v1/workloads/{id}/pause',
          '/v1/workloads/{id}/resume',
          '/v1/workloads/{id}/checkpoints',
          '/v1/workloads/{id}/events',
          '/v1/workers',
          '/v1/workers/{id}',
          '/v1/workload-types',
          '/v1/admin/customers',
          '/v1/admin/customers/{id}/api-keys',
          '/v1/admin/api-keys/{id}',
        ]),
      );
      expect(doc.paths['/metrics']).toBeUndefined();
      expect(doc.paths['/v1/workloads'].post.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/WorkloadDto');
      expect(doc.paths['/v1/workloads'].post.responses['400'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/ErrorResponseDto',
      );

      const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods as Record<string, { operationId: string; summary?: string; description?: string }>).map(
          ([method, operation]) => ({ path, method, ...operation }),
        ),
      );
      const ids = operations.map((operation) => operation.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const operation of operations.filter((op) => op.path.startsWith('/v1/'))) {
        expect({ operation: operation.operationId, summary: Boolean(operation.summary), description: Boolean(operation.description) }).toEqual({
          operation: operation.operationId,
          summary: true,
          description: true,
        });
      }
      // No inline object schemas in responses: every one is a named component.
      for (const operation of operations.filter((op) => op.path.startsWith('/v1/'))) {
        const responses = (doc.paths[operation.path][operation.method].responses ?? {}) as Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
        for (const response of Object.values(responses)) {
          const schema = response.content?.['application/json']?.schema;
          if (schema) expect(schema.$ref).toMatch(/^#\/components\/schemas\//);
        }
      }
    });

    it('serves Swagger UI at /docs', async () => {
      const res = await api.http.get('/docs/').redirects(1);
      expect(res.status).toBe(200);
      expect(res.text).toContain('swagger');
    });
  });
});
