import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * The product's core promise with the real apps as separate processes: coordinator-api,
 * coordinator-leader and two workers on the machine's PostgreSQL and NATS.
 */
interface WorkloadJson {
  id: string;
  status: string;
  attempt: number;
  progress: number;
  worker_id: string | null;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  last_checkpoint: { sequence: number; size_bytes: number; created_at: string } | null;
}

const ADMIN_KEY = `admin-${randomUUID()}`;

describe('workload lifecycle (processes)', () => {
  let schema: TestSchema;
  let api: SpawnedApp;
  let leader: SpawnedApp;
  const workers = new Map<string, SpawnedApp>();
  let keyA: string;
  let keyB: string;
  const prefix = `e2e_life_${randomUUID().slice(0, 8)}`;

  const commonEnv = () => appEnv(schema, prefix);

  async function startWorker(id: string): Promise<void> {
    workers.set(
      id,
      await spawnApp('worker', {
        ...commonEnv(),
        WORKER_ID: id,
        WORKER_CAPACITY: '300',
        HEARTBEAT_INTERVAL: '500ms',
        WORKER_TAGS: `name=${id}`,
      }),
    );
  }

  const get = (key: string, id: string) => http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key });

  const submit = async (key: string, body: unknown) => {
    const res = await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key, body });
    expect(res.status).toBe(201);
    return res.body;
  };

  const waitForStatus = (key: string, id: string, statuses: string[], timeoutMs = 30_000) =>
    eventually(`workload ${id} to reach ${statuses.join('|')}`, async () => {
      const res = await get(key, id);
      return statuses.includes(res.body.status) ? res.body : undefined;
    }, timeoutMs);

  beforeAll(async () => {
    schema = await createTestSchema('e2e_lifecycle');
    api = await spawnApp('coordinator-api', { ...commonEnv(), NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    leader = await spawnApp('coordinator-leader', {
      ...commonEnv(),
      WORKER_TIMEOUT: '3s',
      ASSIGNMENT_ACK_TIMEOUT: '3s',
      RETRY_BASE_DELAY: '200ms',
      RETRY_MAX_DELAY: '1s',
    });
    await startWorker('w-one');
    await startWorker('w-two');

    // Enterprise: the suite submits hundreds at once, beyond a standard tier's burst of 200.
    keyA = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'customer-a', tier: 'enterprise' });
    keyB = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'customer-b', tier: 'enterprise' });
    // Both workers have registered their types once the API knows `sleep`.
    await eventually('two live workers', async () => {
      const res = await http<{ items: Array<{ status: string }> }>(api.url, 'GET', '/v1/workers', { key: keyA });
      return res.body.items?.filter((w) => w.status === 'ACTIVE').length === 2 ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...workers.values()].map((w) => w.stop()));
    await Promise.allSettled([leader?.stop(), api?.stop()]);
    await schema?.drop();
  }, 60_000);

  it('runs a submitted workload to COMPLETED with its output and progress 1', async () => {
    const created = await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 50, steps: 2 } });
    expect(created.status).toBe('PENDING');
    expect(created.attempt).toBe(1);

    const done = await waitForStatus(keyA, created.id, ['COMPLETED', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.progress).toBe(1);
    expect(done.output).toMatchObject({ slept_ms: 50, steps: 2, resumed_from_step: null, attempt: 1 });
  });

  it('resumes on the other worker from the last checkpoint when its worker is killed with SIGKILL', async () => {
    const created = await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 12_000, steps: 24 } });
    const running = await eventually('a checkpoint of the running workload', async () => {
      const res = await get(keyA, created.id);
      return res.body.status === 'RUNNING' && (res.body.last_checkpoint?.sequence ?? 0) >= 2 ? res.body : undefined;
    });
    const victim = running.worker_id as string;
    const survivor = [...workers.keys()].find((id) => id !== victim) as string;
    workers.get(victim)?.kill('SIGKILL');

    const done = await waitForStatus(keyA, created.id, ['COMPLETED', 'FAILED'], 60_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.attempt).toBe(2);
    expect(done.worker_id).toBe(survivor);
    expect(done.output?.['resumed_from_step']).toBeGreaterThanOrEqual(2);

    // Bring the fleet back to two workers for the tests that follow.
    await workers.get(victim)?.waitForExit();
    await startWorker(`${victim}-b`);
    workers.delete(victim);
  }, 90_000);

  it('retries a flaky workload with backoff and completes it', async () => {
    const created = await submit(keyA, { workload_type: 'flaky', input: { fail_attempts: 2 }, max_retries: 3 });
    const done = await waitForStatus(keyA, created.id, ['COMPLETED', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.attempt).toBe(3);
    expect(done.output).toMatchObject({ attempts: 3 });

    const events = await http<{ items: Array<{ action: string; occurred_at: string }> }>(
      api.url,
      'GET',
      `/v1/workloads/${created.id}/events`,
      { key: keyA },
    );
    const retries = events.body.items.filter((e) => e.action === 'workload.retry_scheduled');
    expect(retries).toHaveLength(2);
  });

  it('cancels a running workload, and refuses to cancel a completed one', async () => {
    const created = await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 20_000, steps: 20 } });
    const running = await waitForStatus(keyA, created.id, ['RUNNING']);
    const worker = workers.get(running.worker_id as string) as SpawnedApp;
    // Attempts the worker ended because the workload moved on: by the cancel command, or by a
    // fenced write finding it cancelled if that command were late.
    const cancelledRuns = async () => {
      const metrics = await http<string>(worker.url, 'GET', '/metrics');
      const ended = [...String(metrics.body).matchAll(/niyanta_worker_executions_total\{workload_type="sleep",outcome="(?:cancelled|stale)"\} (\d+)/g)];
      return ended.reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const before = await cancelledRuns();
    const cancel = await http<WorkloadJson>(api.url, 'POST', `/v1/workloads/${created.id}/cancel`, { key: keyA });
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('CANCELLED');
    // The worker has ended the attempt (its metrics say so); no later write moved the workload out
    // of CANCELLED.
    await eventually('the worker to end the attempt', async () => ((await cancelledRuns()) > before ? true : undefined));
    expect((await get(keyA, created.id)).body.status).toBe('CANCELLED');

    const quick = await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 10, steps: 1 } });
    const completed = await waitForStatus(keyA, quick.id, ['COMPLETED']);
    const refused = await http<{ error: { code: string } }>(api.url, 'POST', `/v1/workloads/${quick.id}/cancel`, {
      key: keyA,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('invalid_state');
    const after = await get(keyA, quick.id);
    expect(after.body.status).toBe('COMPLETED');
    expect(after.body.output).toEqual(completed.output);
  }, 60_000);

  it("answers 404 to another customer on every route of a workload it does not own", async () => {
    const mine = await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 10, steps: 1 } });
    const routes: Array<[string, string]> = [
      ['GET', `/v1/workloads/${mine.id}`],
      ['GET', `/v1/workloads/${mine.id}/checkpoints`],
      ['GET', `/v1/workloads/${mine.id}/events`],
      ['POST', `/v1/workloads/${mine.id}/cancel`],
      ['POST', `/v1/workloads/${mine.id}/pause`],
      ['POST', `/v1/workloads/${mine.id}/resume`],
    ];
    for (const [method, path] of routes) {
      const res = await http<{ error: { code: string } }>(api.url, method, path, { key: keyB });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(res.body.error.code).toBe('not_found');
    }
    const list = await http<{ items: Array<{ id: string }> }>(api.url, 'GET', '/v1/workloads?limit=500', { key: keyB });
    expect(list.body.items.map((w) => w.id)).not.toContain(mine.id);
  });

  it('completes 500 concurrently submitted workloads, each exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 500 }, async () => (await submit(keyA, { workload_type: 'sleep', input: { duration_ms: 1, steps: 1 } })).id),
    );
    await eventually(
      'all 500 workloads to complete',
      async () => {
        const db = new Client({ connectionString: schema.url });
        await db.connect();
        try {
          const r = await db.query(
            `SELECT count(*)::int AS n FROM "${schema.schema}".workloads WHERE id = ANY($1) AND status = 'COMPLETED'`,
            [ids],
          );
          return r.rows[0].n === 500 ? true : undefined;
        } finally {
          await db.end();
        }
      },
      90_000,
      500,
    );
    const db = new Client({ connectionString: schema.url });
    await db.connect();
    try {
      const commits = await db.query(
        `SELECT workload_id, count(*)::int AS n FROM "${schema.schema}".audit_events
          WHERE action = 'workload.completed' AND workload_id = ANY($1) GROUP BY workload_id`,
        [ids],
      );
      expect(commits.rows).toHaveLength(500);
      expect(commits.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
    } finally {
      await db.end();
    }
  }, 120_000);
});
