import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestSchema,
  freePort,
  spawnApp,
  startNatsServer,
  testNatsUrl,
  uniqueBrokerPrefix,
  workspaceRoot,
  type NatsServerHandle,
  type SpawnedApp,
  type TestSchema,
} from '@niyanta/testing';
import { parse } from 'yaml';
import { eventually, http } from './support/http';

/**
 * Each process on its own, as operators run them: health, readiness, metrics, logs, config
 * validation, dependency outages and graceful stop. Real PostgreSQL and NATS; each suite has its
 * own schema and broker prefix.
 */
interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; error?: string }>;
  details?: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function closedPort(): Promise<number> {
  return freePort(); // nothing listens on it once freePort has released it
}

async function expectGracefulStop(app: SpawnedApp): Promise<void> {
  const exit = await app.stop();
  expect({ exit, logs: exit.code === 0 ? '' : app.logs() }).toEqual({ exit: { code: 0, signal: null }, logs: '' });
}

describe('apps on real PostgreSQL and NATS', () => {
  let schema: TestSchema;
  const prefix = uniqueBrokerPrefix('e2e_smoke');
  const env = () => ({
    DATABASE_URL: schema.url,
    DATABASE_SCHEMA: schema.schema,
    NATS_URL: testNatsUrl(),
    BROKER_PREFIX: prefix,
    LOG_LEVEL: 'info',
  });

  beforeAll(async () => {
    schema = await createTestSchema('e2e_smoke');
  });

  afterAll(async () => {
    await schema?.drop();
  });

  it('coordinator-api: health, readiness, metrics, request ids, the published OpenAPI document, SIGTERM', async () => {
    const api = await spawnApp('coordinator-api', { ...env(), RUN_MIGRATIONS: 'true' });
    try {
      const health = await http<{ status: string }>(api.url, 'GET', '/health', { headers: { 'X-Request-Id': 'smoke-1' } });
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      expect(health.headers.get('x-request-id')).toBe('smoke-1');

      const ready = await http<ReadyBody>(api.url, 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { postgres: { ok: true }, broker: { ok: true } } });

      const unauthorised = await http<{ error: { code: string; request_id: string } }>(api.url, 'GET', '/v1/workloads', {
        key: 'nyk_smoke000_notARealSecretValue0000',
      });
      expect(unauthorised.status).toBe(401);
      const requestId = unauthorised.headers.get('x-request-id');
      expect(requestId).toMatch(UUID);
      expect(unauthorised.body.error.request_id).toBe(requestId);

      const metrics = await http<string>(api.url, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('process_resident_memory_bytes');
      expect(metrics.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/workloads",status_class="4xx"\} 1/);

      const docs = await fetch(`${api.url}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      // What the running API serves is exactly what docs/openapi.yaml publishes.
      const served = await http<Record<string, unknown>>(api.url, 'GET', '/docs-json');
      const published = parse(readFileSync(join(workspaceRoot(), 'docs/openapi.yaml'), 'utf8')) as Record<string, unknown>;
      expect(served.body).toEqual(published);

      // One JSON line per request, with the request id, and no header block (so no credential).
      const line = api
        .logs()
        .split('\n')
        .find((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"msg":"request completed"'));
      expect(line && JSON.parse(line)).toMatchObject({ service: 'coordinator-api', req: { method: 'GET', url: '/v1/workloads' } });
      expect(line && JSON.parse(line).req).not.toHaveProperty('headers');
      expect(api.logs()).not.toContain('notARealSecretValue');
    } finally {
      await expectGracefulStop(api);
    }
  });

  it('coordinator-leader: takes the lease, reports it in /ready and in its metrics, resigns on SIGTERM', async () => {
    const leader = await spawnApp('coordinator-leader', { ...env(), LEADER_ID: 'smoke-leader' });
    try {
      const ready = await eventually('the leader to take office', async () => {
        const res = await http<ReadyBody>(leader.url, 'GET', '/ready');
        const details = res.body.details?.['leader'] as { is_leader?: boolean } | undefined;
        return res.status === 200 && details?.is_leader ? res.body : undefined;
      });
      expect(ready.checks).toEqual({ postgres: { ok: true }, broker: { ok: true } });
      expect(ready.details?.['leader']).toMatchObject({ id: 'smoke-leader', is_leader: true });

      const metrics = await http<string>(leader.url, 'GET', '/metrics');
      expect(metrics.body).toMatch(/^niyanta_leader_is_leader 1$/m);
      expect(metrics.body).toMatch(/^niyanta_leader_generation [1-9]\d*$/m);
    } finally {
      await expectGracefulStop(leader);
    }
  });

  it('worker: registers, reports capacity and running workloads, drains on SIGTERM', async () => {
    const worker = await spawnApp('worker', { ...env(), WORKER_ID: 'smoke-worker', WORKER_CAPACITY: '3', WORKER_TAGS: 'zone=a' });
    try {
      const ready = await http<ReadyBody>(worker.url, 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ postgres: { ok: true }, broker: { ok: true } });

      const metrics = await http<string>(worker.url, 'GET', '/metrics');
      expect(metrics.body).toMatch(/^niyanta_worker_capacity 3$/m);
      expect(metrics.body).toMatch(/^niyanta_worker_running_workloads 0$/m);
      expect(metrics.body).toMatch(/^niyanta_worker_assignments_waiting_for_slot 0$/m);
    } finally {
      await expectGracefulStop(worker);
    }
  });

  describe('when a dependency is unreachable', () => {
    it('coordinator-api with PostgreSQL down stays up: /health 200, /ready 503 naming postgres', async () => {
      const port = await closedPort();
      const api = await spawnApp(
        'coordinator-api',
        { ...env(), DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` },
        { waitFor: 'alive' },
      );
      try {
        // Its startup probe has tried PostgreSQL and failed; the process is still up after that.
        await eventually('a failed postgres check', async () => {
          const probed = await http<ReadyBody>(api.url, 'GET', '/ready');
          return probed.body.checks?.['postgres']?.error ? true : undefined;
        });
        expect(api.isRunning()).toBe(true);
        expect((await http(api.url, 'GET', '/health')).status).toBe(200);
        const ready = await http<ReadyBody>(api.url, 'GET', '/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('unavailable');
        expect(ready.body.checks['postgres']).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
        expect(ready.body.checks['broker']).toEqual({ ok: true });
        const request = await http<{ error: { code: string } }>(api.url, 'GET', '/v1/workloads');
        expect(request.status).toBe(503);
        expect(request.body.error.code).toBe('dependency_unavailable');
        expect(api.logs()).toContain('waiting for postgres');
      } finally {
        await expectGracefulStop(api);
      }
    });

    it('worker with NATS down stays up: /ready 503 naming the broker', async () => {
      const port = await closedPort();
      const worker = await spawnApp('worker', { ...env(), NATS_URL: `nats://127.0.0.1:${port}` }, { waitFor: 'alive' });
      try {
        const ready = await eventually('the broker check to fail', async () => {
          const res = await http<ReadyBody>(worker.url, 'GET', '/ready');
          // The startup probe answers "not checked yet" until its first attempt at the broker.
          const error = res.body.checks['broker']?.error;
          return error && error !== 'not checked yet' ? res : undefined;
        });
        expect(ready.status).toBe(503);
        expect(ready.body.checks['broker']).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
        expect(worker.isRunning()).toBe(true);
      } finally {
        await expectGracefulStop(worker);
      }
    });

    it('coordinator-leader turns not ready when NATS goes away while it runs, and ready again when it is back', async () => {
      let nats: NatsServerHandle | undefined;
      let leader: SpawnedApp | undefined;
      try {
        nats = await startNatsServer();
        leader = await spawnApp('coordinator-leader', { ...env(), NATS_URL: nats.url, BROKER_PREFIX: `${prefix}_outage` });
        const target = leader;
        expect((await http(target.url, 'GET', '/ready')).status).toBe(200);

        await nats.kill('SIGKILL');
        const down = await eventually('/ready to turn 503', async () => {
          const res = await http<ReadyBody>(target.url, 'GET', '/ready');
          return res.status === 503 ? res.body : undefined;
        });
        expect(down.checks['broker']?.ok).toBe(false);
        expect(down.checks['postgres']).toEqual({ ok: true });
        expect(target.isRunning()).toBe(true);

        await nats.restart();
        await eventually('/ready to turn 200 again', async () =>
          (await http(target.url, 'GET', '/ready')).status === 200 ? true : undefined,
        );
      } finally {
        if (leader) await expectGracefulStop(leader);
        await nats?.stop();
      }
    });
  });

  describe('with a bad configuration', () => {
    it.each([
      ['worker', { WORKER_CAPACITY: 'abc' }, 'WORKER_CAPACITY: expected a positive integer, got "abc"'],
      ['coordinator-api', { DATABASE_URL: undefined, BODY_LIMIT: 'huge' }, 'DATABASE_URL: required'],
      ['coordinator-leader', { LEASE_TTL: '1s', LEASE_RENEW_INTERVAL: '900ms' }, 'LEASE_RENEW_INTERVAL: must be at most half of LEASE_TTL'],
    ] as const)('%s exits 1 naming the variable', async (app, overrides, message) => {
      const spawned = await spawnApp(app, { ...env(), ...overrides }, { waitFor: 'none' });
      const exit = await spawned.waitForExit();
      expect(exit).toEqual({ code: 1, signal: null });
      expect(spawned.logs()).toContain(message);
      expect(spawned.logs()).not.toMatch(/^\s+at /m); // a message for an operator, not a stack trace
    });
  });
});

