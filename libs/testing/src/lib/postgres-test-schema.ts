import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The test database when `TEST_DATABASE_URL` is not set. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A private PostgreSQL schema for one test suite. */
export interface TestSchema {
  /** Connection URL of the test database (the schema is not part of it: pass `schema` too). */
  url: string;
  /** Unique schema name, already created. */
  schema: string;
  /** Drops the schema and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

/** URL of the database integration tests use: `TEST_DATABASE_URL` or {@link DEFAULT_TEST_DATABASE_URL}. */
export function testDatabaseUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? DEFAULT_TEST_DATABASE_URL;
}

/**
 * Creates a uniquely named schema (`<prefix>_<pid>_<random>`) in the test database so suites can
 * run in parallel without seeing each other's rows.
 * @param prefix lowercase letters, digits and `_`; names the suite in the schema name.
 */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30) || 't';
  const schema = `${/^[a-z_]/.test(safePrefix) ? '' : 't_'}${safePrefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = testDatabaseUrl();
  await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  let dropped = false;
  return {
    url,
    schema,
    drop: async () => {
      if (dropped) return;
      await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      dropped = true;
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
