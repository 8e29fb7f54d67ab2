import { createTestSchema, eventually, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { leaderFenceCondition, LeadershipRepository, LeaseLostError, type LeaderFence } from './leadership.repository';
import { SchedulingRepository } from './scheduling.repository';
import { WorkerHealthRepository } from './worker-health.repository';

const TTL_MS = 5_000;

describe('leader repositories', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let leadership: LeadershipRepository;
  let scheduling: SchedulingRepository;
  let health: WorkerHealthRepository;
  let customerId: string;

  beforeAll(async () => {
    schema = await createTestSchema('leader_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 12 });
    await runMigrations(dataSource);
    leadership = new LeadershipRepository(dataSource);
    scheduling = new SchedulingRepository(dataSource);
    health = new WorkerHealthRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE workloads, workers, audit_events, coordinator_state, customers CASCADE`);
    const [row] = await dataSource.query(`INSERT INTO customers (name, tier) VALUES ('acme', 'premium') RETURNING id`);
    customerId = row.id;
  });

  async function insertWorker(
    id: string,
    options: { status?: string; capacity?: number; types?: string[]; heartbeatAgeMs?: number } = {},
  ): Promise<void> {
    await dataSource.query(
      `INSERT INTO workers (id, status, capacity, workload_types, last_heartbeat_at)
       VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5::float8 / 1000))`,
      [id, options.status ?? 'ACTIVE', options.capacity ?? 4, options.types ?? ['sleep'], options.heartbeatAgeMs ?? 0],
    );
  }

  async function insertWorkload(
    options: { status?: string; workerId?: string | null; attempt?: number; priority?: number; notBeforeMs?: number; scheduledAgoMs?: number } = {},
  ): Promise<string> {
    const [row] = await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, attempt, worker_id, input,
                              not_before, scheduled_at)
       VALUES ($1, 'sleep', $2, $3, 3, $4, $5, '{"duration_ms": 5}',
               CASE WHEN $6::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $6::float8 / 1000) END,
               CASE WHEN $7::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $7::float8 / 1000) END)
       RETURNING id`,
      [
        customerId,
        options.status ?? 'PENDING',
        options.priority ?? 100,
        options.attempt ?? 1,
        options.workerId ?? null,
        options.notBeforeMs ?? null,
        options.scheduledAgoMs ?? null,
      ],
    );
    return row.id;
  }

  async function workload(id: string): Promise<{ status: string; attempt: number; worker_id: string | null; pending_reason: string | null }> {
    const [row] = await dataSource.query(`SELECT status, attempt, worker_id, pending_reason FROM workloads WHERE id = $1`, [id]);
    return row;
  }

  async function auditActions(): Promise<string[]> {
    const rows: Array<{ action: string }> = await dataSource.query(`SELECT action FROM audit_events ORDER BY id`);
    return rows.map((row) => row.action);
  }

  async function lead(leaderId = 'leader-a'): Promise<LeaderFence> {
    const grant = await leadership.tryAcquire(leaderId, TTL_MS);
    if (!grant) throw new Error(`${leaderId} could not take the lease`);
    return { leaderId, generation: grant.generation };
  }

  describe(LeadershipRepository.name, () => {
    it('grants a free lease to one candidate, renews it for the holder only and audits the election', async () => {
      const first = await leadership.tryAcquire('leader-a', TTL_MS);
      expect(first?.generation).toBe(1);
      expect(await leadership.tryAcquire('leader-b', TTL_MS)).toBeNull();

      const renewed = await leadership.renew({ leaderId: 'leader-a', generation: 1 }, TTL_MS);
      expect(renewed?.expiresAt.getTime()).toBeGreaterThanOrEqual(first?.expiresAt.getTime() ?? Infinity);
      expect(await leadership.renew({ leaderId: 'leader-b', generation: 1 }, TTL_MS)).toBeNull();
      expect(await leadership.renew({ leaderId: 'leader-a', generation: 2 }, TTL_MS)).toBeNull();

      const lease = await leadership.read();
      expect(lease).toMatchObject({ holderId: 'leader-a', generation: 1, held: true });
      expect(lease?.remainingMs).toBeGreaterThan(TTL_MS - 1_000);
      expect(await auditActions()).toEqual(['leader.elected']);
    });

    it('hands the lease over with a new generation once released or expired', async () => {
      await lead('leader-a');
      expect(await leadership.release({ leaderId: 'leader-a', generation: 1 })).toBe(true);
      expect(await leadership.release({ leaderId: 'leader-a', generation: 1 })).toBe(false);
      expect((await leadership.tryAcquire('leader-b', 50))?.generation).toBe(2);

      // Lapses by the database clock.
      await eventually('the 50 ms lease to lapse', async () => (await leadership.read())?.held === false);
      expect(await leadership.renew({ leaderId: 'leader-b', generation: 2 }, TTL_MS)).toBeNull();
      expect((await leadership.tryAcquire('leader-c', TTL_MS))?.generation).toBe(3);

      const rows = await dataSource.query(`SELECT actor_id, details FROM audit_events WHERE action = 'leader.elected' ORDER BY id`);
      expect(rows.map((row: { actor_id: string }) => row.actor_id)).toEqual(['leader-a', 'leader-b', 'leader-c']);
      expect(rows[2].details).toMatchObject({ generation: 3, previous_holder: 'leader-b' });
    });

    it('lets exactly one of many concurrent candidates win a free lease', async () => {
      const grants = await Promise.all(
        Array.from({ length: 10 }, (_, i) => leadership.tryAcquire(`candidate-${i}`, TTL_MS)),
      );
      expect(grants.filter((grant) => grant !== null)).toHaveLength(1);
      expect((await leadership.read())?.generation).toBe(1);
    });
  });

  describe('generation fencing', () => {
    it('rejects every write of a deposed leader and changes nothing', async () => {
      await insertWorker('w1');
      const pending = await insertWorkload();
      const running = await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      await dataSource.query(`UPDATE workers SET last_heartbeat_at = now() - interval '1 hour'`);

      const old = await lead('leader-a');
      await leadership.release(old);
      await lead('leader-b');
      const before = await dataSource.query(`SELECT id, status, attempt, worker_id, pending_reason FROM workloads ORDER BY id`);
      const auditBefore = await auditActions();

      await expect(scheduling.schedule(old, [{ workloadId: pending, workerId: 'w1' }])).rejects.toBeInstanceOf(LeaseLostError);
      await expect(scheduling.setPendingReasons(old, [{ id: pending, reason: 'nope' }])).rejects.toBeInstanceOf(LeaseLostError);
      await expect(
        scheduling.reclaimUnacknowledged(old, [{ id: running, attempt: 1, workerId: 'w1' }], 0),
      ).rejects.toBeInstanceOf(LeaseLostError);
      await expect(health.sweep(old, 1_000)).rejects.toBeInstanceOf(LeaseLostError);

      expect(await dataSource.query(`SELECT id, status, attempt, worker_id, pending_reason FROM workloads ORDER BY id`)).toEqual(before);
      expect((await dataSource.query(`SELECT status FROM workers WHERE id = 'w1'`))[0].status).toBe('ACTIVE');
      expect(await auditActions()).toEqual(auditBefore);
    });

    it('makes the fence condition itself match nothing for an old generation', async () => {
      await insertWorker('w1');
      const pending = await insertWorkload();
      const old = await lead('leader-a');
      await leadership.release(old);
      await lead('leader-b');
      // Bypasses the lock-and-check of runFenced: the UPDATE's own condition must still hold the line.
      const result = await dataSource.query(
        `WITH changed AS (
           UPDATE workloads SET status = 'SCHEDULED', worker_id = 'w1'
            WHERE id = $3 AND ${leaderFenceCondition('$1', '$2')} RETURNING id)
         SELECT id FROM changed`,
        [old.leaderId, old.generation, pending],
      );
      expect(result).toEqual([]);
      expect((await workload(pending)).status).toBe('PENDING');
    });
  });

  describe(SchedulingRepository.name, () => {
    it('schedules only placements that still apply, in one fenced transaction with audit events', async () => {
      await insertWorker('w1');
      await insertWorker('draining', { status: 'DRAINING' });
      const ok = await insertWorkload();
      const later = await insertWorkload({ notBeforeMs: 60_000 });
      const cancelled = await insertWorkload({ status: 'CANCELLED' });
      const toDraining = await insertWorkload();
      const fence = await lead();

      const scheduled = await scheduling.schedule(fence, [
        { workloadId: ok, workerId: 'w1' },
        { workloadId: later, workerId: 'w1' },
        { workloadId: cancelled, workerId: 'w1' },
        { workloadId: toDraining, workerId: 'draining' },
      ]);

      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]).toMatchObject({
        id: ok,
        customerId,
        workloadType: 'sleep',
        status: 'SCHEDULED',
        attempt: 1,
        workerId: 'w1',
        input: { duration_ms: 5 },
        previousStatus: 'PENDING',
      });
      expect(await workload(ok)).toMatchObject({ status: 'SCHEDULED', worker_id: 'w1' });
      expect((await workload(later)).status).toBe('PENDING');
      expect((await workload(toDraining)).status).toBe('PENDING');
      const [audit] = await dataSource.query(`SELECT * FROM audit_events WHERE action = 'workload.scheduled'`);
      expect(audit).toMatchObject({
        workload_id: ok,
        customer_id: customerId,
        actor_type: 'coordinator',
        actor_id: 'leader-a',
        before: { status: 'PENDING', attempt: 1, worker_id: null },
        after: { status: 'SCHEDULED', attempt: 1, worker_id: 'w1' },
        details: { generation: 1 },
      });
    });

    it('writes pending reasons only where they changed', async () => {
      const a = await insertWorkload();
      const b = await insertWorkload();
      const fence = await lead();
      expect(await scheduling.setPendingReasons(fence, [{ id: a, reason: 'no live workers' }, { id: b, reason: 'no live workers' }])).toBe(2);
      expect(await scheduling.setPendingReasons(fence, [{ id: a, reason: 'no live workers' }, { id: b, reason: null }])).toBe(1);
      expect((await workload(a)).pending_reason).toBe('no live workers');
      expect((await workload(b)).pending_reason).toBeNull();
    });

    it('reads the pending queue in order, by page, by id and as keys, with the customer tier', async () => {
      const low = await insertWorkload({ priority: 10 });
      const high = await insertWorkload({ priority: 900 });
      const mid = await insertWorkload({ priority: 500 });
      await insertWorkload({ status: 'RUNNING', workerId: 'w1' });

      const pages: string[][] = [];
      const loaded = await scheduling.streamPending(2, 100, 100, (page) => {
        pages.push(page.map((entry) => entry.id));
      });
      expect(loaded).toBe(3);
      expect(pages).toEqual([[high, mid], [low]]);
      expect(await scheduling.streamPending(2, 2, 100, () => undefined)).toBe(2);

      const [found] = await scheduling.findPendingByIds([mid]);
      expect(found).toMatchObject({ id: mid, customerTier: 'premium', priority: 500, attempt: 1, notBefore: null });
      expect(found?.affinity).toEqual({ required: {}, preferred: {}, anti: {} });
      expect((await scheduling.listPendingKeys(10, 10)).map((key) => key.id)).toEqual([high, mid, low]);
    });

    it('counts occupied slots per worker and per customer', async () => {
      await insertWorker('w1', { capacity: 3 });
      await insertWorker('w2');
      await insertWorker('gone', { status: 'DEAD' });
      await insertWorkload({ status: 'RUNNING', workerId: 'w1' });
      await insertWorkload({ status: 'SCHEDULED', workerId: 'w1' });
      await insertWorkload({ status: 'COMPLETED', workerId: 'w1' });

      const workers = await scheduling.loadWorkers();
      expect(workers.map((w) => [w.id, w.activeCount]).sort()).toEqual([
        ['w1', 2],
        ['w2', 0],
      ]);
      expect((await scheduling.loadWorkers(['gone', 'missing'])).map((w) => w.status)).toEqual(['DEAD']);
      expect((await scheduling.countActiveByCustomer()).get(customerId)).toBe(2);
      expect((await scheduling.countActiveByCustomer([customerId])).get(customerId)).toBe(2);
    });

    it('returns each scheduled input with its size as JSON, measured as text when the stored value is compressed', async () => {
      await insertWorker('w1');
      const small = await insertWorkload();
      const large = await insertWorkload();
      // 200 kB of one repeated character: stored compressed to a few kB.
      const blob = 'x'.repeat(200_000);
      await dataSource.query(`UPDATE workloads SET input = jsonb_build_object('blob', $2::text) WHERE id = $1`, [large, blob]);
      const [{ stored }] = await dataSource.query(`SELECT pg_column_size(input) AS stored FROM workloads WHERE id = $1`, [large]);
      expect(stored).toBeLessThan(20_000);
      const fence = await lead();

      const scheduled = await scheduling.schedule(fence, [
        { workloadId: small, workerId: 'w1' },
        { workloadId: large, workerId: 'w1' },
      ]);
      const bytes = new Map(scheduled.map((s) => [s.id, s.inputBytes]));
      const smallJson = JSON.stringify({ duration_ms: 5 }).length;
      expect(bytes.get(small)).toBeGreaterThanOrEqual(smallJson);
      expect(bytes.get(small)).toBeLessThan(smallJson * 4);
      // PostgreSQL renders jsonb as `{"blob": "x…"}`: the JSON text's length, give or take its spaces.
      expect(Math.abs((bytes.get(large) as number) - JSON.stringify({ blob }).length)).toBeLessThan(8);

      await dataSource.query(`UPDATE workloads SET scheduled_at = now() - interval '10 seconds' WHERE id = ANY($1::uuid[])`, [[small, large]]);
      const overdue = await scheduling.findUnacknowledged(5_000, 100);
      expect(new Map(overdue.map((a) => [a.id, a.inputBytes]))).toEqual(bytes);
    });

    it('finds and reclaims unacknowledged assignments once, with attempt + 1', async () => {
      await insertWorker('w1');
      const stale = await insertWorkload({ status: 'SCHEDULED', workerId: 'w1', scheduledAgoMs: 10_000 });
      const fresh = await insertWorkload({ status: 'SCHEDULED', workerId: 'w1', scheduledAgoMs: 0 });
      const fence = await lead();

      const found = await scheduling.findUnacknowledged(5_000, 100);
      expect(found.map((a) => a.id)).toEqual([stale]);
      expect(found[0]?.ageMs).toBeGreaterThanOrEqual(10_000);

      // A wrong attempt is someone else's assignment: untouched.
      expect(await scheduling.reclaimUnacknowledged(fence, [{ id: stale, attempt: 2, workerId: 'w1' }], 5_000)).toEqual([]);
      const reclaimed = await scheduling.reclaimUnacknowledged(
        fence,
        [
          { id: stale, attempt: 1, workerId: 'w1' },
          { id: fresh, attempt: 1, workerId: 'w1' },
        ],
        5_000,
      );
      expect(reclaimed).toEqual([
        expect.objectContaining({ id: stale, status: 'PENDING', attempt: 2, workerId: null, previousWorkerId: 'w1' }),
      ]);
      expect(await scheduling.reclaimUnacknowledged(fence, [{ id: stale, attempt: 1, workerId: 'w1' }], 5_000)).toEqual([]);
      expect(await workload(stale)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      expect(await workload(fresh)).toMatchObject({ status: 'SCHEDULED', attempt: 1 });
      expect(await auditActions()).toEqual(['leader.elected', 'workload.requeued']);
    });
  });

  describe(WorkerHealthRepository.name, () => {
    it('declares silent workers dead and takes their workloads back, once', async () => {
      await insertWorker('silent', { heartbeatAgeMs: 60_000 });
      await insertWorker('alive');
      await insertWorker('stopped', { status: 'STOPPED' });
      const running = await insertWorkload({ status: 'RUNNING', workerId: 'silent', attempt: 2 });
      const scheduled = await insertWorkload({ status: 'SCHEDULED', workerId: 'silent' });
      const pausing = await insertWorkload({ status: 'PAUSING', workerId: 'silent' });
      const orphan = await insertWorkload({ status: 'RUNNING', workerId: 'stopped' });
      const healthy = await insertWorkload({ status: 'RUNNING', workerId: 'alive' });
      const fence = await lead();

      const result = await health.sweep(fence, 15_000);
      expect(result.deadWorkers.map((w) => w.id)).toEqual(['silent']);
      expect(result.recovered.map((c) => c.id).sort()).toEqual([running, scheduled, pausing, orphan].sort());
      expect(await workload(running)).toMatchObject({ status: 'PENDING', attempt: 3, worker_id: null });
      expect(await workload(scheduled)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      expect(await workload(pausing)).toMatchObject({ status: 'PAUSED', attempt: 1, worker_id: null });
      expect(await workload(orphan)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      expect(await workload(healthy)).toMatchObject({ status: 'RUNNING', worker_id: 'alive' });
      expect((await dataSource.query(`SELECT id FROM workers WHERE status = 'DEAD'`)).map((r: { id: string }) => r.id)).toEqual(['silent']);

      const actions = await auditActions();
      expect(actions.filter((a) => a === 'worker.dead')).toHaveLength(1);
      expect(actions.filter((a) => a === 'workload.requeued')).toHaveLength(3);
      expect(actions.filter((a) => a === 'workload.paused')).toHaveLength(1);

      expect(await health.sweep(fence, 15_000)).toEqual({ deadWorkers: [], recovered: [] });
    });
  });
});
