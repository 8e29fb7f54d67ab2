import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { LeadershipRepository, LeaseLostError, type LeaderFence } from './leadership.repository';
import { ReconciliationRepository } from './reconciliation.repository';
import { WorkerDrainRepository } from './worker-drain.repository';
import { WorkerRegistryRepository } from './worker-registry.repository';

describe('reliability repositories (operator drain, heartbeat reconciliation)', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let customerId: string;

  beforeAll(async () => {
    schema = await createTestSchema('reliability_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 4 });
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE workloads, workers, audit_events, coordinator_state, customers CASCADE`);
    const [row] = await dataSource.query(`INSERT INTO customers (name, tier) VALUES ('acme', 'standard') RETURNING id`);
    customerId = row.id;
  });

  async function insertWorker(id: string, status = 'ACTIVE'): Promise<void> {
    await dataSource.query(
      `INSERT INTO workers (id, status, capacity, workload_types, last_heartbeat_at) VALUES ($1, $2, 4, '{sleep}', now())`,
      [id, status],
    );
  }

  async function insertWorkload(status: string, workerId: string | null, attempt = 1): Promise<string> {
    const [row] = await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, attempt, worker_id, input)
       VALUES ($1, 'sleep', $2, 100, 3, $3, $4, '{}') RETURNING id`,
      [customerId, status, attempt, workerId],
    );
    return row.id;
  }

  async function audit(action: string): Promise<Array<{ actor_type: string; details: Record<string, unknown> }>> {
    return dataSource.query(`SELECT actor_type, details FROM audit_events WHERE action = $1 ORDER BY id`, [action]);
  }

  describe(WorkerDrainRepository.name, () => {
    it('moves an ACTIVE worker to DRAINING once, with one audit event; repeats change nothing', async () => {
      const drains = new WorkerDrainRepository(dataSource);
      await insertWorker('w-a');
      const actor = { actorType: 'admin' as const, actorId: null, requestId: 'req-1' };

      const first = await drains.requestDrain('w-a', actor);
      expect(first).toMatchObject({ kind: 'requested', previousStatus: 'ACTIVE', worker: { id: 'w-a', status: 'DRAINING' } });
      const again = await drains.requestDrain('w-a', actor);
      expect(again).toMatchObject({ kind: 'requested', previousStatus: 'DRAINING', worker: { status: 'DRAINING' } });
      expect(await audit('worker.drain_requested')).toEqual([{ actor_type: 'admin', details: { worker_id: 'w-a' } }]);

      expect(await drains.requestDrain('nobody', actor)).toEqual({ kind: 'not_found' });
      await insertWorker('w-dead', 'DEAD');
      expect(await drains.requestDrain('w-dead', actor)).toMatchObject({ kind: 'dead', worker: { status: 'DEAD' } });
    });

    it('keeps the row DRAINING under the worker’s heartbeats and tells the worker once it reports ACTIVE', async () => {
      const drains = new WorkerDrainRepository(dataSource);
      const registry = new WorkerRegistryRepository(dataSource);
      await insertWorker('w-b');
      expect(await registry.heartbeat('w-b', 1, 'ACTIVE')).toBe('ok');
      await drains.requestDrain('w-b', { actorType: 'admin', actorId: null });

      expect(await registry.heartbeat('w-b', 1, 'ACTIVE')).toBe('drain_requested');
      expect(await registry.heartbeat('w-b', 1, 'DRAINING')).toBe('ok');
      const [row] = await dataSource.query(`SELECT status FROM workers WHERE id = 'w-b'`);
      expect(row.status).toBe('DRAINING');
    });
  });

  describe(ReconciliationRepository.name, () => {
    let reconciliation: ReconciliationRepository;
    let fence: LeaderFence;

    beforeEach(async () => {
      reconciliation = new ReconciliationRepository(dataSource);
      const grant = await new LeadershipRepository(dataSource).tryAcquire('leader-r', 5_000);
      if (!grant) throw new Error('no lease');
      fence = { leaderId: 'leader-r', generation: grant.generation };
    });

    it('lists the active workloads of the given workers and the listed workloads in any state', async () => {
      await insertWorker('w-1');
      await insertWorker('w-2');
      const running = await insertWorkload('RUNNING', 'w-1', 2);
      const pausing = await insertWorkload('PAUSING', 'w-1');
      await insertWorkload('RUNNING', 'w-2');
      const completed = await insertWorkload('COMPLETED', 'w-2');

      const rows = await reconciliation.placements(['w-1'], [completed, '00000000-0000-4000-8000-000000000000']);
      const byId = new Map(rows.map((row) => [row.id, row]));
      expect(byId.size).toBe(3);
      expect(byId.get(running)).toEqual({ id: running, status: 'RUNNING', attempt: 2, workerId: 'w-1' });
      expect(byId.get(pausing)).toMatchObject({ status: 'PAUSING', workerId: 'w-1' });
      expect(byId.get(completed)).toMatchObject({ status: 'COMPLETED', workerId: 'w-2' });
      expect(await reconciliation.placements([], [])).toEqual([]);
    });

    it('requeues exactly the named attempt (RUNNING → PENDING attempt + 1, PAUSING → PAUSED), fenced', async () => {
      await insertWorker('w-1');
      const running = await insertWorkload('RUNNING', 'w-1', 3);
      const pausing = await insertWorkload('PAUSING', 'w-1', 1);
      const moved = await insertWorkload('RUNNING', 'w-1', 5);

      const changes = await reconciliation.requeueOrphans(fence, [
        { id: running, attempt: 3, workerId: 'w-1' },
        { id: pausing, attempt: 1, workerId: 'w-1' },
        // The database has moved on to attempt 5: the stale claim about attempt 4 changes nothing.
        { id: moved, attempt: 4, workerId: 'w-1' },
      ]);
      const byId = new Map(changes.map((change) => [change.id, change]));
      expect(byId.size).toBe(2);
      expect(byId.get(running)).toMatchObject({ status: 'PENDING', attempt: 4, workerId: null, previousWorkerId: 'w-1' });
      expect(byId.get(pausing)).toMatchObject({ status: 'PAUSED', attempt: 1, workerId: null });
      const [untouched] = await dataSource.query(`SELECT status, attempt FROM workloads WHERE id = $1`, [moved]);
      expect(untouched).toEqual({ status: 'RUNNING', attempt: 5 });
      const requeued = await audit('workload.requeued');
      expect(requeued).toEqual([
        { actor_type: 'coordinator', details: { generation: fence.generation, reason: 'missing_from_heartbeats' } },
      ]);

      // Repeating it changes nothing; a deposed leader is refused outright.
      expect(await reconciliation.requeueOrphans(fence, [{ id: running, attempt: 3, workerId: 'w-1' }])).toEqual([]);
      await expect(
        reconciliation.requeueOrphans({ ...fence, generation: fence.generation + 1 }, [{ id: moved, attempt: 5, workerId: 'w-1' }]),
      ).rejects.toBeInstanceOf(LeaseLostError);
    });
  });
});
