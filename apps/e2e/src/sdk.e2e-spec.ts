import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNiyantaClient, NiyantaApiError, type NiyantaClient, type StreamMessage } from '@niyanta/sdk';
import { freePort, spawnApp, type SpawnedApp } from '@niyanta/testing';
import { eventually } from './support/http';

/**
 * The published SDK against a running standalone (embedded PostgreSQL, in-process broker), the way
 * a newcomer meets the product: the development key it generated in its data directory, the sample
 * workload types.
 */
const ADMIN_KEY = `admin-${randomUUID()}`;

describe('@niyanta/sdk against a running standalone', () => {
  let dataDir: string;
  let app: SpawnedApp;
  let niyanta: NiyantaClient;
  let admin: NiyantaClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'niyanta-sdk-e2e-'));
    // Embedded PostgreSQL runs as the postgres user when started as root: it must reach the directory.
    await chmod(dataDir, 0o755);
    app = await spawnApp(
      'standalone',
      {
        DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        DATABASE_URL: undefined,
        NATS_URL: undefined,
        NIYANTA_DEV_API_KEY: undefined,
        NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
        LOG_LEVEL: 'warn',
      },
      { timeoutMs: 90_000 },
    );
    const devKey = (await readFile(join(dataDir, 'dev-api-key'), 'utf8')).trim();
    niyanta = createNiyantaClient({ baseUrl: app.url, apiKey: devKey });
    admin = createNiyantaClient({ baseUrl: app.url, apiKey: ADMIN_KEY });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('submits a workload and waits for its result; an idempotency key makes the submission repeatable', async () => {
    const first = await niyanta.submit({ workload_type: 'sleep', input: { duration_ms: 200, steps: 2 } }, { idempotencyKey: 'sdk-e2e-1' });
    const again = await niyanta.submit({ workload_type: 'sleep', input: { duration_ms: 200, steps: 2 } }, { idempotencyKey: 'sdk-e2e-1' });
    expect(again.id).toBe(first.id);
    const done = await niyanta.waitForCompletion(first.id, { timeoutMs: 30_000, pollMs: 100 });
    expect(done).toMatchObject({ status: 'COMPLETED', progress: 1, output: { slept_ms: 200, steps: 2 } });
    expect((await niyanta.events(first.id)).map((event) => event.action)).toEqual(
      expect.arrayContaining(['workload.submitted', 'workload.scheduled', 'workload.started', 'workload.completed']),
    );
    // The sample checkpoints after each step but the last (its result is written next).
    expect((await niyanta.checkpoints(first.id)).map((checkpoint) => checkpoint.sequence)).toEqual([1]);
  });

  it('submits more than one request holds (chunks of 1,000), in order, and lists them all', async () => {
    const label = `batch-${randomUUID().slice(0, 8)}`;
    // Lowest priority, so the other tests' workloads do not queue behind these.
    const items = Array.from({ length: 2100 }, (_, i) => ({ workload_type: 'sleep', priority: 0, input: { duration_ms: 1 }, labels: { run: label, n: String(i) } }));
    const created = await niyanta.submitBatch(items);
    expect(created).toHaveLength(2100);
    expect(created.map((w) => w.labels['n'])).toEqual(items.map((item) => item.labels.n));
    let listed = 0;
    for await (const workload of niyanta.listAll({ label: [`run:${label}`], limit: 500 })) {
      expect(workload.labels['run']).toBe(label);
      listed++;
    }
    expect(listed).toBe(2100);
    for (let start = 0; start < created.length; start += 1000) {
      const results = await niyanta.cancelMany(created.slice(start, start + 1000).map((w) => w.id));
      expect(results).toHaveLength(Math.min(1000, created.length - start));
    }
  });

  it('throws the API errors with their code, status and request id', async () => {
    const missing = await niyanta.get(randomUUID()).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NiyantaApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) });

    const unknownType = await niyanta.submit({ workload_type: 'no-such-type' }).catch((error: unknown) => error);
    expect(unknownType).toMatchObject({ status: 400, code: 'unknown_workload_type' });

    const done = await niyanta.submit({ workload_type: 'sleep', input: { duration_ms: 1 } });
    await niyanta.waitForCompletion(done.id, { pollMs: 50, timeoutMs: 30_000 });
    await expect(niyanta.cancel(done.id)).rejects.toMatchObject({ status: 409, code: 'invalid_state' });
  });

  it('pauses, resumes and cancels', async () => {
    const long = await niyanta.submit({ workload_type: 'sleep', input: { duration_ms: 60_000, steps: 60 } });
    await niyanta.waitForCompletion(long.id, { timeoutMs: 200, pollMs: 50 }).catch(() => undefined);
    const paused = await niyanta.pause(long.id);
    expect(['PAUSED', 'PAUSING']).toContain(paused.status);
    await eventually('the workload to be PAUSED', async () => (await niyanta.get(long.id)).status === 'PAUSED' || undefined);
    const resumed = await niyanta.resume(long.id);
    expect(resumed).toMatchObject({ status: 'PENDING', attempt: 2 });
    const results = await niyanta.cancelMany([long.id, randomUUID()]);
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'not_found']);
    expect((await niyanta.waitForCompletion(long.id, { timeoutMs: 5000, pollMs: 50 })).status).toBe('CANCELLED');
  });

  it('streams a workload from the snapshot to COMPLETED', async () => {
    const stream = niyanta.stream({ workloadType: 'sleep' });
    const messages: StreamMessage[] = [];
    let submitted: string | undefined;
    for await (const message of stream) {
      messages.push(message);
      if (message.type === 'snapshot') submitted = (await niyanta.submit({ workload_type: 'sleep', input: { duration_ms: 100 } })).id;
      if (message.type === 'update' && message.workload.id === submitted && message.workload.status === 'COMPLETED') break;
    }
    expect(messages[0]?.type).toBe('snapshot');
    const statuses = messages.flatMap((m) => (m.type === 'update' && m.workload.id === submitted ? [m.workload.status] : []));
    expect(statuses).toEqual(['PENDING', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
  });

  it('waits out rate limits (429 + Retry-After) and surfaces them when retries are off', async () => {
    const tier = await admin.api.PUT('/v1/admin/tiers/{name}', {
      params: { path: { name: 'sdk-trickle' } },
      body: { requests_per_second: 1, burst: 1, max_running: 10, scheduling_weight: 0, max_priority: 1000 },
    });
    expect(tier.response.status).toBeLessThan(300);
    const customer = await admin.api.POST('/v1/admin/customers', { body: { name: 'sdk-trickle', tier: 'sdk-trickle' } });
    if (!customer.data) throw new Error(`creating the customer failed: ${customer.response.status}`);
    const key = await admin.api.POST('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customer.data.id } }, body: { name: 'sdk' } });
    if (!key.data) throw new Error(`issuing the key failed: ${key.response.status}`);

    const patient = createNiyantaClient({ baseUrl: app.url, apiKey: key.data.key, retry: { maxRetries: 5 } });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await patient.workloadTypes();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    const impatient = createNiyantaClient({ baseUrl: app.url, apiKey: key.data.key, retry: { maxRetries: 0 } });
    const failure = await Promise.all([impatient.workers(), impatient.workers(), impatient.workers()]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaApiError);
    expect(failure).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
  });
});