describe('npm start (standalone on embedded PostgreSQL and the in-process broker)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'niyanta-start-'));
    // Embedded PostgreSQL runs as the postgres OS user when the tests run as root.
    await chmod(dataDir, 0o755);
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /docs, /health, /ready and /metrics, runs a workload with the dev key, and stops embedded PostgreSQL', async () => {
    const pgPort = await freePort();
    const started = Date.now();
    const app = await spawnApp(
      'standalone',
      {
        DATABASE_URL: undefined,
        NATS_URL: undefined,
        DATABASE_SCHEMA: undefined,
        BROKER_PREFIX: undefined,
        DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(pgPort),
        LOG_LEVEL: 'info',
      },
      { viaNpmStart: true, waitFor: 'ready' },
    );
    const startupMs = Date.now() - started;
    try {
      expect(startupMs).toBeLessThan(60_000);
      process.stdout.write(`npm start: /ready answered 200 after ${startupMs} ms (fresh data directory)\n`);

      const docs = await fetch(`${app.url}/docs`);
      expect(docs.status).toBe(200);
      expect((await http<{ status: string }>(app.url, 'GET', '/health')).body).toEqual({ status: 'ok' });
      const ready = await http<ReadyBody>(app.url, 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ postgres: { ok: true }, broker: { ok: true } });

      // The banner tells a developer everything needed for a first request.
      const key = /Development API key:\s+(\S+)/.exec(app.logs())?.[1];
      expect(key).toMatch(/^nyk_/);
      // Generated for this data directory (no key is a constant of the code), with an admin key beside it.
      expect((await readFile(join(dataDir, 'dev-api-key'), 'utf8')).trim()).toBe(key);
      // Nest's module and route lines are debug chatter; the banner comes after the start-up lines.
      expect(app.logs()).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader/);
      expect(app.logs().indexOf('Development API key')).toBeGreaterThan(app.logs().lastIndexOf('successfully started'));
      const adminKey = /Admin API key:\s+(\S+)/.exec(app.logs())?.[1];
      expect((await readFile(join(dataDir, 'dev-admin-key'), 'utf8')).trim()).toBe(adminKey);
      expect((await http(app.url, 'GET', '/v1/admin/customers', { key: adminKey })).status).toBe(200);
      // Bound to 127.0.0.1 only: another address of this host is refused.
      await expect(fetch(app.url.replace('127.0.0.1', '127.0.0.2') + '/health')).rejects.toThrow();
      expect(app.logs()).toContain(`${app.url.replace('127.0.0.1', 'localhost')}/docs`);
      expect(app.logs()).toContain('curl -s -X POST');

      const submitted = await http<{ id: string }>(app.url, 'POST', '/v1/workloads', {
        key,
        body: { workload_type: 'sleep', input: { duration_ms: 200, steps: 2 } },
      });
      expect(submitted.status).toBe(201);
      await eventually('the workload to complete', async () => {
        const res = await http<{ status: string }>(app.url, 'GET', `/v1/workloads/${submitted.body.id}`, { key });
        return res.body.status === 'COMPLETED' ? true : undefined;
      });

      const metrics = await http<string>(app.url, 'GET', '/metrics');
      for (const name of ['http_request_duration_seconds', 'niyanta_leader_is_leader', 'niyanta_worker_capacity']) {
        expect(metrics.body).toContain(name);
      }
    } finally {
      // npm ends by the signal (its way); the app underneath must have stopped cleanly.
      const exit = await app.stop();
      expect([0, null]).toContain(exit.code);
    }
    const lines = app.logs().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    // Embedded PostgreSQL went down with the app.
    await expect(tcpOpen(pgPort)).resolves.toBe(false);
  });
});
