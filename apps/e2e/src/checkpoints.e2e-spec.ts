import { randomUUID } from 'node:crypto';
import { createTestSchema, spawnApp, startS3TestServer, type S3TestServer, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * Pause and resume with the real apps as processes: coordinator-api, coordinator-leader and two
 * workers that offload every checkpoint to a local S3-compatible server.
 */
interface WorkloadJson {
  id: string;
  status: string;
  attempt: number;
  worker_id: string | null;
  started_at: string | null;
  pending_reason: string | null;
  output: Record<string, unknown> | null;
  last_checkpoint: { sequence: number; size_bytes: number; created_at: string } | null;
}

interface CheckpointJson {
  sequence: number;
  attempt: number;
  storage: string;
  stored_bytes: number;
}

const ADMIN_KEY = `admin-${randomUUID()}`;

describe('checkpoints, pause and resume (processes)', () => {
  let schema: TestSchema;
  let s3: S3TestServer;
  let api: SpawnedApp;
  let leader: SpawnedApp;
  const workers = new Map<string, SpawnedApp>();
  let key: string;
  const prefix = `e2e_ckpt_${randomUUID().slice(0, 8)}`;

  const commonEnv = () => appEnv(schema, prefix);

  async function startWorker(id: string, bucket: string): Promise<void> {
    workers.set(
      id,
      await spawnApp('worker', {
        ...commonEnv(),
        WORKER_ID: id,
        WORKER_CAPACITY: '8',
        HEARTBEAT_INTERVAL: '500ms',
        // Every checkpoint, however small, goes to S3.
        CHECKPOINT_STORE: 's3',
        CHECKPOINT_INLINE_MAX: '1b',
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: bucket,
        S3_REGION: s3.region,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      }),
    );
  }

  const get = (id: string) => http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key });
  const command = (id: string, name: string) => http<WorkloadJson & { error?: { code: string } }>(api.url, 'POST', `/v1/workloads/${id}/${name}`, { key });

  const submit = async (body: unknown) => {
    const res = await http<WorkloadJson>(api.url, 'POST', '/v1/workloads', { key, body });
    expect(res.status).toBe(201);
    return res.body;
  };

  const waitFor = (id: string, what: string, accept: (w: WorkloadJson) => boolean, timeoutMs = 30_000) =>
    eventually(`workload ${id} ${what}`, async () => {
      const res = await get(id);
      return accept(res.body) ? res.body : undefined;
    }, timeoutMs);

  /** Submits a short workload and waits for it to complete: proof that the scheduler and a worker have run since. */
  async function completeOne(): Promise<void> {
    const marker = await submit({ workload_type: 'sleep', input: { duration_ms: 10, steps: 1 } });
    await waitFor(marker.id, 'to complete', (w) => w.status === 'COMPLETED');
  }

  async function liveWorkers(): Promise<string[]> {
    const res = await http<{ items: Array<{ id: string; status: string }> }>(api.url, 'GET', '/v1/workers', { key });
    return (res.body.items ?? []).filter((w) => w.status === 'ACTIVE').map((w) => w.id);
  }

  beforeAll(async () => {
    schema = await createTestSchema('e2e_checkpoints');
    s3 = await startS3TestServer();
    const bucket = await s3.createBucket('e2e-checkpoints');
    api = await spawnApp('coordinator-api', { ...commonEnv(), NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    leader = await spawnApp('coordinator-leader', { ...commonEnv(), WORKER_TIMEOUT: '3s', ASSIGNMENT_ACK_TIMEOUT: '3s' });
    await Promise.all([startWorker('ckpt-a', bucket), startWorker('ckpt-b', bucket)]);

    key = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'checkpoints', tier: 'standard' });
    await eventually('two live workers', async () => ((await liveWorkers()).length === 2 ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...workers.values()].map((w) => w.stop()));
    await Promise.allSettled([leader?.stop(), api?.stop()]);
    await s3?.stop();
    await schema?.drop();
  }, 60_000);

  it('pauses a running workload on one worker (checkpoint to S3, then PAUSED) and resumes it from that checkpoint on the other', async () => {
    const created = await submit({ workload_type: 'sleep', input: { duration_ms: 8_000, steps: 16 } });
    const running = await waitFor(created.id, 'to run and checkpoint twice', (w) => w.status === 'RUNNING' && (w.last_checkpoint?.sequence ?? 0) >= 2);
    const first = running.worker_id as string;
    const other = [...workers.keys()].find((id) => id !== first) as string;

    const pausing = await command(created.id, 'pause');
    expect(pausing.status).toBe(202);
    expect(['PAUSING', 'PAUSED']).toContain(pausing.body.status);
    const paused = await waitFor(created.id, 'to be PAUSED', (w) => w.status === 'PAUSED');
    expect(paused).toMatchObject({ attempt: 1, worker_id: null });
    const pausedAt = paused.last_checkpoint?.sequence as number;
    expect(pausedAt).toBeGreaterThanOrEqual(2);

    // Checkpoints are listed newest first, in S3, and the last one is the one the pause took.
    const checkpoints = await http<{ items: CheckpointJson[] }>(api.url, 'GET', `/v1/workloads/${created.id}/checkpoints`, { key });
    expect(checkpoints.body.items[0]).toMatchObject({ sequence: pausedAt, attempt: 1, storage: 's3' });
    expect(checkpoints.body.items.every((c) => c.storage === 's3' && c.stored_bytes > 0)).toBe(true);
    // A paused workload stays paused: a workload submitted after it is scheduled and run, and
    // still nothing ran the paused one.
    await completeOne();
    expect((await get(created.id)).body).toMatchObject({ status: 'PAUSED', last_checkpoint: { sequence: pausedAt } });

    // The worker it paused on goes away; resume places it on the other.
    await workers.get(first)?.stop();
    workers.delete(first);
    await eventually('one live worker', async () => ((await liveWorkers()).length === 1 ? true : undefined));
    const resumed = await command(created.id, 'resume');
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ status: 'PENDING', attempt: 2 });

    const done = await waitFor(created.id, 'to complete', (w) => w.status === 'COMPLETED' || w.status === 'FAILED', 30_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.worker_id).toBe(other);
    expect(done.attempt).toBe(2);
    const resumedFrom = done.output?.['resumed_from_step'] as number;
    // Each step checkpoints; the pause checkpoint holds the steps completed by then.
    expect(resumedFrom).toBeGreaterThanOrEqual(2);
    expect(resumedFrom).toBeLessThan(16);
    expect(done.output).toMatchObject({ steps: 16, attempt: 2, slept_ms: (16 - resumedFrom) * 500 });

    const events = await http<{ items: Array<{ action: string }> }>(api.url, 'GET', `/v1/workloads/${created.id}/events`, { key });
    const actions = events.body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['workload.paused', 'workload.resumed', 'workload.completed']));
    expect(actions.filter((a) => a === 'workload.completed')).toHaveLength(1);

    const metrics = await http<string>(workers.get(other)?.url as string, 'GET', '/metrics');
    expect(metrics.body).toMatch(/niyanta_worker_checkpoint_restores_total\{workload_type="sleep",result="restored"\} [1-9]/);
    expect(metrics.body).toMatch(/niyanta_worker_checkpoints_total\{workload_type="sleep",storage="s3",trigger="handler"\} [1-9]/);
  }, 90_000);

  it('parks a PENDING workload on pause without running it, and resumes it', async () => {
    // No worker has this tag, so the workload waits in PENDING.
    const created = await submit({ workload_type: 'sleep', input: { duration_ms: 10 }, affinity: { required: { pool: 'none' } } });
    const paused = await command(created.id, 'pause');
    expect(paused.status).toBe(202);
    expect(paused.body.status).toBe('PAUSED');
    await completeOne();
    expect((await get(created.id)).body).toMatchObject({ status: 'PAUSED', attempt: 1, started_at: null, worker_id: null });

    const resumed = await command(created.id, 'resume');
    expect(resumed.body).toMatchObject({ status: 'PENDING', attempt: 2 });
    expect((await command(created.id, 'cancel')).body.status).toBe('CANCELLED');
  });

  it('answers 409 invalid_state to a pause or resume the status does not allow, changing nothing', async () => {
    const created = await submit({ workload_type: 'sleep', input: { duration_ms: 10, steps: 1 } });
    const resumeQueued = await command(created.id, 'resume');
    expect(resumeQueued.status).toBe(409);
    expect(resumeQueued.body.error?.code).toBe('invalid_state');
    const done = await waitFor(created.id, 'to complete', (w) => w.status === 'COMPLETED');
    for (const name of ['pause', 'resume']) {
      const refused = await command(created.id, name);
      expect({ name, status: refused.status, code: refused.body.error?.code }).toEqual({ name, status: 409, code: 'invalid_state' });
    }
    expect((await get(created.id)).body).toEqual(done);
  });
});
