import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { CheckpointRepository } from './checkpoint.repository';
import { ExecutionRepository } from './execution.repository';
import type { AttemptFence } from '@niyanta/models';
import { WorkerRegistryRepository } from './worker-registry.repository';

function firstRow<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('expected a row, got none');
  return row;
}

describe('worker repositories', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;
  let executions: ExecutionRepository;
  let checkpoints: CheckpointRepository;
  let registry: WorkerRegistryRepository;
  let customerId: string;

  beforeAll(async () => {
    testSchema = await createTestSchema('worker_repos');
    dataSource = await createDataSource({ url: testSchema.url, schema: testSchema.schema, poolSize: 4 });
    await runMigrations(dataSource);
    executions = new ExecutionRepository(dataSource);
    checkpoints = new CheckpointRepository(dataSource);
    registry = new WorkerRegistryRepository(dataSource);
    const rows: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO customers (name, tier) VALUES ('acme', 'standard') RETURNING id`,
    );
    customerId = firstRow(rows).id;
    await dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, timeout_seconds,
         checkpoint_interval_seconds, checkpoint_progress_step)
       VALUES ('sleep', 100, 3, 60, 30, NULL)`,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await testSchema?.drop();
  });

  async function insertWorkload(fields: {
    status: string;
    workerId?: string | null;
    attempt?: number;
    maxRetries?: number;
    failureCount?: number;
    checkpointPolicy?: unknown;
  }): Promise<string> {
    const rows: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, attempt, failure_count,
                              worker_id, checkpoint_policy)
       VALUES ($1, 'sleep', $2, 100, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
      [
        customerId,
        fields.status,
        fields.maxRetries ?? 3,
        fields.attempt ?? 1,
        fields.failureCount ?? 0,
        fields.workerId ?? null,
        fields.checkpointPolicy === undefined ? null : JSON.stringify(fields.checkpointPolicy),
      ],
    );
    return firstRow(rows).id;
  }

  async function actions(workloadId: string): Promise<string[]> {
    const rows: Array<{ action: string }> = await dataSource.query(
      `SELECT action FROM audit_events WHERE workload_id = $1 ORDER BY id`,
      [workloadId],
    );
    return rows.map((row) => row.action);
  }

  async function row(workloadId: string): Promise<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = await dataSource.query(`SELECT * FROM workloads WHERE id = $1`, [
      workloadId,
    ]);
    return firstRow(rows);
  }

  describe(WorkerRegistryRepository.name, () => {
    it('registers a worker and its types once, and re-registering keeps existing configs', async () => {
      const types = [
        {
          workloadType: 'sleep',
          defaultPriority: 999,
          maxRetries: 9,
          timeoutSeconds: null,
          checkpointIntervalSeconds: 5,
          checkpointProgressStep: null,
        },
        {
          workloadType: 'brand-new',
          defaultPriority: 100,
          maxRetries: 3,
          timeoutSeconds: null,
          checkpointIntervalSeconds: 30,
          checkpointProgressStep: 0.25,
        },
      ];
      const worker = {
        id: 'w-reg',
        tags: { gpu: 'a100' },
        region: 'eu',
        capacity: 4,
        workloadTypes: ['sleep', 'brand-new'],
      };
      const first = await registry.register(worker, types);
      expect(first.createdTypes).toEqual(['brand-new']);
      expect(first.worker).toMatchObject({ id: 'w-reg', status: 'ACTIVE', tags: { gpu: 'a100' }, capacity: 4 });
      const sleepConfig: Array<{ default_priority: number }> = await dataSource.query(
        `SELECT default_priority FROM workload_configs WHERE workload_type = 'sleep'`,
      );
      expect(firstRow(sleepConfig).default_priority).toBe(100);

      const second = await registry.register({ ...worker, capacity: 8 }, types);
      expect(second.createdTypes).toEqual([]);
      expect(second.worker.capacity).toBe(8);
      const audits: Array<{ before: unknown; after: unknown }> = await dataSource.query(
        `SELECT before, after FROM audit_events WHERE action = 'worker.registered' AND actor_id = 'w-reg' ORDER BY id`,
      );
      expect(audits).toEqual([
        { before: null, after: { status: 'ACTIVE' } },
        { before: { status: 'ACTIVE' }, after: { status: 'ACTIVE' } },
      ]);
    });

    it('hands back workloads a previous life of the worker id left behind', async () => {
      const running = await insertWorkload({ status: 'RUNNING', workerId: 'w-crashed', attempt: 2 });
      const pausing = await insertWorkload({ status: 'PAUSING', workerId: 'w-crashed', attempt: 1 });
      const other = await insertWorkload({ status: 'RUNNING', workerId: 'w-someone-else' });
      const result = await registry.register(
        { id: 'w-crashed', tags: {}, region: null, capacity: 2, workloadTypes: ['sleep'] },
        [],
      );
      expect(result.released.map((r) => [r.workloadId, r.status, r.attempt]).sort()).toEqual(
        [
          [running, 'PENDING', 3],
          [pausing, 'PAUSED', 1],
        ].sort(),
      );
      expect(await row(running)).toMatchObject({ status: 'PENDING', attempt: 3, worker_id: null });
      expect(await row(other)).toMatchObject({ status: 'RUNNING', worker_id: 'w-someone-else' });
      expect(await actions(running)).toEqual(['workload.requeued']);
      expect(await actions(pausing)).toEqual(['workload.paused']);
    });

    it('reports a heartbeat of a worker presumed dead without reviving it', async () => {
      await registry.register({ id: 'w-hb', tags: {}, region: null, capacity: 1, workloadTypes: [] }, []);
      expect(await registry.heartbeat('w-hb', 1, 'ACTIVE')).toBe('ok');
      expect((await registry.find('w-hb'))?.runningCount).toBe(1);
      await dataSource.query(`UPDATE workers SET status = 'DEAD' WHERE id = 'w-hb'`);
      expect(await registry.heartbeat('w-hb', 0, 'ACTIVE')).toBe('dead');
      expect(await registry.setStatus('w-hb', 'DRAINING', 0)).toBe(false);
      expect((await registry.find('w-hb'))?.status).toBe('DEAD');
      expect(await registry.heartbeat('w-nobody', 0, 'ACTIVE')).toBe('missing');
    });
  });

  describe(ExecutionRepository.name, () => {
    it('starts a SCHEDULED attempt once, merging the workload policy over its type', async () => {
      const id = await insertWorkload({ status: 'SCHEDULED', workerId: 'w1', checkpointPolicy: { progressStep: 0.5 } });
      expect(await executions.start({ workloadId: id, attempt: 2, workerId: 'w1' })).toBeNull();
      expect(await executions.start({ workloadId: id, attempt: 1, workerId: 'w2' })).toBeNull();
      const started = await executions.start({ workloadId: id, attempt: 1, workerId: 'w1' });
      expect(started?.workload).toMatchObject({ id, status: 'RUNNING', attempt: 1, workerId: 'w1' });
      expect(started?.checkpointPolicy).toEqual({ intervalSeconds: 30, progressStep: 0.5 });
      expect(started?.timeoutSeconds).toBe(60);
      // A redelivered assignment of the same attempt is accepted without a second audit event.
      expect(await executions.start({ workloadId: id, attempt: 1, workerId: 'w1' })).not.toBeNull();
      expect(await actions(id)).toEqual(['workload.started']);
    });

    it('starts and completes batches in one statement each, skipping fences that match nothing', async () => {
      const a = await insertWorkload({ status: 'SCHEDULED', workerId: 'w9' });
      const b = await insertWorkload({ status: 'SCHEDULED', workerId: 'w9', attempt: 2 });
      const c = await insertWorkload({ status: 'CANCELLED', workerId: 'w9' });
      const fences = [
        { workloadId: a, attempt: 1, workerId: 'w9' },
        { workloadId: b, attempt: 1, workerId: 'w9' }, // stale attempt
        { workloadId: c, attempt: 1, workerId: 'w9' }, // cancelled
        { workloadId: b, attempt: 2, workerId: 'w9' },
      ];
      const started = await executions.startMany(fences);
      expect(started.map((s) => s?.workload.id ?? null)).toEqual([a, null, null, b]);
      const done = await executions.completeMany([
        { fence: { workloadId: b, attempt: 2, workerId: 'w9' }, output: ['b'] },
        { fence: { workloadId: a, attempt: 1, workerId: 'w9' }, output: 'a' },
        { fence: { workloadId: c, attempt: 1, workerId: 'w9' }, output: 'c' },
      ]);
      expect(done.map((w) => w && [w.id, w.status, w.output])).toEqual([
        [b, 'COMPLETED', ['b']],
        [a, 'COMPLETED', 'a'],
        null,
      ]);
      expect(await actions(a)).toEqual(['workload.started', 'workload.completed']);
      expect(await actions(c)).toEqual([]);
      expect(await executions.startMany([])).toEqual([]);

      const d = await insertWorkload({ status: 'RUNNING', workerId: 'w9' });
      const e = await insertWorkload({ status: 'PAUSING', workerId: 'w9' });
      const written = await executions.reportProgressMany([
        { fence: { workloadId: d, attempt: 1, workerId: 'w9' }, progress: 0.25, message: 'quarter' },
        { fence: { workloadId: a, attempt: 1, workerId: 'w9' }, progress: 0.5, message: null }, // completed
        { fence: { workloadId: e, attempt: 1, workerId: 'w9' }, progress: 0.75, message: null },
      ]);
      expect(written).toEqual([true, false, true]);
      expect(await row(d)).toMatchObject({ progress: 0.25, progress_message: 'quarter' });
      expect(await row(e)).toMatchObject({ progress: 0.75, progress_message: null });
      expect(await row(a)).toMatchObject({ progress: 1 });
    });

    it('completes exactly once and fences progress by attempt', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      const fence: AttemptFence = { workloadId: id, attempt: 1, workerId: 'w1' };
      expect(await executions.reportProgress(fence, 0.5, 'half')).toBe(true);
      expect(await executions.reportProgress({ ...fence, attempt: 0 }, 0.9, 'stale')).toBe(false);
      expect(await row(id)).toMatchObject({ progress: 0.5, progress_message: 'half' });

      const done = await executions.complete(fence, { answer: 42 });
      expect(done).toMatchObject({ status: 'COMPLETED', progress: 1, output: { answer: 42 } });
      expect(done?.completedAt).toBeInstanceOf(Date);
      expect(await executions.complete(fence, { answer: 43 })).toBeNull();
      expect(await executions.reportProgress(fence, 0.7, null)).toBe(false);
      expect(await actions(id)).toEqual(['workload.completed']);
      const audit: Array<Record<string, unknown>> = await dataSource.query(
        `SELECT customer_id, actor_type, actor_id, before, after, details FROM audit_events WHERE workload_id = $1`,
        [id],
      );
      expect(audit).toEqual([
        {
          customer_id: customerId,
          actor_type: 'worker',
          actor_id: 'w1',
          before: { status: 'RUNNING', attempt: 1, worker_id: 'w1' },
          after: { status: 'COMPLETED', attempt: 1, worker_id: 'w1' },
          details: null,
        },
      ]);
    });

    it('schedules retries with backoff until max_retries, then fails', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1', maxRetries: 1 });
      const error = { code: 'flaky_failure', message: 'boom' };
      const seen: number[] = [];
      const retry = await executions.recordFailure({ workloadId: id, attempt: 1, workerId: 'w1' }, error, {
        retryable: true,
        retryDelayMs: (n) => {
          seen.push(n);
          return 60_000;
        },
      });
      expect(seen).toEqual([1]);
      expect(retry?.kind).toBe('retry_scheduled');
      expect(retry?.workload).toMatchObject({ status: 'PENDING', attempt: 2, failureCount: 1, workerId: null });
      expect(retry?.workload.notBefore?.getTime()).toBeGreaterThan(Date.now() + 50_000);

      await dataSource.query(`UPDATE workloads SET status = 'RUNNING', worker_id = 'w2' WHERE id = $1`, [id]);
      const failed = await executions.recordFailure({ workloadId: id, attempt: 2, workerId: 'w2' }, error, {
        retryable: true,
        retryDelayMs: () => 1000,
      });
      expect(failed?.kind).toBe('failed');
      expect(failed?.workload).toMatchObject({ status: 'FAILED', failureCount: 2, error });
      expect(await actions(id)).toEqual(['workload.retry_scheduled', 'workload.failed']);
      const audit: Array<{ before: unknown; after: unknown; details: Record<string, unknown> }> =
        await dataSource.query(`SELECT before, after, details FROM audit_events WHERE workload_id = $1 ORDER BY id`, [
          id,
        ]);
      expect(audit[0]).toEqual({
        before: { status: 'RUNNING', attempt: 1, worker_id: 'w1' },
        after: { status: 'PENDING', attempt: 2, worker_id: null },
        details: { error, failure_count: 1, retry_delay_ms: 60_000 },
      });
      expect(audit[1]?.after).toEqual({ status: 'FAILED', attempt: 2, worker_id: 'w2' });
    });

    it('fails a non-retryable error at once', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1', maxRetries: 5 });
      const result = await executions.recordFailure(
        { workloadId: id, attempt: 1, workerId: 'w1' },
        { code: 'invalid_input', message: 'bad' },
        { retryable: false, retryDelayMs: () => 0 },
      );
      expect(result?.workload).toMatchObject({ status: 'FAILED', failureCount: 1 });
    });

    it('releases a running attempt as PENDING with attempt + 1 and a pausing one as PAUSED', async () => {
      const running = await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      const requeued = await executions.release({ workloadId: running, attempt: 1, workerId: 'w1' }, 'drain');
      expect(requeued).toMatchObject({ kind: 'requeued', workload: { status: 'PENDING', attempt: 2, workerId: null } });

      const pausing = await insertWorkload({ status: 'PAUSING', workerId: 'w1' });
      const paused = await executions.release({ workloadId: pausing, attempt: 1, workerId: 'w1' }, 'pause');
      expect(paused).toMatchObject({ kind: 'paused', workload: { status: 'PAUSED', attempt: 1, workerId: null } });
      expect(await executions.release({ workloadId: pausing, attempt: 1, workerId: 'w1' }, 'pause')).toBeNull();
      expect(await actions(running)).toEqual(['workload.requeued']);
      expect(await actions(pausing)).toEqual(['workload.paused']);
    });
  });

  describe(CheckpointRepository.name, () => {
    it('stores checkpoints with increasing sequences and refuses a stale attempt', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1', attempt: 3 });
      const fence = { workloadId: id, attempt: 3, workerId: 'w1' };
      const encoded = (text: string) => ({
        data: Buffer.from(text),
        codec: 'json.v1',
        sizeBytes: text.length,
        storedBytes: text.length,
        contentHash: 'h-' + text,
      });
      const saved = await Promise.all([
        checkpoints.save(fence, encoded('{"a":1}')),
        checkpoints.save(fence, encoded('{"a":2}')),
        checkpoints.save(fence, encoded('{"a":3}')),
      ]);
      expect(saved.map((c) => c?.sequence).sort()).toEqual([1, 2, 3]);
      expect(await checkpoints.save({ ...fence, attempt: 2 }, encoded('{"stale":true}'))).toBeNull();

      const latest = await checkpoints.latest(id);
      expect(latest?.sequence).toBe(3);
      expect(latest?.attempt).toBe(3);
      expect(latest?.data?.toString()).toBe(`{"a":${saved.findIndex((c) => c?.sequence === 3) + 1}}`);
      expect((await checkpoints.list(id)).map((c) => c.sequence)).toEqual([3, 2, 1]);
      expect(await row(id)).toMatchObject({ last_checkpoint_sequence: 3, last_checkpoint_size_bytes: 7 });
      expect(await checkpoints.latest(await insertWorkload({ status: 'PENDING' }))).toBeNull();
    });

    const offloaded = (key: string) => ({
      data: null,
      codec: 'json.v1+br',
      sizeBytes: 1_000_000,
      storedBytes: 400_000,
      contentHash: 'h-' + key,
      storage: 's3' as const,
      objectKey: key,
    });

    it('records an offloaded checkpoint by key and keeps the newest N, reporting the objects it dropped', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      const fence = { workloadId: id, attempt: 1, workerId: 'w1' };
      const inline = { data: Buffer.from('{}'), codec: 'json.v1', sizeBytes: 2, storedBytes: 2, contentHash: 'h' };
      expect((await checkpoints.save(fence, inline, { retain: 2 }))?.dropped).toEqual([]);
      expect((await checkpoints.save(fence, offloaded('k2'), { retain: 2 }))?.dropped).toEqual([]);
      // Sequence 1 (inline) goes: nothing to delete outside PostgreSQL.
      const third = await checkpoints.save(fence, offloaded('k3'), { retain: 2 });
      expect(third).toMatchObject({ sequence: 3, storage: 's3', storedBytes: 400_000, dropped: [], workloadStatus: 'RUNNING' });
      const fourth = await checkpoints.save(fence, offloaded('k4'), { retain: 2 });
      expect(fourth?.dropped).toEqual([{ storage: 's3', objectKey: 'k2' }]);

      expect((await checkpoints.list(id)).map((c) => c.sequence)).toEqual([4, 3]);
      const recent = await checkpoints.recent(id, 5);
      expect(recent.map((c) => [c.sequence, c.storage, c.objectKey, c.data])).toEqual([
        [4, 's3', 'k4', null],
        [3, 's3', 'k3', null],
      ]);
      expect(await row(id)).toMatchObject({ last_checkpoint_sequence: 4, last_checkpoint_size_bytes: 1_000_000 });
      expect(await checkpoints.referencedObjectKeys([id, id])).toEqual(new Set(['k3', 'k4']));
      expect(await checkpoints.referencedObjectKeys([])).toEqual(new Set());
    });

    it('refuses a stale offloaded checkpoint without touching the rows, and inconsistent storage fields', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1', attempt: 2 });
      expect(await checkpoints.save({ workloadId: id, attempt: 1, workerId: 'w1' }, offloaded('late'), { retain: 1 })).toBeNull();
      expect(await checkpoints.referencedObjectKeys([id])).toEqual(new Set());
      const fence = { workloadId: id, attempt: 2, workerId: 'w1' };
      await expect(checkpoints.save(fence, { ...offloaded('x'), data: Buffer.from('x') })).rejects.toThrow(/storage/);
      await expect(checkpoints.save(fence, { ...offloaded('x'), objectKey: null })).rejects.toThrow(/storage/);
      await expect(checkpoints.save(fence, offloaded('x'), { retain: 0 })).rejects.toThrow(/retain/);
      expect(await row(id)).toMatchObject({ last_checkpoint_sequence: null });
    });

    it('lets one sweeper at a time hold the sweep lock, and releases it after the work', async () => {
      let release: () => void = () => undefined;
      let entered: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = new Promise<void>((resolve) => (entered = resolve));
      const first = checkpoints.withSweepLock(async () => {
        entered();
        await held;
        return 'first';
      });
      await holding;
      expect(await checkpoints.withSweepLock(async () => 'second')).toBeNull();
      release();
      expect(await first).toBe('first');
      expect(await checkpoints.withSweepLock(async () => 'third')).toBe('third');
    });

    it('audits a checkpoint failure only while the attempt is held', async () => {
      const id = await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      expect(await checkpoints.recordFailure({ workloadId: id, attempt: 1, workerId: 'w1' }, { error: 'disk full', tries: 3 })).toBe(true);
      expect(await checkpoints.recordFailure({ workloadId: id, attempt: 1, workerId: 'w2' }, { error: 'x' })).toBe(false);
      const events: Array<{ action: string; actor_id: string; details: unknown }> = await dataSource.query(
        `SELECT action, actor_id, details FROM audit_events WHERE workload_id = $1`,
        [id],
      );
      expect(events).toEqual([{ action: 'workload.checkpoint_failed', actor_id: 'w1', details: { error: 'disk full', tries: 3 } }]);
    });
  });
});
