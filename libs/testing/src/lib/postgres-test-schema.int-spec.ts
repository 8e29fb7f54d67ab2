import { Client } from 'pg';
import { createTestSchema, testDatabaseUrl } from './postgres-test-schema';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe(createTestSchema.name, () => {
  it('creates a unique, quoting-free schema and drops it with its contents', async () => {
    const [a, b] = await Promise.all([createTestSchema('Suite-Name'), createTestSchema('Suite-Name')]);
    try {
      expect(a.schema).not.toBe(b.schema);
      expect(a.schema).toMatch(/^suite_name_\d+_[0-9a-f]{8}$/);
      expect(a.url).toBe(testDatabaseUrl());
      expect(await schemaExists(a.schema)).toBe(true);

      const client = new Client({ connectionString: a.url });
      await client.connect();
      await client.query(`CREATE TABLE "${a.schema}".t (x int)`);
      await client.end();
    } finally {
      await a.drop();
      await b.drop();
    }
    expect(await schemaExists(a.schema)).toBe(false);
    expect(await schemaExists(b.schema)).toBe(false);
    await expect(a.drop()).resolves.toBeUndefined();
  });

  it('prefixes names that would start with a digit', async () => {
    const schema = await createTestSchema('9lives');
    try {
      expect(schema.schema).toMatch(/^t_9lives_/);
    } finally {
      await schema.drop();
    }
  });
});
