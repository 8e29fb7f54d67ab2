import { Test, type TestingModule } from '@nestjs/testing';
import { DependencyUnavailableError } from '@niyanta/models';
import { createTestSchema, type TestSchema } from '@niyanta/testing';
import { DataSource } from 'typeorm';
import { STATE_MIGRATIONS } from '../migrations/state-migrations';
import { listAppliedMigrations } from './migration-runner';
import { StateHealth } from './state-health.service';
import { StateModule } from './state.module';

describe(StateModule.name, () => {
  let testSchema: TestSchema;

  beforeEach(async () => {
    testSchema = await createTestSchema('state_module');
  });

  afterEach(async () => {
    await testSchema.drop();
  });

  async function compile(options: { runMigrations?: boolean; poolSize?: number } = {}): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({
      imports: [StateModule.forRoot({ url: testSchema.url, schema: testSchema.schema, ...options })],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  it('provides a connected DataSource bound to its schema, migrated on request', async () => {
    const moduleRef = await compile({ runMigrations: true });
    const dataSource = moduleRef.get(DataSource);
    try {
      expect(dataSource.isInitialized).toBe(true);
      const [{ schema }] = await dataSource.query('SELECT current_schema() AS schema');
      expect(schema).toBe(testSchema.schema);
      expect(await listAppliedMigrations(dataSource)).toHaveLength(STATE_MIGRATIONS.length);
      await expect(moduleRef.get(StateHealth).ping()).resolves.toBeUndefined();
    } finally {
      await moduleRef.close();
    }
    expect(dataSource.isInitialized).toBe(false);
  });

  it('does not migrate unless asked', async () => {
    const moduleRef = await compile();
    try {
      const rows = await moduleRef
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [testSchema.schema]);
      expect(rows[0].n).toBe(0);
    } finally {
      await moduleRef.close();
    }
  });

  it('reports not ready when no connection answers in time, and after shutdown', async () => {
    const moduleRef = await compile({ poolSize: 1 });
    const dataSource = moduleRef.get(DataSource);
    const health = moduleRef.get(StateHealth);
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    try {
      const started = Date.now();
      await expect(health.ping(150)).rejects.toBeInstanceOf(DependencyUnavailableError);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await holder.release();
    }
    await expect(health.ping()).resolves.toBeUndefined();
    await moduleRef.close();
    await expect(health.ping()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
