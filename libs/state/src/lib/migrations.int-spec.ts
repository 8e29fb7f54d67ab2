import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { STATE_MIGRATIONS } from '../migrations/state-migrations';
import { createDataSource } from './data-source.factory';
import { listAppliedMigrations, revertAllMigrations, runMigrations } from './migration-runner';

const TABLES = [
  'analytics_operator_rollups',
  'analytics_rollups',
  'analytics_watermarks',
  'analytics_worker_rollups',
  'api_keys',
  'audit_events',
  'checkpoints',
  'coordinator_state',
  'customers',
  'rate_limit_buckets',
  'tiers',
  'workers',
  'workload_configs',
  'workloads',
];

describe('state migrations', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;

  beforeAll(async () => {
    testSchema = await createTestSchema('state_migrations');
    dataSource = await createDataSource({ url: testSchema.url, schema: testSchema.schema, poolSize: 4 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await testSchema?.drop();
  });

  async function tablesInSchema(): Promise<string[]> {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name`,
      [testSchema.schema],
    );
    return rows.map((row) => row.table_name);
  }

  async function indexDefinitions(): Promise<Map<string, string>> {
    const rows: { indexname: string; indexdef: string }[] = await dataSource.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1`,
      [testSchema.schema],
    );
    return new Map(rows.map((row) => [row.indexname, row.indexdef]));
  }

  it('migrates up from empty, down to empty, and up again', async () => {
    expect(await tablesInSchema()).toEqual([]);

    const applied = await runMigrations(dataSource);
    expect(applied).toEqual(STATE_MIGRATIONS.map((migration) => new migration().name));
    expect(await tablesInSchema()).toEqual(TABLES);
    expect(await runMigrations(dataSource)).toEqual([]);

    const reverted = await revertAllMigrations(dataSource);
    expect(reverted).toEqual([...applied].reverse());
    expect(await tablesInSchema()).toEqual([]);
    expect(await listAppliedMigrations(dataSource)).toEqual([]);

    expect(await runMigrations(dataSource)).toEqual(applied);
    expect(await tablesInSchema()).toEqual(TABLES);
    expect(await listAppliedMigrations(dataSource)).toEqual(applied);
  });

  it('leaves nothing for TypeORM to change: entities and migrations agree', async () => {
    await runMigrations(dataSource);
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('creates the query-shaped indexes the entities cannot express', async () => {
    await runMigrations(dataSource);
    const indexes = await indexDefinitions();
    expect(indexes.get('idx_workloads_pending')).toMatch(
      /\(priority DESC, created_at\) WHERE \(status = 'PENDING'::text\)$/,
    );
    expect(indexes.get('idx_workloads_customer_created')).toMatch(/\(customer_id, created_at DESC, id DESC\)$/);
    expect(indexes.get('idx_workloads_customer_status_created')).toMatch(
      /\(customer_id, status, created_at DESC\)$/,
    );
    expect(indexes.get('idx_workloads_labels')).toMatch(/USING gin \(labels\)$/);
    expect(indexes.get('uq_workloads_customer_idempotency')).toMatch(
      /^CREATE UNIQUE INDEX .* \(customer_id, idempotency_key\) WHERE \(idempotency_key IS NOT NULL\)$/,
    );
    expect(indexes.get('idx_workloads_worker_active')).toMatch(/\(worker_id\) WHERE \(status = ANY/);
    expect(indexes.get('uq_checkpoints_workload_sequence')).toMatch(/^CREATE UNIQUE INDEX/);
    expect(indexes.get('uq_api_keys_prefix')).toMatch(/^CREATE UNIQUE INDEX/);
    expect(indexes.get('idx_workers_status_heartbeat')).toMatch(/\(status, last_heartbeat_at\)$/);
  });

  it('uses the pending-queue index for the scheduler query', async () => {
    await runMigrations(dataSource);
    await dataSource.transaction(async (manager) => {
      // Planner statistics of an empty table would favour a sequential scan; forbid it to see
      // whether the index can serve the scheduler's ORDER BY at all.
      await manager.query('SET LOCAL enable_seqscan = off');
      await manager.query('SET LOCAL enable_sort = off');
      const plan: { 'QUERY PLAN': string }[] = await manager.query(
        `EXPLAIN SELECT id FROM workloads WHERE status = 'PENDING' ORDER BY priority DESC, created_at LIMIT 100`,
      );
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('idx_workloads_pending');
    });
  });
});

describe('state migrations run concurrently', () => {
  let testSchema: TestSchema;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    testSchema = await createTestSchema('state_migrations_race');
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    await testSchema?.drop();
  });

  it('applies each migration once when replicas start together', async () => {
    for (let i = 0; i < 3; i++) {
      dataSources.push(await createDataSource({ url: testSchema.url, schema: testSchema.schema, poolSize: 2 }));
    }
    const results = await Promise.all(dataSources.map((dataSource) => runMigrations(dataSource)));
    const applied = results.flat();
    expect(applied).toEqual(STATE_MIGRATIONS.map((migration) => new migration().name));
    expect(await listAppliedMigrations(dataSources[0])).toEqual(applied);
  });
});
