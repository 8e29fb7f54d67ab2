import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { FleetQueryRepository } from './fleet-query.repository';
import { WorkerRegistryRepository, type WorkloadTypeRegistration } from './worker-registry.repository';

const schemaV1 = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
const schemaV2 = { type: 'object', properties: { text: { type: 'string' }, limit: { type: 'integer' } }, required: ['text'] };

function wordCount(inputSchema: WorkloadTypeRegistration['inputSchema']): WorkloadTypeRegistration {
  return { workloadType: 'word-count', defaultPriority: 100, maxRetries: 3, timeoutSeconds: null, checkpointIntervalSeconds: null, checkpointProgressStep: null, inputSchema };
}

describe('input schemas stored by worker registration', () => {
  let testSchema: TestSchema;
  let dataSource: DataSource;
  let registry: WorkerRegistryRepository;
  let fleet: FleetQueryRepository;

  beforeAll(async () => {
    testSchema = await createTestSchema('input_schema');
    dataSource = await createDataSource({ url: testSchema.url, schema: testSchema.schema, poolSize: 2 });
    await runMigrations(dataSource);
    registry = new WorkerRegistryRepository(dataSource);
    fleet = new FleetQueryRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await testSchema?.drop();
  });

  const register = (id: string, type: WorkloadTypeRegistration) =>
    registry.register({ id, tags: {}, region: null, capacity: 1, workloadTypes: [type.workloadType] }, [type]);
  const stored = async () => (await fleet.listWorkloadTypes()).find((t) => t.workloadType === 'word-count')?.inputSchema;

  it('stores the schema with a new type, replaces it on a later registration, and clears it with null', async () => {
    await register('w1', wordCount(schemaV1));
    expect(await stored()).toEqual(schemaV1);
    await register('w2', wordCount(schemaV2));
    expect(await stored()).toEqual(schemaV2);
    // A registration that says nothing about the schema leaves it as it is.
    await register('w3', wordCount(undefined));
    expect(await stored()).toEqual(schemaV2);
    await register('w1', wordCount(null));
    expect(await stored()).toBeNull();
  });
});
