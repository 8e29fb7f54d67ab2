import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { AuditEventEntity } from './audit-event.entity';
import { CheckpointEntity } from './checkpoint.entity';
import { CoordinatorStateEntity } from './coordinator-state.entity';
import { CustomerEntity } from './customer.entity';
import { WorkerEntity } from './worker.entity';
import { WorkloadEntity } from './workload.entity';

describe('state entities', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;

  beforeAll(async () => {
    testSchema = await createTestSchema('state_entities');
    dataSource = await createDataSource({ url: testSchema.url, schema: testSchema.schema, poolSize: 4 });
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await testSchema?.drop();
  });

  async function newCustomer(name: string): Promise<CustomerEntity> {
    return dataSource.getRepository(CustomerEntity).save({ name, tier: 'standard' });
  }

  it('fills database defaults on a minimal workload and reads jsonb back as objects', async () => {
    const customer = await newCustomer('defaults');
    const repository = dataSource.getRepository(WorkloadEntity);
    const saved = await repository.save({
      customerId: customer.id,
      workloadType: 'sleep',
      priority: 500,
      maxRetries: 3,
      input: { duration_ms: 10, nested: { list: [1, 'two', null] } },
      labels: { team: 'search' },
    });
    const loaded = await repository.findOneByOrFail({ id: saved.id });
    expect(loaded).toMatchObject({
      status: 'PENDING',
      attempt: 1,
      failureCount: 0,
      progress: 0,
      input: { duration_ms: 10, nested: { list: [1, 'two', null] } },
      labels: { team: 'search' },
      affinity: { required: {}, preferred: {}, anti: {} },
      workerId: null,
      lastCheckpointSequence: null,
    });
    expect(loaded.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(loaded.createdAt).toBeInstanceOf(Date);

    // The GIN index serves containment queries on labels.
    const byLabel = await repository
      .createQueryBuilder('w')
      .where('w.labels @> :labels::jsonb', { labels: JSON.stringify({ team: 'search' }) })
      .getMany();
    expect(byLabel.map((w) => w.id)).toEqual([saved.id]);
  });

  it('rejects a second workload with the same idempotency key for one customer only', async () => {
    const first = await newCustomer('idem-a');
    const second = await newCustomer('idem-b');
    const repository = dataSource.getRepository(WorkloadEntity);
    const base = { workloadType: 'sleep', priority: 1, maxRetries: 0 };
    await repository.insert({ ...base, customerId: first.id, idempotencyKey: 'k1' });
    await repository.insert({ ...base, customerId: second.id, idempotencyKey: 'k1' });
    await repository.insert({ ...base, customerId: first.id, idempotencyKey: null });
    await repository.insert({ ...base, customerId: first.id, idempotencyKey: null });
    await expect(repository.insert({ ...base, customerId: first.id, idempotencyKey: 'k1' })).rejects.toMatchObject({
      driverError: { code: '23505', constraint: 'uq_workloads_customer_idempotency' },
    });
  });

  it('keeps checkpoint sequences unique per workload and cascades their deletion', async () => {
    const customer = await newCustomer('checkpoints');
    const workload = await dataSource
      .getRepository(WorkloadEntity)
      .save({ customerId: customer.id, workloadType: 'sleep', priority: 1, maxRetries: 0 });
    const checkpoints = dataSource.getRepository(CheckpointEntity);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const row = {
      workloadId: workload.id,
      attempt: 1,
      sequence: 1,
      sizeBytes: 10,
      storedBytes: bytes.length,
      codec: 'json+gzip/v1',
      contentHash: 'ab'.repeat(32),
      data: bytes,
    };
    // Copies: insert() writes the generated id back into the object it is given.
    await checkpoints.insert({ ...row });
    await expect(checkpoints.insert({ ...row })).rejects.toMatchObject({
      driverError: { code: '23505', constraint: 'uq_checkpoints_workload_sequence' },
    });
    const loaded = await checkpoints.findOneByOrFail({ workloadId: workload.id, sequence: 1 });
    expect(loaded.storage).toBe('inline');
    expect(Buffer.compare(loaded.data as Buffer, bytes)).toBe(0);

    await dataSource.getRepository(WorkloadEntity).delete({ id: workload.id });
    expect(await checkpoints.countBy({ workloadId: workload.id })).toBe(0);
  });

  it('maps arrays, bigints and bigserials', async () => {
    const workers = dataSource.getRepository(WorkerEntity);
    await workers.insert({ id: 'w-1', capacity: 4, workloadTypes: ['sleep', 'flaky'], tags: { gpu: 'a100' } });
    expect(await workers.findOneByOrFail({ id: 'w-1' })).toMatchObject({
      status: 'ACTIVE',
      workloadTypes: ['sleep', 'flaky'],
      tags: { gpu: 'a100' },
      runningCount: 0,
    });

    const lease = dataSource.getRepository(CoordinatorStateEntity);
    await lease.insert({ name: 'leader', holderId: 'c-1', generation: 2 ** 40 });
    const loaded = await lease.findOneByOrFail({ name: 'leader' });
    expect(loaded.generation).toBe(2 ** 40);

    const audit = dataSource.getRepository(AuditEventEntity);
    const first = await audit.save({ actorType: 'admin', action: 'customer.created', after: { name: 'x' } });
    const second = await audit.save({ actorType: 'admin', action: 'customer.suspended' });
    expect(typeof first.id).toBe('string');
    expect(BigInt(second.id)).toBeGreaterThan(BigInt(first.id));
  });
});
