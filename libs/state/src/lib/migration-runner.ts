import { DataSource, MigrationExecutor } from 'typeorm';

/** Serialises migration runs of concurrent processes (two replicas starting at once). */
async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const schema = currentSchema(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Session-level lock on a connection of its own; TypeORM runs the migrations on others.
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`niyanta.migrations.${schema}`]);
    try {
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`niyanta.migrations.${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

function currentSchema(dataSource: DataSource): string {
  const options = dataSource.options as { schema?: string };
  return options.schema ?? 'public';
}

/**
 * Applies every pending migration, each in its own transaction, holding an advisory lock so that
 * concurrent callers run them once. Returns the names of the migrations applied now.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  });
}

/** Names of the migrations recorded as applied, oldest first. */
export async function listAppliedMigrations(dataSource: DataSource): Promise<string[]> {
  const executor = new MigrationExecutor(dataSource);
  const executed = await executor.getExecutedMigrations();
  return executed.map((migration) => migration.name).reverse();
}

/** Reverts every applied migration, newest first, leaving the schema without our tables. */
export async function revertAllMigrations(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const reverted: string[] = [];
    for (;;) {
      const applied = await listAppliedMigrations(dataSource);
      const newest = applied.at(-1);
      if (newest === undefined) {
        return reverted;
      }
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push(newest);
    }
  });
}
