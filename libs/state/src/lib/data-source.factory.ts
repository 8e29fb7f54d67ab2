import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { STATE_MIGRATIONS } from '../migrations/state-migrations';
import { STATE_ENTITIES } from './entities/state-entities';
import { resolveSchema, type StateOptions } from './state-options';

/** Name of the table in which TypeORM records applied migrations (inside the schema). */
export const MIGRATIONS_TABLE = 'migrations';

/**
 * Builds the TypeORM data source for `options` without connecting. Entities and migrations are
 * registered; `synchronize` is off (the schema changes only through migrations).
 */
export function buildDataSource(options: StateOptions): DataSource {
  const schema = resolveSchema(options);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    entities: [...STATE_ENTITIES],
    migrations: [...STATE_MIGRATIONS],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: options.logging ?? false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'niyanta',
    connectTimeoutMS: options.connectTimeoutMs ?? 5000,
    // gen_random_uuid() is built into PostgreSQL 13+, so no extension (and no superuser) is needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Unqualified names in migrations and hand-written SQL resolve to the schema.
    extra: schema === 'public' ? {} : { options: `-c search_path=${schema}` },
  });
}

/** Creates `schema` unless it exists, over a short-lived connection of its own. */
export async function ensureSchema(options: StateOptions): Promise<void> {
  const schema = resolveSchema(options);
  const client = new Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: options.applicationName ?? 'niyanta',
  });
  await client.connect();
  try {
    // Checked first so a role without CREATE on the database still works on an existing schema.
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates the schema when missing and returns an initialised (connected) data source.
 * The caller owns it and must `destroy()` it.
 */
export async function createDataSource(options: StateOptions): Promise<DataSource> {
  await ensureSchema(options);
  const dataSource = buildDataSource(options);
  await dataSource.initialize();
  return dataSource;
}
