import { request as httpRequest } from 'node:http';
import nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../testing/api-test-app';
import { digestsEqual, secretsEqual } from './auth/api-key.codec';
import { buildOpenApiDocument } from './openapi.config';

jest.setTimeout(60_000);

type Operation = { path: string; method: string; security: string; parameters: Array<{ name: string; in: string }>; hasBody: boolean };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const INJECTIONS = [`' OR '1'='1`, `1; DROP TABLE workloads; --`, `') OR true --`, `\\x00`, `%27%20OR%201=1`, `$1`, `"; SELECT pg_sleep(2); --`];
const TABLES = ['workloads', 'customers', 'api_keys', 'tiers', 'workload_configs', 'audit_events'];

function operationsOf(doc: OpenAPIObject): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as
        | { security?: Array<Record<string, unknown>>; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }
        | undefined;
      if (!op) continue;
      ops.push({
        path,
        method,
        security: Object.keys(op.security?.[0] ?? {})[0] ?? 'none',
        parameters: op.parameters ?? [],
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  return ops;
}

describe('security hardening (every operation of the OpenAPI document)', () => {
  let api: ApiTestApp;
  let ops: Operation[];
  let alice: { customerId: string; key: string; keyId: string };
  let bob: { customerId: string; key: string; keyId: string };
  let aliceWorkload: string;
  let aliceSchedule: string;

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const send = (op: Operation, path: string, key: string) => {
    const call = (api.http as unknown as Record<string, (url: string) => import('supertest').Test>)[op.method];
    if (!call) throw new Error(`no method ${op.method}`);
    return call.call(api.http, path).set(as(key));
  };

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      // An auth failure is audited on purpose (asynchronously): only other audit events count as writes.
      const where = table === 'audit_events' ? ` WHERE action <> 'auth.failed'` : '';
      const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM ${table}${where}`);
      result[table] = row.n;
    }
    return result;
  }

  beforeAll(async () => {
    api = await startApiTestApp('api_hardening', { bodyLimitBytes: 16 * 1024 });
    alice = await api.createCustomer('alice', 'enterprise');
    bob = await api.createCustomer('bob', 'enterprise');
    await api.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds) VALUES ('sleep', 100, 3, 30)`,
    );
    const submitted = await api.http.post('/v1/workloads').set(as(alice.key)).send({ workload_type: 'sleep', labels: { team: 'a' } });
    expect(submitted.status).toBe(201);
    aliceWorkload = submitted.body.id;
    await api.dataSource.query(`INSERT INTO checkpoints (workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash) VALUES ($1, 1, 1, 2, 2, 'json', 'h')`, [
      aliceWorkload,
    ]);
    const schedule = await api.http
      .post('/v1/schedules')
      .set(as(alice.key))
      .send({ name: 'nightly', cron: '30 2 * * *', timezone: 'UTC', workload: { workload_type: 'sleep' } });
    expect(schedule.status).toBe(201);
    aliceSchedule = schedule.body.id;
    ops = operationsOf(buildOpenApiDocument(api.app));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('isolates tenants on every customer operation: another customer\'s ids are 404 or an empty result', async () => {
    const covered = new Set<string>();
    const before = await counts();
    for (const op of ops.filter((o) => o.security === 'api_key')) {
      // Each resource's ids are Alice's own, and bodies are valid, so only ownership can refuse them.
      const isSchedule = op.path.startsWith('/v1/schedules');
      const path = op.path.replace(/\{[^}]+\}/g, isSchedule ? aliceSchedule : aliceWorkload);
      const req = send(op, path, bob.key);
      const body = isSchedule ? { cron: '*/5 * * * *' } : { ids: [aliceWorkload], workload_type: 'sleep', items: [{ workload_type: 'sleep' }] };
      const res = op.hasBody ? await req.send(body) : await req;
      const text = JSON.stringify(res.body ?? {}) + (res.text ?? '');
      const label = `${op.method.toUpperCase()} ${op.path}`;
      // Never another tenant's data, whatever the status.
      expect({ label, leaks: text.includes(aliceWorkload) && !/not found|not_found/.test(text) }).toEqual({ label, leaks: false });
      expect({ label, leaksSchedule: text.includes(aliceSchedule) && !/not found|not_found/.test(text) }).toEqual({ label, leaksSchedule: false });
      expect({ label, leaksCustomer: text.includes(alice.customerId) }).toEqual({ label, leaksCustomer: false });
      expect({ label, serverError: res.status >= 500 }).toEqual({ label, serverError: false });
      if (op.path.includes('{')) expect({ label, status: res.status }).toEqual({ label, status: 404 });
      covered.add(label);
    }
    // Alice's workload is untouched by everything Bob did.
    const [row] = await api.dataSource.query(`SELECT status FROM workloads WHERE id = $1`, [aliceWorkload]);
    expect(row.status).toBe('PENDING');
    // And so is her schedule: same cron, not paused, still there.
    const [held] = await api.dataSource.query(`SELECT cron, paused FROM schedules WHERE id = $1`, [aliceSchedule]);
    expect(held).toEqual({ cron: '30 2 * * *', paused: false });
    const after = await counts();
    expect(after['customers']).toBe(before['customers']);

    // Admin operations refuse a customer key (tenants never reach the operator API).
    for (const op of ops.filter((o) => o.security === 'admin_key')) {
      const path = op.path.replace(/\{[^}]+\}/g, alice.customerId);
      const req = send(op, path, bob.key);
      expectError(op.hasBody ? await req.send({}) : await req, 401, 'unauthorized');
      covered.add(`${op.method.toUpperCase()} ${op.path}`);
    }
    // 100% of the /v1 operations were exercised.
    const all = ops.filter((o) => o.path.startsWith('/v1/')).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(all.filter((label) => !covered.has(label))).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(25);
  });

  it('never answers 5xx, always in the error shape, and writes nothing when it rejects fuzzed bodies and query strings', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.constantFrom('workload_type', 'priority', 'input', 'labels', 'affinity', 'items', 'ids', 'name', 'tier', 'expires_at', 'burst', 'requests_per_second', 'max_running', 'timeout_seconds', 'max_retries'),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...INJECTIONS), fc.integer(), fc.double()),
      ),
    );
    const query = fc.dictionary(
      fc.constantFrom('status', 'workload_type', 'label', 'limit', 'cursor', 'created_after', 'customer_id', 'actor_type', 'actor_id', 'action', 'from', 'to', 'x'),
      fc.oneof(fc.string(), fc.constantFrom(...INJECTIONS), fc.integer().map(String)),
    );
    const fuzzable = ops.filter((o) => o.path.startsWith('/v1/') && o.path !== '/v1/stream');
    for (const op of fuzzable) {
      const key = op.security === 'admin_key' ? TEST_ADMIN_KEY : bob.key;
      await fc.assert(
        fc.asyncProperty(body, query, fc.string({ maxLength: 40 }), async (payload, params, idish) => {
          const before = await counts();
          const path = op.path.replace(/\{[^}]+\}/g, encodeURIComponent(idish || 'x'));
          const req = send(op, path, key).query(params);
          const res = op.hasBody ? await req.set('Content-Type', 'application/json').send(JSON.stringify(payload)) : await req;
          const label = `${op.method.toUpperCase()} ${op.path}`;
          expect({ label, status: res.status < 500 }).toEqual({ label, status: true });
          if (res.status >= 400) {
            expectError(res, res.status, res.body.error.code);
            expect({ label, writes: await counts() }).toEqual({ label, writes: before });
          }
        }),
        { numRuns: 15 },
      );
    }
  });

  it('treats SQL in every filter as a value', async () => {
    const before = await counts();
    for (const op of ops.filter((o) => o.method === 'get' && o.parameters.some((p) => p.in === 'query'))) {
      const key = op.security === 'admin_key' ? TEST_ADMIN_KEY : bob.key;
      for (const injection of INJECTIONS) {
        const params = Object.fromEntries(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, injection]));
        const res = await send(op, op.path, key).query(params);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200 && op.security === 'api_key') expect(JSON.stringify(res.body)).not.toContain(aliceWorkload);
        // Each filter alone too, so one invalid filter does not shield the others.
        for (const name of Object.keys(params)) {
          const single = await send(op, op.path, key).query({ [name]: injection });
          expect(single.status).toBeLessThan(500);
        }
      }
    }
    expect(await counts()).toEqual(before);
    const audit = await api.http.get('/v1/admin/audit-events').set(as(TEST_ADMIN_KEY)).query({ action: `x' OR '1'='1` });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([]);
  });

  it('refuses oversized, deeply nested and malformed bodies in the error shape', async () => {
    const big = await api.http.post('/v1/workloads').set(as(bob.key)).send({ workload_type: 'sleep', input: { blob: 'x'.repeat(20_000) } });
    expectError(big, 413, 'payload_too_large');
    const deep = await api.http
      .post('/v1/workloads')
      .set(as(bob.key))
      .set('Content-Type', 'application/json')
      .send(`{"workload_type":"sleep","input":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`);
    expectError(deep, 400, 'validation_failed');
    const utf8 = Buffer.concat([Buffer.from('{"workload_type":"sleep","input":{"s":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}}')]);
    const invalid = await api.http.post('/v1/workloads').set(as(bob.key)).set('Content-Type', 'application/json').send(utf8);
    expect(invalid.status).toBeLessThan(500);
    const notJson = await api.http.post('/v1/workloads').set(as(bob.key)).set('Content-Type', 'application/json').send('{"workload_type":');
    expectError(notJson, 400, 'validation_failed');
  });

  it('refuses huge headers at the HTTP layer and keeps serving', async () => {
    const server = api.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/workloads', headers: { 'X-Junk': 'x'.repeat(64 * 1024), ...as(bob.key) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect((await api.http.get('/v1/workloads').set(as(bob.key))).status).toBe(200);
  });

  it('sends security headers and no CORS headers when no origin is configured', async () => {
    const res = await api.http.get('/v1/workloads').set(as(bob.key)).set('Origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await api.http.options('/v1/workloads').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('compares keys in constant time', () => {
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    try {
      expect(digestsEqual('ab'.repeat(32), 'ab'.repeat(32))).toBe(true);
      expect(secretsEqual('operator', 'operator-longer')).toBe(false);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('CORS when origins are configured', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp('api_cors', { corsOrigins: ['https://app.example.com'] });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('allows only the configured origin and exposes the rate-limit headers', async () => {
    const allowed = await api.http.options('/v1/workloads').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-headers']).toContain('Authorization');
    const other = await api.http.options('/v1/workloads').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await api.http.get('/v1/workloads').set('Origin', 'https://app.example.com');
    expect(simple.headers['access-control-expose-headers']).toContain('X-RateLimit-Remaining');
  });
});
