import { EMPTY_AFFINITY, type JsonObject } from '@niyanta/models';
import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { ApiKeyRepository } from './api-key.repository';
import { appendAudit, AuditRepository, type AuditActor } from './audit.repository';
import { CustomerRepository } from './customer.repository';
import { FleetQueryRepository } from './fleet-query.repository';
import { WorkloadCommandRepository } from './workload-command.repository';
import { WorkloadQueryRepository } from './workload-query.repository';
import { WorkloadSubmissionRepository, type NewWorkload } from './workload-submission.repository';

const ACTOR: AuditActor = { actorType: 'customer', actorId: null, requestId: 'req-1' };

describe('API repositories', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let submissions: WorkloadSubmissionRepository;
  let queries: WorkloadQueryRepository;
  let commands: WorkloadCommandRepository;
  let customers: CustomerRepository;
  let keys: ApiKeyRepository;
  let audit: AuditRepository;
  let fleet: FleetQueryRepository;
  let customerId: string;

  beforeAll(async () => {
    schema = await createTestSchema('api_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 12 });
    await runMigrations(dataSource);
    submissions = new WorkloadSubmissionRepository(dataSource);
    queries = new WorkloadQueryRepository(dataSource);
    commands = new WorkloadCommandRepository(dataSource);
    customers = new CustomerRepository(dataSource);
    keys = new ApiKeyRepository(dataSource);
    audit = new AuditRepository(dataSource);
    fleet = new FleetQueryRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE workloads, workers, audit_events, api_keys, customers, workload_configs CASCADE`);
    customerId = (await customers.create({ name: 'acme', tier: 'premium' }, { actorType: 'admin', actorId: null })).id;
    await dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds)
       VALUES ('sleep', 100, 3, 30)`,
    );
  });

  function newWorkload(overrides: Partial<NewWorkload> = {}): NewWorkload {
    return {
      customerId,
      workloadType: 'sleep',
      priority: 100,
      input: { duration_ms: 5 } as JsonObject,
      affinity: EMPTY_AFFINITY,
      region: null,
      labels: {},
      maxRetries: 3,
      idempotencyKey: null,
      timeoutSeconds: null,
      checkpointPolicy: null,
      actor: { ...ACTOR, actorId: customerId },
      ...overrides,
    };
  }

  async function countAudit(action: string): Promise<number> {
    const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1`, [action]);
    return row.n;
  }

  describe('appendAudit', () => {
    it('stores JSON arrays and objects as jsonb and commits with the surrounding transaction', async () => {
      await dataSource.transaction((manager) =>
        appendAudit(manager, [
          { action: 'test.one', actorType: 'system', actorId: null, details: ['a', 1], after: { status: 'PENDING' } },
        ]),
      );
      await expect(
        dataSource.transaction(async (manager) => {
          await appendAudit(manager, [{ action: 'test.two', actorType: 'system', actorId: null }]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const rows = await dataSource.query(`SELECT action, details, after FROM audit_events WHERE action LIKE 'test.%'`);
      expect(rows).toEqual([{ action: 'test.one', details: ['a', 1], after: { status: 'PENDING' } }]);
    });

    it('records an event with an eventId once however often it is appended, at the time it occurred', async () => {
      const eventId = '5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f';
      const occurredAt = new Date('2026-01-02T03:04:05.678Z');
      const event = { action: 'replay.once', actorType: 'customer' as const, actorId: null, eventId, occurredAt };
      await audit.append([event, { action: 'replay.plain', actorType: 'system', actorId: null }]);
      await audit.append([event, { action: 'replay.plain', actorType: 'system', actorId: null }]);
      const rows: Array<{ action: string; event_id: string | null; occurred_at: Date }> = await dataSource.query(
        `SELECT action, event_id, occurred_at FROM audit_events WHERE action LIKE 'replay.%' ORDER BY id`,
      );
      expect(rows.map((row) => [row.action, row.event_id])).toEqual([
        ['replay.once', eventId],
        ['replay.plain', null],
        ['replay.plain', null],
      ]);
      expect(rows[0]?.occurred_at.toISOString()).toBe(occurredAt.toISOString());
    });
  });

  describe(WorkloadSubmissionRepository.name, () => {
    it('inserts PENDING workloads with their submitted audit event', async () => {
      const [result] = await submissions.submit([newWorkload({ labels: { team: 'a' } })]);
      expect(result?.created).toBe(true);
      expect(result?.workload).toMatchObject({ status: 'PENDING', attempt: 1, failureCount: 0, labels: { team: 'a' } });
      const trail = await audit.listForWorkload(result?.workload.id as string);
      expect(trail).toEqual([
        expect.objectContaining({
          action: 'workload.submitted',
          actorId: customerId,
          requestId: 'req-1',
          after: { status: 'PENDING', attempt: 1, worker_id: null },
        }),
      ]);
    });

    it('returns the first workload for a repeated idempotency key, also under concurrency', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => submissions.submit([newWorkload({ idempotencyKey: 'same' })])),
      );
      const flat = results.flat();
      expect(flat.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(flat.map((result) => result.workload.id)).size).toBe(1);
      expect(await countAudit('workload.submitted')).toBe(1);
    });

    it('collapses a key repeated within one statement (grouped concurrent requests) to one workload', async () => {
      const results = await submissions.submit([newWorkload({ idempotencyKey: 'dup' }), newWorkload(), newWorkload({ idempotencyKey: 'dup' })]);
      expect(results.map((result) => result.created)).toEqual([true, true, false]);
      expect(results[2]?.workload.id).toBe(results[0]?.workload.id);
      expect(await countAudit('workload.submitted')).toBe(2);
    });

    it('returns type configs only for registered types', async () => {
      const configs = await submissions.findTypeConfigs(['sleep', 'nope']);
      expect([...configs.keys()]).toEqual(['sleep']);
      expect(configs.get('sleep')).toMatchObject({ defaultPriority: 100, maxRetries: 3, checkpointIntervalSeconds: 30 });
    });
  });

  describe(WorkloadQueryRepository.name, () => {
    it('pages newest first over every row exactly once, within one insert timestamp too', async () => {
      // One statement: all 25 share created_at, so only the id tiebreak orders them.
      await submissions.submit(Array.from({ length: 25 }, () => newWorkload()));
      await submissions.submit(Array.from({ length: 5 }, () => newWorkload()));
      const seen: string[] = [];
      let after = undefined;
      for (let page = 0; page < 10; page++) {
        const result = await queries.list({ customerId, limit: 7, after });
        seen.push(...result.items.map((workload) => workload.id));
        if (!result.next) break;
        after = result.next;
      }
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    });

    it('filters by status, type, labels and creation time, and scopes by customer', async () => {
      const other = await customers.create({ name: 'other', tier: 'free' }, { actorType: 'admin', actorId: null });
      const [a, b] = await submissions.submit([newWorkload({ labels: { env: 'prod', team: 'x' } }), newWorkload()]);
      await submissions.submit([newWorkload({ customerId: other.id })]);
      await dataSource.query(`UPDATE workloads SET status = 'RUNNING' WHERE id = $1`, [b?.workload.id]);

      const byLabel = await queries.list({ customerId, labels: { env: 'prod' }, limit: 10 });
      expect(byLabel.items.map((workload) => workload.id)).toEqual([a?.workload.id]);
      const running = await queries.list({ customerId, statuses: ['RUNNING'], limit: 10 });
      expect(running.items.map((workload) => workload.id)).toEqual([b?.workload.id]);
      expect((await queries.list({ customerId, workloadType: 'other', limit: 10 })).items).toEqual([]);
      expect((await queries.list({ customerId, createdAfter: new Date(Date.now() + 60_000), limit: 10 })).items).toEqual([]);
      expect((await queries.list({ customerId, createdBefore: new Date(Date.now() + 60_000), limit: 10 })).items).toHaveLength(2);
      expect(await queries.findForCustomer(other.id, a?.workload.id as string)).toBeNull();
      expect(await queries.findForCustomer(customerId, a?.workload.id as string)).toMatchObject({ id: a?.workload.id });
    });
  });

  describe(WorkloadCommandRepository.name, () => {
    it('cancels non-terminal workloads and reports the others untouched', async () => {
      const [pending, done] = await submissions.submit([newWorkload(), newWorkload()]);
      await dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE id = $1`, [done?.workload.id]);
      const missing = '00000000-0000-4000-8000-000000000000';
      const outcomes = await commands.apply(customerId, [pending?.workload.id as string, done?.workload.id as string, missing], 'cancel', ACTOR);
      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['applied', 'invalid_state', 'not_found']);
      expect(outcomes[0]).toMatchObject({ workload: { status: 'CANCELLED' }, before: { status: 'PENDING' } });
      expect((await queries.findForCustomer(customerId, done?.workload.id as string))?.status).toBe('COMPLETED');
      expect(await countAudit('workload.cancelled')).toBe(1);
    });

    it('pauses a pending workload at once, a running one through PAUSING, and resumes with attempt + 1', async () => {
      const [pending, running] = await submissions.submit([newWorkload(), newWorkload()]);
      await dataSource.query(`UPDATE workloads SET status = 'RUNNING', worker_id = 'w1' WHERE id = $1`, [running?.workload.id]);
      const paused = await commands.apply(customerId, [pending?.workload.id as string, running?.workload.id as string], 'pause', ACTOR);
      expect(paused.map((outcome) => outcome.outcome === 'applied' && outcome.workload.status)).toEqual(['PAUSED', 'PAUSING']);

      const [resumed] = await commands.apply(customerId, [pending?.workload.id as string], 'resume', ACTOR);
      expect(resumed).toMatchObject({ outcome: 'applied', workload: { status: 'PENDING', attempt: 2, workerId: null } });
      const [again] = await commands.apply(customerId, [pending?.workload.id as string], 'resume', ACTOR);
      expect(again?.outcome).toBe('invalid_state');
    });

    it('never touches another customer\'s workload', async () => {
      const other = await customers.create({ name: 'other', tier: 'free' }, { actorType: 'admin', actorId: null });
      const [theirs] = await submissions.submit([newWorkload({ customerId: other.id })]);
      const [outcome] = await commands.apply(customerId, [theirs?.workload.id as string], 'cancel', ACTOR);
      expect(outcome?.outcome).toBe('not_found');
      expect((await queries.findForCustomer(other.id, theirs?.workload.id as string))?.status).toBe('PENDING');
    });
  });

  describe('customers and keys', () => {
    it('issues, finds and revokes a key with audit events', async () => {
      const key = await keys.issue(
        { customerId, prefix: 'abcd1234', keyHash: 'f'.repeat(64), name: 'ci', expiresAt: null },
        { actorType: 'admin', actorId: null },
      );
      const found = await keys.findByPrefix('abcd1234');
      expect(found?.key).toMatchObject({ id: key.id, keyHash: 'f'.repeat(64), revokedAt: null });
      expect(found?.customer).toMatchObject({ id: customerId, tier: 'premium', status: 'active' });

      const revoked = await keys.revoke(key.id, { actorType: 'admin', actorId: null });
      expect(revoked?.revokedAt).toBeInstanceOf(Date);
      expect((await keys.revoke(key.id, { actorType: 'admin', actorId: null }))?.revokedAt).toEqual(revoked?.revokedAt);
      expect(await keys.revoke('00000000-0000-4000-8000-000000000000', { actorType: 'admin', actorId: null })).toBeNull();
      expect(await countAudit('api_key.issued')).toBe(1);
      expect(await countAudit('api_key.revoked')).toBe(1);
      expect(await countAudit('customer.created')).toBe(1);
      expect((await customers.list()).map((customer) => customer.name)).toEqual(['acme']);
    });
  });

  describe(FleetQueryRepository.name, () => {
    it('lists workers and workload types', async () => {
      await dataSource.query(
        `INSERT INTO workers (id, capacity, tags, workload_types) VALUES ('w1', 4, '{"gpu": "a100"}', '{sleep}')`,
      );
      expect(await fleet.listWorkers()).toEqual([
        expect.objectContaining({ id: 'w1', capacity: 4, tags: { gpu: 'a100' }, workloadTypes: ['sleep'], status: 'ACTIVE' }),
      ]);
      expect(await fleet.findWorker('nope')).toBeNull();
      expect((await fleet.listWorkloadTypes()).map((config) => config.workloadType)).toEqual(['sleep']);
    });
  });
});
